import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
// The oracle: an independent, widely used implementation, a devDependency only.
import { BollingerBands, EMA, RSI, SMA, VWAP } from 'trading-signals';
import type { Candle } from '../../engine/domain/candle.ts';
import {
  Bollinger,
  CandleIndicators,
  computeIndicators,
  Ema,
  indicatorKeys,
  IndicatorSpecSchema,
  Rsi,
  SessionVwap,
  Sma,
} from '../../engine/stream/indicators/index.ts';

/** Prices in cents with runs of equal closes, so flat stretches (no gains, no losses) happen too. */
const price = fc.oneof(
  fc.integer({ min: 100, max: 100_000 }).map((c) => c / 100),
  fc.constant(50),
);

/** One bar: the closes it took while open, the last one final. */
const bar = fc.array(price, { minLength: 1, maxLength: 5 });
const bars = fc.array(bar, { minLength: 1, maxLength: 80 });
const period = fc.integer({ min: 2, max: 30 });

function close(actual: number | null, expected: number | null | undefined): void {
  if (expected === null || expected === undefined) {
    expect(actual).toBeNull();
    return;
  }
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
}

/** Feeds each bar's closes as update + amendments; the oracle sees only each bar's final close. */
function check<T>(
  series: number[][],
  ours: { update(x: number): T; amend(x: number): T },
  oracle: (final: number) => void,
  compare: (value: T) => void,
): void {
  for (const closes of series) {
    let value = ours.update(closes[0]!);
    for (const c of closes.slice(1)) value = ours.amend(c);
    oracle(closes.at(-1)!);
    compare(value);
  }
}

const RUNS = { numRuns: 200 };

describe('indicators against trading-signals', () => {
  it('SMA', () => {
    fc.assert(
      fc.property(bars, period, (series, p) => {
        const oracle = new SMA(p);
        check(
          series,
          new Sma(p),
          (x) => oracle.add(x),
          (v) => close(v, oracle.getResult()),
        );
      }),
      RUNS,
    );
  });

  it('EMA (seeded with the first close, reported from the period-th bar)', () => {
    fc.assert(
      fc.property(bars, period, (series, p) => {
        const oracle = new EMA(p);
        check(
          series,
          new Ema(p),
          (x) => oracle.add(x),
          (v) => close(v, oracle.isStable ? oracle.getResult() : null),
        );
      }),
      RUNS,
    );
  });

  it('RSI with Wilder smoothing', () => {
    fc.assert(
      fc.property(bars, period, (series, p) => {
        const oracle = new RSI(p);
        check(
          series,
          new Rsi(p),
          (x) => oracle.add(x),
          (v) => close(v, oracle.getResult()),
        );
      }),
      RUNS,
    );
  });

  it('Bollinger bands (population deviation)', () => {
    fc.assert(
      fc.property(bars, period, fc.constantFrom(1, 2, 2.5), (series, p, width) => {
        const oracle = new BollingerBands(p, width);
        check(
          series,
          new Bollinger(p, width),
          (x) => oracle.add(x),
          (v) => {
            const o = oracle.getResult();
            close(v?.upper ?? null, o?.upper);
            close(v?.middle ?? null, o?.middle);
            close(v?.lower ?? null, o?.lower);
          },
        );
      }),
      RUNS,
    );
  });

  it('session VWAP, restarting each session', () => {
    const vwapBar = fc.record({
      price: fc.integer({ min: 100, max: 100_000 }).map((c) => c / 100),
      volume: fc.integer({ min: 1, max: 10_000 }),
    });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.array(vwapBar, { minLength: 1, maxLength: 4 }), fc.boolean()), {
          minLength: 1,
          maxLength: 60,
        }),
        (series) => {
          const ours = new SessionVwap();
          let oracle = new VWAP();
          let session = 0;
          for (const [versions, newSession] of series) {
            if (newSession) {
              session++;
              oracle = new VWAP();
            }
            const asBar = (b: { price: number; volume: number }) => ({
              turnover: b.price * b.volume,
              volume: b.volume,
              session,
            });
            let value = ours.update(asBar(versions[0]!));
            for (const v of versions.slice(1)) value = ours.amend(asBar(v));
            const final = versions.at(-1)!;
            // The oracle weighs a typical price (h+l+c)/3: give it the bar's own average price for all three.
            oracle.add({
              high: final.price,
              low: final.price,
              close: final.price,
              volume: final.volume,
            });
            close(value, oracle.getResult());
          }
        },
      ),
      RUNS,
    );
  });
});

function candle(start: number, closePrice: number, volume = 10): Candle {
  return {
    symbol: 'TEST',
    interval: '1m',
    start,
    open: closePrice,
    high: closePrice,
    low: closePrice,
    close: closePrice,
    volume,
    turnover: closePrice * volume,
    trades: 1,
    buyVolume: 0,
    sellVolume: 0,
    openTs: start,
    closeTs: start,
  };
}

describe('CandleIndicators', () => {
  const spec = IndicatorSpecSchema.parse({ sma: [3, 5], ema: [4], bollinger: { period: 5 }, rsi: 3 });
  const session = () => 0;

  it('streamed with many amendments of the open candle, equals one pass over the final candles', () => {
    fc.assert(
      fc.property(bars, (series) => {
        const live = new CandleIndicators(spec, session);
        let last = null;
        const finals: Candle[] = [];
        series.forEach((closes, i) => {
          for (const c of closes) last = live.push(candle(i * 60_000, c));
          finals.push(candle(i * 60_000, closes.at(-1)!));
        });
        const batch = computeIndicators(finals, spec, session).at(-1)!;
        for (const key of indicatorKeys(spec)) close(last!.values[key] ?? null, batch.values[key]);
      }),
      RUNS,
    );
  });

  it('names its series and refuses a candle older than the open one', () => {
    expect(indicatorKeys(spec)).toEqual([
      'sma3',
      'sma5',
      'ema4',
      'bb5.upper',
      'bb5.middle',
      'bb5.lower',
      'rsi3',
      'vwap',
    ]);
    const live = new CandleIndicators(spec, session);
    live.push(candle(60_000, 10));
    expect(live.push(candle(0, 11))).toBeNull();
  });

  it('restarts VWAP at each exchange session (New York midnight)', () => {
    // 2024-03-05 15:59 and 2024-03-06 09:30 New York time.
    const day1 = Date.parse('2024-03-05T20:59:00Z');
    const day2 = Date.parse('2024-03-06T14:30:00Z');
    const points = computeIndicators(
      [candle(day1, 100, 10), candle(day1 + 60_000, 110, 30), candle(day2, 90, 5)],
      spec,
    );
    expect(points.map((p) => p.values.vwap)).toEqual([100, 107.5, 90]);
  });
});
