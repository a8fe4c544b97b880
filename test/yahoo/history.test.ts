import { afterEach, describe, expect, it } from 'vitest';
import { INTERVALS } from '../../engine/domain/interval.ts';
import type { BackfillRange } from '../../engine/sources/yahoo/backfill.ts';
import { PROFILE_MAX_AGE_MS } from '../../engine/sources/yahoo/company-profile.ts';
import { YahooHistory } from '../../engine/sources/yahoo/yahoo-history.ts';
import { BackfillCandles } from '../../engine/store/backfill-candles.ts';
import { CompanyRepo } from '../../engine/store/company-repo.ts';
import { openDatabase, type SqliteDatabase } from '../../engine/store/database.ts';
import { MarketStore } from '../../engine/store/market-store.ts';
import { startOn, yahooHarness, type Harness } from './helpers.ts';
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

function history(harness: Harness, now: { value: number }, activity: string[]) {
  db = openDatabase(':memory:');
  const companies = new CompanyRepo(db);
  const stored: string[] = [];
  const yh = new YahooHistory({
    client: () => harness.source.client,
    liveSince: (s) => harness.source.liveSince(s),
    companies,
    candles: new BackfillCandles(db),
    intervals: INTERVALS,
    now: () => now.value,
    ranges: () => [DAILY],
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
      liveSince: (s) => h!.source.liveSince(s),
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
});
