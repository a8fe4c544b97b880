import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { findAnalysis } from '../../engine/analyses/market-analyses.ts';
import { CROSSOVER_FAST, CROSSOVER_SLOW } from '../../engine/analyses/indicator-analyses.ts';
import { AnalysisParamsSchema } from '../../engine/analyses/analysis.ts';
import type { Candle } from '../../engine/domain/candle.ts';
import { exportAnalysis } from '../../engine/export/export-analysis.ts';
import { AnomalyRepo } from '../../engine/store/anomaly-repo.ts';
import { openDatabase } from '../../engine/store/database.ts';
import {
  AnomalyDetector,
  DEFAULT_ANOMALY_OPTIONS,
  type StoredCandles,
  type AnomalyOptions,
} from '../../engine/stream/anomalies/anomaly-detector.ts';
import type { Anomaly } from '../../engine/domain/anomaly.ts';
import { sessionOfCandle } from '../../engine/stream/indicators/index.ts';

const MIN = 60_000;
// 10:00 New York on a Tuesday: far from midnight, so no session changes unless a test wants one.
const T0 = Date.parse('2024-03-05T15:00:00Z');
const OPTIONS: AnomalyOptions = { ...DEFAULT_ANOMALY_OPTIONS, window: 10 };

function candle(i: number, close: number, volume = 100, open = close, symbol = 'ACME', t0 = T0): Candle {
  return {
    symbol,
    interval: '1m',
    start: t0 + i * MIN,
    open,
    high: Math.max(open, close),
    low: Math.min(open, close),
    close,
    volume,
    turnover: close * volume,
    trades: 1,
    buyVolume: 0,
    sellVolume: 0,
    openTs: t0 + i * MIN,
    closeTs: t0 + i * MIN,
  };
}

/** A quiet market: closes wobbling by a tenth of a percent, steady volume. */
function quiet(n: number): Candle[] {
  return Array.from({ length: n }, (_, i) => candle(i, i % 2 ? 100.1 : 100, 100 + (i % 3)));
}

const detector = (history?: StoredCandles) => new AnomalyDetector(OPTIONS, sessionOfCandle(), 0, history);

/** A later trade of the same symbol, so that every candle before it is final. */
const later = (candles: readonly Candle[]) => {
  const last = candles.at(-1)!;
  return [
    ...candles,
    { ...last, start: last.start + 10 * MIN, openTs: last.start + 10 * MIN, closeTs: last.start + 10 * MIN },
  ];
};

describe('AnomalyDetector', () => {
  it('finds a return far outside the rolling window, with its evidence', () => {
    const series = [...quiet(12), candle(12, 103)];
    const found = detector().onCommitted(later(series));
    expect(found).toHaveLength(1);
    const a = found[0]!;
    expect(a).toMatchObject({
      kind: 'return-z',
      symbol: 'ACME',
      interval: '1m',
      start: T0 + 12 * MIN,
      threshold: 3,
      window: 10,
    });
    // The evidence recomputed by hand: the last 10 returns before the jump.
    const closes = series.map((c) => c.close);
    const returns = closes.slice(1).map((c, i) => c / closes[i]! - 1);
    const window = returns.slice(-11, -1);
    const mean = window.reduce((s, r) => s + r, 0) / window.length;
    const sd = Math.sqrt(window.reduce((s, r) => s + (r - mean) ** 2, 0) / (window.length - 1));
    expect(a.baseline).toBeCloseTo(mean, 12);
    expect(a.value).toBeCloseTo((returns.at(-1)! - mean) / sd, 9);
    expect(a.message).toMatch(/ACME moved \+2\.\d\d% in one 1m bar/);
  });

  it('finds a volume spike against the rolling average', () => {
    const series = [...quiet(12), candle(12, 100, 1_000)];
    const found = detector().onCommitted(later(series));
    expect(found.map((a) => a.kind)).toEqual(['volume-spike']);
    const average = series.slice(2, 12).reduce((s, c) => s + c.volume, 0) / 10;
    expect(found[0]).toMatchObject({ value: 1_000 / average, baseline: average, threshold: 3, window: 10 });
  });

  it('finds a gap between sessions (New York midnight), not within one', () => {
    const evening = Date.parse('2024-03-05T20:58:00Z'); // 15:58 New York
    const nextMorning = Date.parse('2024-03-06T14:30:00Z');
    const series = [candle(0, 100, 100, 100, 'ACME', evening), candle(1, 100.5, 100, 100.2, 'ACME', evening)];
    series.push(candle(0, 104, 100, 103, 'ACME', nextMorning));
    const found = detector().onCommitted(later(series));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ kind: 'gap', baseline: 100.5, threshold: 0.02, window: 1, start: nextMorning });
    expect(found[0]!.value).toBeCloseTo(103 / 100.5 - 1, 12);
  });

  it('judges a candle only once no accepted tick could change it, on its final values', () => {
    const at = (c: Candle, ts: number): Candle => ({ ...c, closeTs: ts });
    const run = (finalClose: number) => {
      // Ticks up to 30 s older than the symbol's newest may still be accepted.
      const d = new AnomalyDetector(OPTIONS, sessionOfCandle(), 30_000);
      const out = [d.onCommitted(quiet(12))];
      out.push(d.onCommitted([at(candle(12, 103), T0 + 12 * MIN + 40_000)]));
      out.push(d.onCommitted([at(candle(12, finalClose), T0 + 12 * MIN + 59_000)]));
      // Other symbols' trades make nothing of ACME final.
      out.push(d.onCommitted([candle(40, 50, 100, 50, 'OTHER')]));
      out.push(d.onCommitted([at(candle(13, finalClose), T0 + 13 * MIN + 29_999)]));
      out.push(d.onCommitted([at(candle(13, finalClose), T0 + 13 * MIN + 30_000)]));
      return out.map((found) => found.map((a) => a.kind));
    };
    // The open candle jumped, then calmed down before it was final: nothing to report.
    expect(run(100.05)).toEqual([[], [], [], [], [], []]);
    // It stayed up: reported once it is final, not before.
    expect(run(103)).toEqual([[], [], [], [], [], ['return-z']]);
  });

  const series = fc
    .array(
      fc.record({
        closes: fc.array(fc.integer({ min: 9_000, max: 11_000 }), { minLength: 1, maxLength: 3 }),
        volume: fc.integer({ min: 1, max: 2_000 }),
      }),
      { minLength: 2, maxLength: 60 },
    )
    .map((bars) => bars.map((b, i) => b.closes.map((c, v) => candle(i, c / 100, b.volume + v))));

  const key = (a: Anomaly) => `${a.symbol}|${a.start}|${a.kind}`;

  it('finds the same anomalies whatever the batch boundaries and amendments of open candles', () => {
    fc.assert(
      fc.property(series, fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1 }), (bars, cuts) => {
        const finals = bars.map((versions) => versions.at(-1)!);
        const expected = detector().onCommitted(finals);
        const versions = bars.flat();
        const d = detector();
        const found: Anomaly[] = [];
        for (let at = 0, k = 0; at < versions.length; k++) {
          const batch = versions.slice(at, at + cuts[k % cuts.length]!);
          at += batch.length;
          found.push(...d.onCommitted(batch));
        }
        expect(found).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });

  it('after a restart, reading back stored candles, finds what an uninterrupted run finds', () => {
    fc.assert(
      fc.property(series, fc.nat(), (bars, cut) => {
        const finals = bars.map((versions) => versions.at(-1)!);
        const expected = detector().onCommitted(finals).map(key);
        const split = 1 + (cut % (finals.length - 1));
        const before = detector().onCommitted(finals.slice(0, split));
        const stored = finals.slice(0, split);
        const history: StoredCandles = (_, before, count) => [
          ...stored.filter((c) => c.start < before).slice(-count),
          ...stored.filter((c) => c.start >= before),
        ];
        const after = detector(history).onCommitted(finals.slice(split));
        expect(new Set([...before, ...after].map(key))).toEqual(new Set(expected));
      }),
      { numRuns: 150 },
    );
  });
});

