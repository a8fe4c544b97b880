import { describe, expect, it } from 'vitest';
import { ExtendedCookieJar } from 'yahoo-finance2/lib/cookieJar';
import { ExchangeDays } from '../../engine/domain/exchange-day.ts';
import { INTERVALS } from '../../engine/domain/interval.ts';
import {
  backfillSymbol,
  barsFromChart,
  barsToCandles,
  planBackfill,
  type BackfillProgress,
  type BackfillRange,
} from '../../engine/sources/yahoo/backfill.ts';
import type { Bar } from '../../engine/sources/replay/bars-to-ticks.ts';
import { yahooClientFactory } from '../../engine/sources/yahoo/yahoo-client.ts';
import { BackfillCandles } from '../../engine/store/backfill-candles.ts';
import { openDatabase } from '../../engine/store/database.ts';
import { MarketStore } from '../../engine/store/market-store.ts';
import { createFixtureFetch } from '../support/yahoo-fixtures.ts';

/** The recorded chart() exchanges: 49 daily AAPL bars, and a one-minute day with no trading (a Saturday). */
const DAILY: BackfillRange = { interval: '1d', from: Date.UTC(2020, 7, 31), to: Date.UTC(2020, 10, 7) };
const MINUTES: BackfillRange = { interval: '1m', from: Date.UTC(2025, 1, 1), to: Date.UTC(2025, 1, 2) };
const LATER = Date.UTC(2025, 5, 1);

function setup() {
  const fixtures = createFixtureFetch();
  const client = yahooClientFactory({ fetch: fixtures.fetch, timeoutMs: 1_000 })(new ExtendedCookieJar());
  const db = openDatabase(':memory:');
  return { fixtures, client, db, fill: new BackfillCandles(db), store: new MarketStore(db) };
}

