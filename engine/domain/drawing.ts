import { z } from 'zod';

/** A point on a chart: a bar's start (epoch ms, any interval) and a price. */
const AnchorSchema = z
  .object({
    time: z.number().int().nonnegative(),
    price: z.number().finite().positive('a price above zero'),
  })
  .strict();

/**
 * What a user draws on a symbol's charts. Anchored in time and price, not in bars, so a drawing
 * made on a 1-minute chart shows at the same place on the hourly one.
 */
export const DrawingSpecSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('hline'), price: z.number().finite().positive('a price above zero') }).strict(),
  z.object({ kind: z.literal('trend'), from: AnchorSchema, to: AnchorSchema }).strict(),
  z.object({ kind: z.literal('rect'), from: AnchorSchema, to: AnchorSchema }).strict(),
  z
    .object({
      kind: z.literal('note'),
      at: AnchorSchema,
      text: z.string().trim().min(1, 'a note needs text').max(200, 'at most 200 characters'),
    })
    .strict(),
]);
export type DrawingSpec = z.infer<typeof DrawingSpecSchema>;
export type DrawingKind = DrawingSpec['kind'];

export const DrawingSchema = z.object({
  id: z.number().int(),
  symbol: z.string(),
  createdAt: z.number(),
  spec: DrawingSpecSchema,
});
export type Drawing = z.infer<typeof DrawingSchema>;
