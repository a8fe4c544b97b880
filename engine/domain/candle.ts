import { z } from 'zod';
import { IntervalSchema } from './interval.ts';

/**
 * An OHLCV candle over one event-time window. `openTs`/`closeTs` are the event times of the ticks
 * that set open and close, kept so that an out-of-order tick lands in the right place.
 */
export const CandleSchema = z.object({
  symbol: z.string(),
  interval: IntervalSchema,
  start: z.number().int(),
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  volume: z.number(),
  /** Sum of price x volume: VWAP = turnover / volume. */
  turnover: z.number(),
  trades: z.number().int(),
  buyVolume: z.number(),
  sellVolume: z.number(),
  openTs: z.number().int(),
  closeTs: z.number().int(),
});

export type Candle = z.infer<typeof CandleSchema>;

export function vwap(candle: Candle): number {
  return candle.volume > 0 ? candle.turnover / candle.volume : candle.close;
}
