import { afterEach, describe, expect, it } from 'vitest';
import { INTERVALS } from '../../engine/domain/interval.ts';
import type { BackfillRange } from '../../engine/sources/yahoo/backfill.ts';
import { PROFILE_MAX_AGE_MS } from '../../engine/sources/yahoo/company-profile.ts';
import { YahooHistory } from '../../engine/sources/yahoo/yahoo-history.ts';
import { BackfillCandles } from '../../engine/store/backfill-candles.ts';
import { CompanyRepo } from '../../engine/store/company-repo.ts';
import { openDatabase, type SqliteDatabase } from '../../engine/store/database.ts';
import { MarketStore } from '../../engine/store/market-store.ts';
import { createFixtureFetch } from '../support/yahoo-fixtures.ts';
import type { Bar } from '../../engine/sources/replay/bars-to-ticks.ts';
import { minuteChart, startOn, yahooHarness, type Harness } from './helpers.ts';
import { until } from '../unit/helpers.ts';

/** The recorded daily AAPL bars run to 2020-11-06; the feed starts watching during that day. */
const START = Date.UTC(2020, 10, 6, 15, 0, 20);
const DAILY: BackfillRange = { interval: '1d', from: Date.UTC(2020, 7, 31), to: Date.UTC(2020, 10, 7) };

let h: Harness | undefined;
let db: SqliteDatabase | undefined;
afterEach(async () => {
  await h?.source.stop();
  db?.close();
  h = undefined;
  db = undefined;
});

function history(
  harness: Harness,
  now: { value: number },
  activity: string[],
  ranges: (cutoff: number) => BackfillRange[] = () => [DAILY],
) {
  db = openDatabase(':memory:');
  const companies = new CompanyRepo(db);
  const stored: string[] = [];
  const yh = new YahooHistory({
    client: () => harness.source.client,
    stitchOf: (s) => harness.source.stitchOf(s),
    companies,
    candles: new BackfillCandles(db),
    intervals: INTERVALS,
    now: () => now.value,
    ranges,
    onStored: (symbol, what) => stored.push(`${what} ${symbol}`),
    onActivity: (a) => activity.push(a ?? 'idle'),
  });
  return { yh, companies, store: new MarketStore(db), stored };
}

