import { z } from 'zod';
import { TickSourceKindSchema } from './tick.ts';

export const SourceStateSchema = z.enum([
  'starting',
  'live',
  'paused',
  'delayed',
  'rate-limited',
  'offline',
  'stopped',
  'error',
]);
export type SourceState = z.infer<typeof SourceStateSchema>;

/** The running source as the status shows it; the source makes it, the contract carries it. */
export const SourceStatusSchema = z.object({
  kind: TickSourceKindSchema,
  state: SourceStateSchema,
  message: z.string(),
  /** A feed that can stream says whether it does: "streaming", or "polling" and why. */
  mode: z.enum(['streaming', 'polling']).optional(),
  why: z.string().optional(),
});
export type SourceStatus = z.infer<typeof SourceStatusSchema>;
