import { z } from 'zod';
import { SymbolSchema } from './symbol.ts';

export const SideSchema = z.enum(['buy', 'sell']);
export type Side = z.infer<typeof SideSchema>;

export const TickSourceKindSchema = z.enum(['simulator', 'yahoo', 'replay']);
export type TickSourceKind = z.infer<typeof TickSourceKindSchema>;

/** One trade or quote change, in event time (the exchange's clock, epoch milliseconds). */
export const TickSchema = z
  .object({
    symbol: SymbolSchema,
    ts: z.number().int().positive().max(8.64e15),
    price: z.number().finite().positive(),
    volume: z.number().finite().nonnegative(),
    side: SideSchema.optional(),
    source: TickSourceKindSchema,
  })
  .strict();

export type Tick = z.infer<typeof TickSchema>;

export type TickValidation = { ok: true; tick: Tick } | { ok: false; reason: string };

/** Validates a message from any bus; the reason is written for a human reading the dead-letter log. */
export function validateTick(value: unknown): TickValidation {
  const parsed = TickSchema.safeParse(value);
  if (parsed.success) return { ok: true, tick: parsed.data };
  const reason = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'tick'}: ${issue.message}`).join('; ');
  return { ok: false, reason };
}
