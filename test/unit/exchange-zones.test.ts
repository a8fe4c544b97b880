import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import { dispatch } from '../../engine/api/dispatch.ts';
import { createHandlers } from '../../engine/app/handlers.ts';
import type { Candle } from '../../engine/domain/candle.ts';
import type { ReplaySource } from '../../engine/sources/replay/replay-source.ts';
import { yahooClientFactory } from '../../engine/sources/yahoo/yahoo-client.ts';
import { MIGRATIONS } from '../../engine/store/migrations.ts';
import { editQuote } from '../yahoo/helpers.ts';
import { createFixtureFetch } from '../support/yahoo-fixtures.ts';
import { tempDir } from './helpers.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;

/** Three days of trades every 37 minutes from Thursday 2026-03-26, across London's DST change on the 29th. */
const TICKS = Array.from({ length: (5 * 24 * 60) / 37 }, (_, i) => ({
  ts: Date.UTC(2026, 2, 26) + i * 37 * MINUTE,
  price: 100 + (i % 16) / 4,
  volume: 1 + (i % 8) / 2,
}));

function localDate(ts: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone }).format(ts);
}

/** What the day candles of the ticks must be when days end at midnight of `timeZone`. */
function expectedDays(timeZone: string) {
  const days = new Map<string, { open: number; close: number; volume: number; trades: number; firstTs: number }>();
  for (const t of TICKS) {
    const date = localDate(t.ts, timeZone);
    const day = days.get(date);
    if (!day) days.set(date, { open: t.price, close: t.price, volume: t.volume, trades: 1, firstTs: t.ts });
    else {
      day.close = t.price;
      day.volume += t.volume;
      day.trades += 1;
    }
  }
  return [...days].map(([date, d]) => ({ date, open: d.open, close: d.close, volume: d.volume, trades: d.trades }));
}

function summary(days: readonly Candle[], timeZone: string) {
  return days.map((d) => {
    // Each candle starts at a local midnight: the minute before is another date.
    expect(localDate(d.start - 1, timeZone)).not.toBe(localDate(d.start, timeZone));
    return { date: localDate(d.start, timeZone), open: d.open, close: d.close, volume: d.volume, trades: d.trades };
  });
}

