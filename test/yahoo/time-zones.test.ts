import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExtendedCookieJar } from 'yahoo-finance2/lib/cookieJar';
import { ExchangeZones } from '../../engine/app/exchange-zones.ts';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import { INTERVALS } from '../../engine/domain/interval.ts';
import { backfillSymbol, type BackfillRange } from '../../engine/sources/yahoo/backfill.ts';
import { yahooClientFactory } from '../../engine/sources/yahoo/yahoo-client.ts';
import { BackfillCandles } from '../../engine/store/backfill-candles.ts';
import { CompanyRepo } from '../../engine/store/company-repo.ts';
import { openDatabase } from '../../engine/store/database.ts';
import { DayCandleZones } from '../../engine/store/day-candle-zones.ts';
import { MarketStore } from '../../engine/store/market-store.ts';
import { TickProcessor } from '../../engine/stream/tick-processor.ts';
import { createFixtureFetch } from '../support/yahoo-fixtures.ts';

/** The recorded daily chart() exchanges of listings outside New York, and the days they asked for. */
const RECORDED: Record<string, BackfillRange> = {
  'AZT.OL': { interval: '1d', from: Date.UTC(2020, 0, 1), to: Date.UTC(2020, 0, 3) },
  'BTC-USD': { interval: '1d', from: Date.UTC(2020, 0, 1), to: Date.UTC(2020, 0, 3) },
  'EURUSD=X': { interval: '1d', from: Date.UTC(2020, 0, 1), to: Date.UTC(2020, 0, 3) },
  'WSU.DE': { interval: '1d', from: Date.UTC(2023, 7, 4), to: Date.UTC(2023, 7, 9) },
};

function engineOn() {
  const fixtures = createFixtureFetch();
  const client = yahooClientFactory({ fetch: fixtures.fetch, timeoutMs: 1_000 })(new ExtendedCookieJar());
  const db = openDatabase(':memory:');
  const companies = new CompanyRepo(db);
  const zones = new ExchangeZones({ companies, dayZones: new DayCandleZones(db), chosen: () => undefined });
  const told = (symbol: string, timeZone: string) => {
    companies.setExchangeTimeZone(symbol, timeZone);
    zones.reconcile(symbol);
  };
  return { client, db, companies, zones, told, store: new MarketStore(db), fill: new BackfillCandles(db) };
}

describe('Recorded Yahoo answers of listings outside New York', () => {
  it.each([
    ['AZT.OL', 'Europe/Oslo', [Date.UTC(2020, 0, 1, 23)]],
    // The row of 3 January lies after the asked period: it is no bar of it.
    ['BTC-USD', 'UTC', [Date.UTC(2020, 0, 1), Date.UTC(2020, 0, 2)]],
    ['EURUSD=X', 'Europe/London', [Date.UTC(2020, 0, 1), Date.UTC(2020, 0, 2)]],
    ['WSU.DE', 'Europe/Berlin', [Date.UTC(2023, 7, 3, 22), Date.UTC(2023, 7, 6, 22), Date.UTC(2023, 7, 7, 22)]],
  ])('%s: backfilled daily bars start at midnight in %s, the zone its chart tells', async (symbol, zone, starts) => {
    const { client, db, companies, zones, told, store, fill } = engineOn();
    const result = await backfillSymbol(client, fill, symbol, {
      cutoff: Date.UTC(2024, 0, 1),
      intervals: INTERVALS,
      ranges: [RECORDED[symbol]!],
      days: zones.dayWindows(),
      onTimeZone: told,
    });
    expect(result.failed).toEqual([]);
    expect(companies.get(symbol)?.exchangeTimeZone).toBe(zone);
    const days = store.candles({ symbol, interval: '1d' });
    expect(days.map((d) => d.start)).toEqual(starts);
    for (const day of days) {
      const date = (ts: number) => new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(ts);
      expect(date(day.openTs)).toBe(date(day.start)); // the bar's own exchange date
    }
    db.close();
  });

  it('history leaves the day still open at the stitch to the live feed: BTC-USD’s 2 January, though New York’s 1 January ended', async () => {
    const { client, db, told, zones, store, fill } = engineOn();
    const stitch = Date.UTC(2020, 0, 2, 6);
    await backfillSymbol(client, fill, 'BTC-USD', {
      cutoff: stitch,
      intervals: INTERVALS,
      ranges: [RECORDED['BTC-USD']!],
      days: zones.dayWindows(),
      onTimeZone: told,
    });
    expect(store.candles({ symbol: 'BTC-USD', interval: '1d' }).map((d) => d.start)).toEqual([Date.UTC(2020, 0, 1)]);
    // The live feed's first tick opens the UTC day of 2 January: one window, not a second copy.
    const processor = new TickProcessor(store, {
      groupId: 'local',
      intervals: INTERVALS,
      outOfOrdernessMs: 0,
      allowedLatenessMs: 0,
      days: zones.dayWindows(),
    });
    const tick = { symbol: 'BTC-USD', ts: stitch + 20_000, price: 7_000, volume: 1, source: 'yahoo' as const };
    await processor.onBatch({ topic: 't', partition: 0, records: [{ offset: 0, key: tick.symbol, value: tick }] });
    const days = store.candles({ symbol: 'BTC-USD', interval: '1d' });
    expect(days.map((d) => d.start)).toEqual([Date.UTC(2020, 0, 1), Date.UTC(2020, 0, 2)]);
    expect(days[1]).toMatchObject({ open: 7_000, volume: 1, trades: 1 });
    db.close();
  });
});

let app: MarketMonitor | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
  vi.useRealTimers();
});

describe('Live recorded quotes of listings outside New York', () => {
  it.each([
    // Quoted on Monday 2025-02-17; now is a few seconds after the quote, plus the exchange's delay.
    ['AZT.OL', 'Europe/Oslo', Date.UTC(2025, 1, 16, 23), Date.UTC(2025, 1, 17, 10, 53, 20)],
    ['LDO.MI', 'Europe/Rome', Date.UTC(2025, 1, 16, 23), Date.UTC(2025, 1, 17, 10, 54, 55)],
    ['BTC-USD', 'UTC', Date.UTC(2025, 1, 17), Date.UTC(2025, 1, 17, 10, 53, 20)],
    ['EURUSD=X', 'Europe/London', Date.UTC(2025, 1, 17), Date.UTC(2025, 1, 17, 10, 54, 50)],
  ])(
    '%s: the first tick opens the day at midnight in %s, and the zone is kept with the profile',
    async (symbol, zone, dayStart, now) => {
      vi.setSystemTime(now);
      const fixtures = createFixtureFetch();
      app = await MarketMonitor.open({
        dbPath: ':memory:',
        overrides: { source: { kind: 'yahoo' } },
        starterSymbols: [symbol],
        yahooClient: yahooClientFactory({ fetch: fixtures.fetch, timeoutMs: 500 }),
        statusEveryMs: 60_000,
      });
      await app.yahooSource!.firstPoll;
      await app.drain();
      expect(app.store.candles({ symbol, interval: '1d' }).map((d) => d.start)).toEqual([dayStart]);
      expect(app.companies.get(symbol)?.exchangeTimeZone).toBe(zone);
    },
  );
});
