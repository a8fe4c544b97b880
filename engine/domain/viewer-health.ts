import { z } from 'zod';

/** A viewer's reading of the candle topics, as the status shows it. */
export const ViewerHealthSchema = z.object({
  /** The candle topics it reads, one per interval. */
  topics: z.array(z.string()),
  connected: z.boolean(),
  /** Partitions of those topics it owns (all of them: a viewer is a group of its own). */
  assigned: z.number(),
  /** Candle records read since it started. */
  consumed: z.number(),
  /** Records in the topics it has not stored yet, as of the last look at their end offsets. */
  lag: z.number(),
  error: z.string().optional(),
});
export type ViewerHealth = z.infer<typeof ViewerHealthSchema>;