describe('anomalies in the store and as an analysis', () => {
  it('stores each anomaly once, and exports them', () => {
    const db = openDatabase(':memory:');
    const repo = new AnomalyRepo(db);
    const found = detector().onCommitted(later([...quiet(12), candle(12, 103, 1_000)]));
    expect(found.map((a) => a.kind).sort()).toEqual(['return-z', 'volume-spike']);
    expect(repo.record(found)).toHaveLength(2);
    expect(repo.record(found)).toEqual([]);
    expect(repo.recent(10)).toHaveLength(2);
    expect(repo.recent(10, 'OTHER')).toEqual([]);
    const rows = findAnalysis('anomalies').run(db, AnalysisParamsSchema.parse({ symbol: 'ACME' }));
    expect(rows.map((r) => r.kind)).toEqual(['return-z', 'volume-spike']);
    const { csv } = exportAnalysis(db, 'anomalies', AnalysisParamsSchema.parse({}));
    expect(csv.split('\r\n')[0]).toBe('symbol,interval,start,kind,value,threshold,baseline,window_bars,message');
    expect(csv).toContain('2024-03-05T15:12:00.000Z');
  });
});

describe('moving-average crossovers', () => {
  it('lists each candle where the fast SMA crosses the slow one, checked against plain averages', () => {
    const db = openDatabase(':memory:');
    // A slow wave: the averages cross a few times.
    const closes = Array.from({ length: 400 }, (_, i) => 100 + 10 * Math.sin(i / 25) + (i % 7) * 0.1);
    const insert = db.prepare(
      `INSERT INTO candles (symbol, interval, start, open, high, low, close, volume, turnover, trades, buy_volume, sell_volume, open_ts, close_ts)
       VALUES (@symbol, @interval, @start, @open, @high, @low, @close, @volume, @turnover, @trades, @buyVolume, @sellVolume, @openTs, @closeTs)`,
    );
    for (const [i, c] of closes.entries()) insert.run(candle(i, c));
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const expected: Array<{ start: number; direction: string }> = [];
    let side = 0;
    for (let i = CROSSOVER_SLOW - 1; i < closes.length; i++) {
      const fast = mean(closes.slice(i + 1 - CROSSOVER_FAST, i + 1));
      const slow = mean(closes.slice(i + 1 - CROSSOVER_SLOW, i + 1));
      const now = Math.sign(fast - slow);
      if (now === 0) continue;
      if (side !== 0 && now !== side)
        expected.push({ start: T0 + i * MIN, direction: now > 0 ? 'bullish' : 'bearish' });
      side = now;
    }
    expect(expected.length).toBeGreaterThan(2);
    const rows = findAnalysis('ma-crossovers').run(db, AnalysisParamsSchema.parse({ interval: '1m' }));
    expect(rows.map(({ start, direction }) => ({ start, direction }))).toEqual(expected);
  });
});