describe('Yahoo profiles and history for watched symbols', () => {
  it('backfills up to the stitch point and the live feed goes on from it: no gap, no overlap', async () => {
    h = yahooHarness({ now: START });
    const activity: string[] = [];
    const { yh, store, stored, companies } = history(h, { value: START }, activity);
    await startOn(h, ['AAPL']);
    yh.watch(['AAPL']);
    await yh.idle();
    expect(stored).toEqual(['profile AAPL', 'history AAPL']);
    expect(companies.get('AAPL')?.industry).toBe('Consumer Electronics');
    expect(activity).toEqual(['Company info for AAPL', 'Backfilling AAPL: 1 of 1 ranges', 'idle']);

    const stitch = h.source.liveSince('AAPL')!;
    expect(stitch).toBe(Date.UTC(2020, 10, 6, 15, 0));
    const days = store.candles({ symbol: 'AAPL', interval: '1d' });
    // The last whole exchange day before the stitch point is 2020-11-05; the 6th is the live feed's.
    expect(days.at(-1)!.start).toBe(Date.UTC(2020, 10, 5, 5));
    expect(days.at(-1)!.start + 86_400_000).toBeLessThanOrEqual(stitch);
    const ticks = h.emitted.flat();
    expect(ticks.length).toBeGreaterThan(0);
    expect(Math.min(...ticks.map((t) => t.ts))).toBeGreaterThanOrEqual(stitch);
  });

  it('handles each symbol once per run, and refreshes profiles older than a day', async () => {
    h = yahooHarness({ now: START });
    const now = { value: START };
    const { yh, companies } = history(h, now, []);
    await startOn(h, ['AAPL']);
    yh.watch(['AAPL']);
    yh.watch(['AAPL']);
    await yh.idle();
    const requests = () => h!.fixtures.log.filter((k) => k.includes('quoteSummary/AAPL')).length;
    expect(requests()).toBe(1);
    yh.refreshProfiles();
    await yh.idle();
    expect(requests()).toBe(1);
    now.value = START + PROFILE_MAX_AGE_MS;
    yh.refreshProfiles();
    await yh.idle();
    expect(requests()).toBe(2);
    expect(companies.get('AAPL')?.updatedAt).toBe(START + PROFILE_MAX_AGE_MS);
    await yh.stop();
  });

  it('stop() does not wait for the rest of a backfill: no range is asked for after it', async () => {
    h = yahooHarness({ now: START, timeoutMs: 300 });
    db = openDatabase(':memory:');
    const yh = new YahooHistory({
      client: () => h!.source.client,
      stitchOf: (s) => h!.source.stitchOf(s),
      companies: new CompanyRepo(db),
      candles: new BackfillCandles(db),
      intervals: INTERVALS,
      now: () => START,
      ranges: () => [DAILY, DAILY, DAILY],
    });
    await startOn(h, ['AAPL']);
    h.fixtures.always('/v8/finance/chart', { kind: 'timeout' }); // a dead connection: each range waits for its timeout
    const charts = () => h!.fixtures.log.filter((k) => k.includes('/v8/finance/chart')).length;
    yh.watch(['AAPL']);
    await until(() => charts() === 1, 'the first range asked for', 2_000);
    await yh.stop();
    expect(charts()).toBe(1);
  });

  it('says in the status line when a profile or a history range could not be fetched', async () => {
    h = yahooHarness({ now: START });
    const activity: string[] = [];
    const { yh } = history(h, { value: START }, activity);
    await startOn(h, ['AAPL']);
    h.fixtures.inject('/v8/finance/chart', { kind: 'status', status: 500 });
    yh.watch(['AAPL']);
    await yh.idle();
    expect(yh.failures).toEqual([expect.stringMatching(/^history AAPL 1d: .*HTTP 500/)]);
    expect(activity.at(-1)).toMatch(/^History of AAPL incomplete: .*HTTP 500/);
  });

  it('shows its work in the source status line', async () => {
    h = yahooHarness({ now: START });
    await startOn(h, ['AAPL']);
    h.source.setActivity('Backfilling AAPL: 1 of 3 ranges');
    expect(h.source.status().message).toBe('Market closed: 1 symbol every 60 s · Backfilling AAPL: 1 of 3 ranges');
  });

  it('a delayed exchange: live quotes begin where its delayed history ends, with no gap between them', async () => {
    // The recorded AZT.OL quote (Oslo, delayed 15 min by the exchange) of 10:38:10 UTC, as it was
    // seen at 10:53:30; Yahoo's one-minute history then ran to 10:37.
    const seenAt = Date.UTC(2025, 1, 17, 10, 53, 30);
    const quoteTime = Date.UTC(2025, 1, 17, 10, 38, 10);
    const sessionOpen = Date.UTC(2025, 1, 17, 8);
    const bars: Bar[] = Array.from({ length: (Date.UTC(2025, 1, 17, 10, 38) - sessionOpen) / 60_000 }, (_, i) => ({
      start: sessionOpen + i * 60_000,
      ...{ open: 19.5, high: 19.6, low: 19.4, close: 19.55, volume: 1_000 },
    }));
    const fixtures = createFixtureFetch();
    const chart = minuteChart(fixtures, bars);
    h = yahooHarness({ now: seenAt, fixtures: { ...fixtures, fetch: chart.fetch } });
    const minutesToStitch = (cutoff: number): BackfillRange[] => [{ interval: '1m', from: sessionOpen, to: cutoff }];
    const { yh, store } = history(h, { value: seenAt }, [], minutesToStitch);
    h.source.setSymbols(['AZT.OL']);
    yh.watch(['AZT.OL']); // before the first quote: the backfill waits for it to learn the delay
    await startOn(h, ['AZT.OL']);
    await yh.idle();

    const stitch = Date.UTC(2025, 1, 17, 10, 38);
    expect(h.source.liveSince('AZT.OL')).toBe(stitch);
    expect(chart.asked).toEqual([{ interval: '1m', from: sessionOpen, to: stitch }]);
    const minutes = store.candles({ symbol: 'AZT.OL', interval: '1m', limit: 10_000 });
    expect(minutes).toHaveLength(bars.length);
    expect(minutes.at(-1)!.start + 60_000).toBe(stitch);
    const first = { symbol: 'AZT.OL', ts: quoteTime, price: 19.54, volume: 0, source: 'yahoo' };
    expect(h.emitted.flat()).toEqual([first]);
  });
});
