import { z } from 'zod';
import type { Candle } from '../../domain/candle.ts';
import { ExchangeDays } from '../../domain/exchange-day.ts';
import { Bollinger } from './bollinger.ts';
import { Ema } from './ema.ts';
import { Rsi } from './rsi.ts';
import { Sma } from './sma.ts';
import { SessionVwap } from './vwap.ts';

export { Bollinger, type Bands } from './bollinger.ts';
export { Ema } from './ema.ts';
export { Rsi } from './rsi.ts';
export { Sma } from './sma.ts';
export { SessionVwap, type VwapBar } from './vwap.ts';

const Period = z.number().int().min(1).max(1_000);

/** Which indicators to compute over a candle series, and their parameters. */
export const IndicatorSpecSchema = z
  .object({
    sma: z.array(Period).max(4).default([20]),
    ema: z.array(Period).max(4).default([50]),
    bollinger: z
      .object({ period: Period.min(2), width: z.number().positive().max(10).default(2) })
      .strict()
      .nullable()
      .default({ period: 20, width: 2 }),
    rsi: Period.min(2).nullable().default(14),
    vwap: z.boolean().default(true),
  })
  .strict();
export type IndicatorSpec = z.output<typeof IndicatorSpecSchema>;
export type IndicatorSpecInput = z.input<typeof IndicatorSpecSchema>;

export const DEFAULT_INDICATORS: IndicatorSpec = IndicatorSpecSchema.parse({});

/** Indicator values at one candle, keyed like `sma20`, `ema50`, `bb20.upper`, `rsi14`, `vwap`; null while warming up. */
export interface IndicatorPoint {
  start: number;
  values: Record<string, number | null>;
}

/** The series keys a spec produces, in a stable order. */
export function indicatorKeys(spec: IndicatorSpec): string[] {
  const keys = [...spec.sma.map((p) => `sma${p}`), ...spec.ema.map((p) => `ema${p}`)];
  if (spec.bollinger) {
    const b = `bb${spec.bollinger.period}`;
    keys.push(`${b}.upper`, `${b}.middle`, `${b}.lower`);
  }
  if (spec.rsi) keys.push(`rsi${spec.rsi}`);
  if (spec.vwap) keys.push('vwap');
  return keys;
}

/** What the indicators read of a candle (a chart's bars need not carry the rest). */
export type IndicatorCandle = Pick<Candle, 'symbol' | 'interval' | 'start' | 'close' | 'volume' | 'turnover'>;

/** The start of a candle's exchange session: its day candle's start (New York by default). */
export function sessionOfCandle(days = new ExchangeDays()): (candle: IndicatorCandle) => number {
  return (candle) => (candle.interval === '1d' ? candle.start : days.startOf(candle.symbol, candle.start));
}

/**
 * Every indicator of a spec over one series (one symbol, one interval), fed candle by candle as
 * they arrive: the same start again amends the open bar, a later start closes it and opens the next.
 */
export class CandleIndicators {
  private readonly sma: Array<[string, Sma]>;
  private readonly ema: Array<[string, Ema]>;
  private readonly bollinger: [string, Bollinger] | null;
  private readonly rsi: [string, Rsi] | null;
  private readonly vwap: SessionVwap | null;
  private readonly sessionOf: (candle: IndicatorCandle) => number;
  private lastStart = Number.NEGATIVE_INFINITY;

  constructor(spec: IndicatorSpec, sessionOf: (candle: IndicatorCandle) => number = sessionOfCandle()) {
    this.sma = spec.sma.map((p) => [`sma${p}`, new Sma(p)]);
    this.ema = spec.ema.map((p) => [`ema${p}`, new Ema(p)]);
    this.bollinger = spec.bollinger
      ? [`bb${spec.bollinger.period}`, new Bollinger(spec.bollinger.period, spec.bollinger.width)]
      : null;
    this.rsi = spec.rsi ? [`rsi${spec.rsi}`, new Rsi(spec.rsi)] : null;
    this.vwap = spec.vwap ? new SessionVwap() : null;
    this.sessionOf = sessionOf;
  }

  /** Start of the open bar, or -Infinity before the first candle. */
  get openStart(): number {
    return this.lastStart;
  }

  /**
   * Feeds the open candle (amended) or a newer one. Returns null for a candle older than the open
   * one: a late tick changed a closed bar, so the caller recomputes the series from its candles.
   */
  push(candle: IndicatorCandle): IndicatorPoint | null {
    if (candle.start < this.lastStart) return null;
    const amend = candle.start === this.lastStart;
    this.lastStart = candle.start;
    const close = candle.close;
    const values: Record<string, number | null> = {};
    for (const [key, sma] of this.sma) values[key] = amend ? sma.amend(close) : sma.update(close);
    for (const [key, ema] of this.ema) values[key] = amend ? ema.amend(close) : ema.update(close);
    if (this.bollinger) {
      const [key, bb] = this.bollinger;
      const bands = amend ? bb.amend(close) : bb.update(close);
      values[`${key}.upper`] = bands?.upper ?? null;
      values[`${key}.middle`] = bands?.middle ?? null;
      values[`${key}.lower`] = bands?.lower ?? null;
    }
    if (this.rsi) {
      const [key, rsi] = this.rsi;
      values[key] = amend ? rsi.amend(close) : rsi.update(close);
    }
    if (this.vwap) {
      const bar = { turnover: candle.turnover, volume: candle.volume, session: this.sessionOf(candle) };
      values.vwap = amend ? this.vwap.amend(bar) : this.vwap.update(bar);
    }
    return { start: candle.start, values };
  }
}

/** Indicator values at every candle of a series given oldest first (one pass, each candle closed by the next). */
export function computeIndicators(
  candles: readonly IndicatorCandle[],
  spec: IndicatorSpec,
  sessionOf: (candle: IndicatorCandle) => number = sessionOfCandle(),
): IndicatorPoint[] {
  const indicators = new CandleIndicators(spec, sessionOf);
  const points: IndicatorPoint[] = [];
  for (const candle of candles) {
    const point = indicators.push(candle);
    if (!point)
      throw new Error(`Candles must be in order of start: ${candle.start} came after ${indicators.openStart}`);
    points.push(point);
  }
  return points;
}