let app: MarketMonitor | undefined;
const cleanups: Array<() => void> = [];
afterEach(async () => {
  await app?.close();
  app = undefined;
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function tickFile(dir: string, symbol: string): string {
  const file = path.join(dir, `${symbol}.csv`);
  const rows = TICKS.map((t) => `${symbol},${new Date(t.ts).toISOString()},${t.price},${t.volume}`);
  fs.writeFileSync(file, ['symbol,timestamp,price,volume', ...rows].join('\n'));
  return file;
}

async function replay(dbPath: string, file: string, timeZone?: string): Promise<MarketMonitor> {
  const opened = await MarketMonitor.open({
    dbPath,
    overrides: { source: { kind: 'replay', replay: { file, ...(timeZone ? { timeZone } : {}) } } },
    statusEveryMs: 60_000,
  });
  await (opened.currentSource as ReplaySource).done;
  await opened.drain();
  return opened;
}

/** A monitor on the database with nothing to watch: only what it does at start happens. */
async function reopen(dbPath: string, timeZones: Record<string, string>, notices: string[]): Promise<MarketMonitor> {
  const opened = await MarketMonitor.open({ dbPath, overrides: { stream: { timeZones } }, statusEveryMs: 60_000 });
  opened.events.subscribe((event, payload) => {
    if (event === 'notice') notices.push((payload as { message: string }).message);
  });
  await new Promise((resolve) => setTimeout(resolve, 0));
  return opened;
}

describe('Each symbol’s day candles follow its exchange time zone', () => {
  it('a replayed symbol’s suffix gives its zone: VOD.L days start at London midnight, through the DST change', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    app = await replay(path.join(dir, 'm.db'), tickFile(dir, 'VOD.L'));
    const days = app.store.candles({ symbol: 'VOD.L', interval: '1d', limit: 100 });
    expect(summary(days, 'Europe/London')).toEqual(expectedDays('Europe/London'));
    // The day after the change lasts 24 hours from a midnight at 23:00 UTC.
    expect(days.map((d) => d.start)).toContain(Date.UTC(2026, 2, 29, 23));
    // The contract tells the zone, so the chart and the Analyses table show each day's own date.
    const handlers = createHandlers(app);
    const history = await dispatch(handlers, 'candles.history', { symbol: 'VOD.L', interval: '1d' });
    expect(history).toMatchObject({ ok: true, output: { timeZone: 'Europe/London' } });
    const table = await dispatch(handlers, 'analyses.run', { name: 'daily-volume', params: {} });
    expect(table).toMatchObject({ ok: true, output: { timeZones: { 'VOD.L': 'Europe/London' } } });
  });

  it('replay --timezone names the zone of the file’s symbols', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    app = await replay(path.join(dir, 'm.db'), tickFile(dir, 'BBCA'), 'Asia/Jakarta');
    const days = app.store.candles({ symbol: 'BBCA', interval: '1d', limit: 100 });
    expect(days[0]!.start).toBe(Date.UTC(2026, 2, 25, 17)); // midnight of the 26th in Jakarta
    expect(summary(days, 'Asia/Jakarta')).toEqual(expectedDays('Asia/Jakarta'));
  });

  it('a zone chosen after the candles were stored cuts them again from the minutes, once', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const dbPath = path.join(dir, 'm.db');
    app = await replay(dbPath, tickFile(dir, 'ACME'));
    // No suffix, no feed: New York.
    expect(summary(app.store.candles({ symbol: 'ACME', interval: '1d', limit: 100 }), 'America/New_York')).toEqual(
      expectedDays('America/New_York'),
    );
    const hours = app.store.candles({ symbol: 'ACME', interval: '1h', limit: 1_000 });
    await app.close();

    const notices: string[] = [];
    app = await reopen(dbPath, { acme: 'Asia/Tokyo' }, notices);
    const tokyo = app.store.candles({ symbol: 'ACME', interval: '1d', limit: 100 });
    expect(summary(tokyo, 'Asia/Tokyo')).toEqual(expectedDays('Asia/Tokyo'));
    expect(notices).toEqual(['Daily candles of ACME now start at midnight Asia/Tokyo']);
    // Only the day candles change.
    expect(app.store.candles({ symbol: 'ACME', interval: '1h', limit: 1_000 })).toEqual(hours);
    await app.close();

    const again: string[] = [];
    app = await reopen(dbPath, { ACME: 'Asia/Tokyo' }, again);
    expect(app.store.candles({ symbol: 'ACME', interval: '1d', limit: 100 })).toEqual(tokyo);
    expect(again).toEqual([]);
  });

  it('a replay of more ticks after the change goes on in the new zone, counting nothing twice', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const dbPath = path.join(dir, 'm.db');
    const file = tickFile(dir, 'ACME');
    app = await replay(dbPath, file);
    await app.close();
    app = await reopen(dbPath, { ACME: 'Australia/Sydney' }, []);
    await app.close();
    // The same file again: every tick is late or a duplicate, nothing amends the days twice.
    const later = path.join(dir, 'later.csv');
    const next = TICKS.at(-1)!.ts + HOUR;
    fs.writeFileSync(later, `symbol,timestamp,price,volume\nACME,${new Date(next).toISOString()},50,2\n`);
    const opened = await MarketMonitor.open({
      dbPath,
      overrides: {
        source: { kind: 'replay', replay: { file: later } },
        stream: { timeZones: { ACME: 'Australia/Sydney' } },
      },
      statusEveryMs: 60_000,
    });
    app = opened;
    await (opened.currentSource as ReplaySource).done;
    await opened.drain();
    const days = opened.store.candles({ symbol: 'ACME', interval: '1d', limit: 100 });
    const total = days.reduce((sum, d) => sum + d.volume, 0);
    expect(total).toBe(TICKS.reduce((sum, t) => sum + t.volume, 0) + 2);
    const last = days.at(-1)!;
    expect(last.close).toBe(50);
    expect(localDate(last.start - 1, 'Australia/Sydney')).not.toBe(localDate(last.start, 'Australia/Sydney'));
  });

  it('a database from before zones (every day cut in New York) has its day candles cut again at the first start', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const dbPath = path.join(dir, 'm.db');
    app = await replay(dbPath, tickFile(dir, 'LDO.MI'), 'America/New_York');
    await app.close();
    app = undefined;
    // As the previous version left it: no zone kept, no record of the cut.
    const old = new Database(dbPath);
    const zones = MIGRATIONS.findIndex((m) => m.includes('CREATE TABLE day_candle_zones'));
    // (and without what the migrations after it add, since they run again from there)
    old.exec(
      'DROP TABLE day_candle_zones; ALTER TABLE companies DROP COLUMN exchange_time_zone; DROP TABLE saved_queries;' +
        ' DROP TABLE portfolio_lots; DROP TABLE portfolio_accounts; ALTER TABLE watchlist DROP COLUMN provider;' +
        ' DROP TABLE job_runs; DROP TABLE jobs; DROP TABLE drawings; DROP TABLE candle_mark',
    );
    old.pragma(`user_version = ${zones}`);
    old.close();

    const notices: string[] = [];
    app = await reopen(dbPath, {}, notices);
    // Its suffix says Milan.
    const days = app.store.candles({ symbol: 'LDO.MI', interval: '1d', limit: 100 });
    expect(summary(days, 'Europe/Rome')).toEqual(expectedDays('Europe/Rome'));
    expect(notices).toEqual(['Daily candles of LDO.MI now start at midnight Europe/Rome']);
  });

  it('a zone Yahoo tells after the candles were stored cuts them again, before its ticks', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const dbPath = path.join(dir, 'm.db');
    app = await replay(dbPath, tickFile(dir, 'AAPL'));
    expect(summary(app.store.candles({ symbol: 'AAPL', interval: '1d', limit: 100 }), 'America/New_York')).toEqual(
      expectedDays('America/New_York'),
    );
    await app.close();
    // Say Yahoo now names another zone for it.
    const fixtures = createFixtureFetch();
    fixtures.always(
      'quote?symbols',
      editQuote('AAPL', (row) => (row.exchangeTimezoneName = 'Asia/Tokyo')),
    );
    app = await MarketMonitor.open({
      dbPath,
      overrides: { source: { kind: 'yahoo' } },
      starterSymbols: ['AAPL'],
      yahooClient: yahooClientFactory({ fetch: fixtures.fetch, timeoutMs: 500 }),
      statusEveryMs: 60_000,
    });
    await app.yahooSource!.firstPoll;
    await app.drain();
    expect(app.companies.get('AAPL')?.exchangeTimeZone).toBe('Asia/Tokyo');
    expect(summary(app.store.candles({ symbol: 'AAPL', interval: '1d', limit: 100 }), 'Asia/Tokyo')).toEqual(
      expectedDays('Asia/Tokyo'),
    );
  });
});
