import { z } from 'zod';

export const INTERVALS = ['1s', '1m', '5m', '15m', '1h', '1d'] as const;
export const IntervalSchema = z.enum(INTERVALS);
export type Interval = z.infer<typeof IntervalSchema>;

export const INTERVAL_MS: Record<Interval, number> = {
  '1s': 1_000,
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '1d': 86_400_000,
};

/** Start of the tumbling window of `interval` that contains `ts` (UTC-aligned). */
export function windowStart(ts: number, interval: Interval): number {
  const size = INTERVAL_MS[interval];
  return ts - (((ts % size) + size) % size);
}
