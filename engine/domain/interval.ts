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

/**
 * An upper bound of a window's length: exchange days last 23 to 25 hours around DST changes, so a
 * daily window may only be forgotten 26 hours after it started.
 */
export function maxWindowMs(interval: Interval): number {
  return interval === '1d' ? 26 * 3_600_000 : INTERVAL_MS[interval];
}