describe('History backfill from chart()', () => {
  it('stores the recorded daily bars as daily candles on the exchange day, marked as having no ticks', async () => {
    const { client, db, fill, store } = setup();
    const progress: BackfillProgress[] = [];
    const result = await backfillSymbol(client, fill, 'AAPL', {
      cutoff: LATER,
      intervals: INTERVALS,
      ranges: [MINUTES, DAILY],
      onProgress: (p) => progress.push(p),
    });
    expect(result).toEqual({ candles: 49, gapFrom: undefined, failed: [] });
    expect(progress).toEqual([
      { symbol: 'AAPL', done: 1, total: 2, candles: 0 },
      { symbol: 'AAPL', done: 2, total: 2, candles: 49 },
    ]);
    const days = store.candles({ symbol: 'AAPL', interval: '1d' });
    expect(days).toHaveLength(49);
    // The first recorded bar: 2020-08-31, opening at 13:30 UTC (9:30 in New York).
    expect(days[0]).toMatchObject({
      start: Date.UTC(2020, 7, 31, 4), // New York midnight (EDT)
      openTs: Date.UTC(2020, 7, 31, 13, 30),
      trades: 0,
    });
    expect(days[0]!.open).toBeCloseTo(127.58, 2);
    expect(days[0]!.volume).toBeGreaterThan(0);
    // Nothing from daily bars at finer intervals.
    expect(store.candles({ symbol: 'AAPL', interval: '1m' })).toEqual([]);
    db.close();
  });

  it('builds only windows that end by the cutoff, and never overwrites a candle the engine built', async () => {
    const { client, db, fill, store } = setup();
    const engineDay = Date.UTC(2020, 8, 1, 4);
    db.prepare(
      `INSERT INTO candles (symbol, interval, start, open, high, low, close, volume, turnover, trades,
         buy_volume, sell_volume, open_ts, close_ts) VALUES ('AAPL', '1d', ?, 1, 1, 1, 1, 5, 5, 1, 0, 0, ?, ?)`,
    ).run(engineDay, engineDay + 1, engineDay + 1);
    const cutoff = Date.UTC(2020, 9, 1, 4); // New York midnight opening 2020-10-01
    await backfillSymbol(client, fill, 'AAPL', { cutoff, intervals: INTERVALS, ranges: [DAILY] });
    const days = store.candles({ symbol: 'AAPL', interval: '1d' });
    expect(days.at(-1)!.start).toBe(Date.UTC(2020, 8, 30, 4));
    expect(days.every((d) => d.start + 86_400_000 <= cutoff + 3_600_000)).toBe(true);
    expect(days.find((d) => d.start === engineDay)).toMatchObject({ open: 1, volume: 5, trades: 1 });
    db.close();
  });

  it('a failing range is reported and the others still fill', async () => {
    const { fixtures, client, db, fill } = setup();
    fixtures.inject('interval=1m', { kind: 'status', status: 500 });
    const result = await backfillSymbol(client, fill, 'AAPL', {
      cutoff: LATER,
      intervals: INTERVALS,
      ranges: [MINUTES, DAILY],
    });
    expect(result.candles).toBe(49);
    expect(result.failed).toEqual([{ range: MINUTES, error: expect.stringContaining('HTTP 500') }]);
    db.close();
  });

  it('rolls one-minute bars up into the intervals they divide, stopping at the cutoff', () => {
    const t0 = Date.UTC(2025, 1, 3, 14, 30);
    const bars: Bar[] = Array.from({ length: 90 }, (_, i) => ({
      start: t0 + i * 60_000,
      open: 100 + i,
      high: 101 + i,
      low: 99 + i,
      close: 100.5 + i,
      volume: 10,
    }));
    const cutoff = t0 + 60 * 60_000; // 15:30: the 15:00-16:00 hour is the live feed's
    const candles = barsToCandles('AAPL', bars, '1m', INTERVALS, cutoff, new ExchangeDays());
    const of = (interval: string) => candles.filter((c) => c.interval === interval);
    expect(of('1s')).toEqual([]);
    expect(of('1d')).toEqual([]);
    expect(of('1m')).toHaveLength(60);
    expect(of('5m')).toHaveLength(12);
    expect(of('15m')).toHaveLength(4);
    // 14:00-15:00 holds the session's first half hour; 15:00-16:00 ends after the cutoff.
    expect(of('1h')).toEqual([expect.objectContaining({ start: Date.UTC(2025, 1, 3, 14), volume: 300, close: 129.5 })]);
    expect(of('5m')[0]).toMatchObject({
      start: t0,
      open: 100,
      high: 105,
      low: 99,
      close: 104.5,
      volume: 50,
      trades: 0,
    });
    expect(Math.max(...candles.map((c) => c.start + 60_000))).toBeLessThanOrEqual(cutoff);
  });

  it('takes no row outside the asked period: not the zero-volume row Yahoo adds after the close', () => {
    const from = Date.UTC(2025, 1, 3, 14, 30);
    const to = Date.UTC(2025, 1, 3, 21);
    const row = (ts: number, volume: number) => ({ date: new Date(ts), open: 1, high: 1, low: 1, close: 1, volume });
    const result = {
      quotes: [row(from - 60_000, 5), row(from, 10), row(to - 60_000, 20), row(to, 0), row(to + 3_600_000, 0)],
    };
    expect(barsFromChart(result, { from, to }).map((b) => [b.start, b.volume])).toEqual([
      [from, 10],
      [to - 60_000, 20],
    ]);
  });

  it('plans minutes for a week, five minutes for two months, days for years, edges on whole hours', () => {
    const cutoff = Date.UTC(2025, 1, 14, 20, 17);
    const plan = planBackfill(cutoff);
    expect(plan.map((r) => r.interval)).toEqual(['1m', '5m', '1d']);
    expect(plan[0]).toEqual({ interval: '1m', from: Date.UTC(2025, 1, 7, 20), to: cutoff });
    expect(plan[1]!.to).toBe(plan[0]!.from);
    expect(plan[1]!.from % 3_600_000).toBe(0);
    expect(plan[2]!.to).toBe(cutoff);
  });
});
