import { z } from 'zod';
import { IntervalSchema } from './interval.ts';

export const ANOMALY_KINDS = ['return-z', 'volume-spike', 'gap'] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

/**
 * An unusual candle and the evidence for calling it so: the measured `value`, the `threshold` it
 * crossed, the `baseline` it was measured against and how many bars (`window`) made that baseline.
 */
export const AnomalySchema = z.object({
  symbol: z.string(),
  interval: IntervalSchema,
  /** Start of the candle found unusual. */
  start: z.number(),
  kind: z.enum(ANOMALY_KINDS),
  /** return-z: the z-score; volume-spike: volume over the average; gap: open over the previous close, minus 1. */
  value: z.number(),
  threshold: z.number(),
  /** return-z: mean return of the window; volume-spike: average volume; gap: the previous session's last close. */
  baseline: z.number(),
  window: z.number().int(),
  message: z.string(),
});
export type Anomaly = z.infer<typeof AnomalySchema>;
