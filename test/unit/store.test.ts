import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { describe, it, expect, afterEach } from 'vitest';
import fc from 'fast-check';
import Database from 'better-sqlite3';
import type { Candle } from '../../engine/domain/candle.ts';
import { openDatabase } from '../../engine/store/database.ts';
import { MIGRATIONS } from '../../engine/store/migrations.ts';
import { BackfillCandles } from '../../engine/store/backfill-candles.ts';
import { MarketStore, StaleBatchError } from '../../engine/store/market-store.ts';
import { SettingsRepo } from '../../engine/store/settings-repo.ts';
import { WatchlistRepo } from '../../engine/store/watchlist-repo.ts';
import { AlertRepo } from '../../engine/store/alert-repo.ts';
import { tempDir } from './helpers.ts';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});
function dbFile(): string {
  const tmp = tempDir();
  cleanups.push(tmp.cleanup);
  return path.join(tmp.dir, 'nested', 'market.db');
}

function candle(symbol: string, start: number, close: number): Candle {
  return {
    symbol,
    interval: '1m',
    start,
    open: close,
    high: close,
    low: close,
    close,
    volume: 1,
    turnover: close,
    trades: 1,
    buyVolume: 1,
    sellVolume: 0,
    openTs: start,
    closeTs: start,
  };
}

describe('database and migrations', () => {
  it('brings a new database to the latest schema and records it in user_version', () => {
    const db = openDatabase(':memory:');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
      (r) => r.name,
    );
    expect(tables).toEqual(
      expect.arrayContaining(['ticks', 'candles', 'watchlist', 'settings', 'checkpoints', 'dead_letters', 'companies']),
    );
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('creates missing folders, uses WAL, and keeps data when reopened', () => {
    const file = dbFile();
    let db = openDatabase(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    new WatchlistRepo(db).add('AAPL', 1);
    new SettingsRepo(db).writeAll({ bus: { partitions: 8 } });
    const store = new MarketStore(db);
    store.commitBatch({
      ticks: [{ symbol: 'AAPL', ts: 60_000, price: 10, volume: 1, side: 'buy', source: 'replay' }],
      candles: [candle('AAPL', 60_000, 10)],
      deadLetters: [{ at: 1, topic: 't', partition: 0, offset: 0, reason: 'invalid: x', payload: '{}' }],
      checkpoint: { consumerGroup: 'g', topic: 't', partition: 0, nextOffset: 2, maxEventTs: 60_000 },
      fromOffset: 0,
    });
    db.close();

    db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(new WatchlistRepo(db).symbols()).toEqual(['AAPL']);
    expect(new SettingsRepo(db).readAll()).toEqual({ bus: { partitions: 8 } });
    const reopened = new MarketStore(db);
    expect(reopened.tickCount()).toBe(1);
    expect(reopened.deadLetterCount()).toBe(1);
    expect(reopened.candles({ symbol: 'AAPL', interval: '1m' })).toEqual([candle('AAPL', 60_000, 10)]);
    expect(reopened.checkpoint('g', 't', 0)).toEqual({
      consumerGroup: 'g',
      topic: 't',
      partition: 0,
      nextOffset: 2,
      maxEventTs: 60_000,
    });
    db.close();
  });

  it('refuses a database written by a newer version, saying so, and keeps its contents', () => {
    const file = dbFile();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const future = new Database(file);
    future.pragma('journal_mode = WAL');
    future.exec("CREATE TABLE shiny (x TEXT); INSERT INTO shiny VALUES ('from the future');");
    future.pragma(`user_version = ${MIGRATIONS.length + 5}`);
    future.close();

    expect(() => openDatabase(file)).toThrow(/newer Market Monitor.*schema \d+/);

    const check = new Database(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 5);
    expect(check.prepare('SELECT x FROM shiny').all()).toEqual([{ x: 'from the future' }]);
    const tables = check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    expect(tables).toEqual([{ name: 'shiny' }]); // no migration ran
    check.close();
  });

  it('leaves a refused newer database byte for byte as it was, as its error message promises', () => {
    // A newer version may well have left the file in rollback-journal mode.
    const file = dbFile();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const future = new Database(file);
    future.exec("CREATE TABLE shiny (x TEXT); INSERT INTO shiny VALUES ('from the future');");
    future.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    future.close();
    const before = fs.readFileSync(file);

    expect(() => openDatabase(file)).toThrow(/file was left untouched/);

    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });
});

describe('WatchlistRepo', () => {
  it('adds at the end, refuses duplicates, removes, and keeps added_at', () => {
    const db = openDatabase(':memory:');
    const repo = new WatchlistRepo(db);
    expect(repo.add('AAPL', 100)).toBe(true);
    expect(repo.add('MSFT', 200)).toBe(true);
    expect(repo.add('AAPL', 300)).toBe(false);
    expect(repo.list()).toEqual([
      { symbol: 'AAPL', position: 0, addedAt: 100, provider: null },
      { symbol: 'MSFT', position: 1, addedAt: 200, provider: null },
    ]);
    expect(repo.setProvider('MSFT', 'finnhub')).toBe(true);
    expect(repo.setProvider('TSLA', 'finnhub')).toBe(false);
    expect(repo.providers()).toEqual(new Map([['MSFT', 'finnhub']]));
    expect(repo.remove('AAPL')).toBe(true);
    expect(repo.remove('AAPL')).toBe(false);
    expect(repo.add('AAPL', 400)).toBe(true);
    expect(repo.symbols()).toEqual(['MSFT', 'AAPL']);
    expect(repo.list()[1]!.addedAt).toBe(400);
    db.close();
  });

  it('reorders: listed symbols first in the given order, the rest after in their old order, unknown ones ignored', () => {
    const db = openDatabase(':memory:');
    const repo = new WatchlistRepo(db);
    for (const s of ['A', 'B', 'C', 'D', 'E']) repo.add(s);
    repo.reorder(['D', 'ZZZ', 'B']);
    expect(repo.symbols()).toEqual(['D', 'B', 'A', 'C', 'E']);
    expect(repo.list().map((e) => e.position)).toEqual([0, 1, 2, 3, 4]);
    repo.reorder([]);
    expect(repo.symbols()).toEqual(['D', 'B', 'A', 'C', 'E']);
    db.close();
  });

  it('behaves like a simple list model under any sequence of operations', () => {
    const symbol = fc.constantFrom('AAPL', 'MSFT', 'NVDA', 'AMZN', 'BRK-B', 'GC=F');
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), symbol }),
      fc.record({ kind: fc.constant('remove' as const), symbol }),
      fc.record({ kind: fc.constant('reorder' as const), order: fc.uniqueArray(symbol, { maxLength: 6 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        const db = openDatabase(':memory:');
        const repo = new WatchlistRepo(db);
        let model: string[] = [];
        for (const o of ops) {
          if (o.kind === 'add') {
            expect(repo.add(o.symbol)).toBe(!model.includes(o.symbol));
            if (!model.includes(o.symbol)) model.push(o.symbol);
          } else if (o.kind === 'remove') {
            expect(repo.remove(o.symbol)).toBe(model.includes(o.symbol));
            model = model.filter((s) => s !== o.symbol);
          } else {
            repo.reorder(o.order);
            const wanted: string[] = o.order.filter((s) => model.includes(s));
            model = [...wanted, ...model.filter((s) => !wanted.includes(s))];
          }
          expect(repo.symbols()).toEqual(model);
        }
        db.close();
      }),
      { numRuns: 60 },
    );
  });
});

describe('SettingsRepo', () => {
  it('round-trips JSON values per key and overwrites a key', () => {
    const db = openDatabase(':memory:');
    const repo = new SettingsRepo(db);
    expect(repo.readAll()).toEqual({});
    const values = {
      source: { kind: 'simulator', simulator: { seed: 7, ticksPerSecond: 250.5 } },
      stream: { intervals: ['1s', '1h'], outOfOrdernessMs: 0, allowedLatenessMs: 1 },
      flag: true,
      note: 'naïve ✓ "quoted"',
    };
    repo.writeAll(values);
    expect(repo.readAll()).toEqual(values);
    repo.writeAll({ flag: false });
    expect(repo.readAll()).toEqual({ ...values, flag: false });
    db.close();
  });

  it('ignores a stored value that no longer parses, keeping the others and the row', () => {
    const db = openDatabase(':memory:');
    const repo = new SettingsRepo(db);
    repo.writeAll({ bus: { partitions: 2 } });
    db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run('stream', '{not json');
    expect(repo.readAll()).toEqual({ bus: { partitions: 2 } });
    expect(db.prepare("SELECT value FROM settings WHERE key = 'stream'").get()).toEqual({ value: '{not json' });
    db.close();
  });
});

describe('MarketStore queries', () => {
  it('candles() returns the newest `limit` candles of a series in range, oldest first', () => {
    const db = openDatabase(':memory:');
    const store = new MarketStore(db);
    const starts = Array.from({ length: 20 }, (_, i) => 60_000 * (i + 1));
    store.commitBatch({
      ticks: [],
      candles: [...starts.map((s) => candle('AAPL', s, s / 1_000)), candle('MSFT', 60_000, 1)],
      deadLetters: [],
      checkpoint: { consumerGroup: 'g', topic: 't', partition: 0, nextOffset: 0, maxEventTs: null },
      fromOffset: 0,
    });
    const startsOf = (q: Parameters<MarketStore['candles']>[0]) => store.candles(q).map((c) => c.start);
    expect(startsOf({ symbol: 'AAPL', interval: '1m' })).toEqual(starts);
    expect(startsOf({ symbol: 'AAPL', interval: '1m', limit: 3 })).toEqual(starts.slice(-3));
    expect(startsOf({ symbol: 'AAPL', interval: '1m', from: starts[4], to: starts[9] })).toEqual(starts.slice(4, 10));
    expect(startsOf({ symbol: 'AAPL', interval: '1m', from: starts[4], to: starts[9], limit: 2 })).toEqual(
      starts.slice(8, 10),
    );
    expect(startsOf({ symbol: 'AAPL', interval: '1s' })).toEqual([]);
    expect(store.candles({ symbol: 'MSFT', interval: '1m' })).toEqual([candle('MSFT', 60_000, 1)]);
    db.close();
  });

  it('candles are written with REPLACE, which holds only while nothing else hangs on that table', () => {
    // REPLACE deletes the stored row and inserts the new one: with a trigger, another index or a
    // foreign key on candles it would no longer be the upsert the store means. Such a migration
    // must bring back ON CONFLICT … DO UPDATE for the engine's writes (market-store.ts).
    const db = openDatabase(':memory:');
    const schema = db.prepare("SELECT type, name FROM sqlite_schema WHERE tbl_name = 'candles'").all();
    expect(schema).toEqual([{ type: 'table', name: 'candles' }]);
    const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all() as string[];
    for (const table of tables)
      expect(db.pragma(`foreign_key_list(${table})`) as Array<{ table: string }>, table).not.toContainEqual(
        expect.objectContaining({ table: 'candles' }),
      );
    const store = new MarketStore(db);
    const batch = (c: Candle, offset: number) =>
      store.commitBatch({
        ticks: [],
        candles: [c],
        deadLetters: [],
        checkpoint: { consumerGroup: 'g', topic: 't', partition: 0, nextOffset: offset + 1, maxEventTs: null },
        fromOffset: offset,
      });
    batch(candle('AAPL', 60_000, 1), 0);
    batch({ ...candle('AAPL', 60_000, 2), trades: 7 }, 1);
    expect(store.candles({ symbol: 'AAPL', interval: '1m' })).toEqual([{ ...candle('AAPL', 60_000, 2), trades: 7 }]);
    db.close();
  });

  it('a failing batch commits nothing', () => {
    const db = openDatabase(':memory:');
    const store = new MarketStore(db);
    expect(() =>
      store.commitBatch({
        ticks: [{ symbol: 'AAPL', ts: 1, price: 1, volume: 1, side: 'hold' as 'buy', source: 'replay' }],
        candles: [candle('AAPL', 0, 1)],
        deadLetters: [],
        checkpoint: { consumerGroup: 'g', topic: 't', partition: 0, nextOffset: 1, maxEventTs: 1 },
        fromOffset: 0,
      }),
    ).toThrow(/CHECK/);
    expect(store.tickCount()).toBe(0);
    expect(store.candles({ symbol: 'AAPL', interval: '1m' })).toEqual([]);
    expect(store.checkpoint('g', 't', 0)).toBeUndefined();
    db.close();
  });

  it('refuses a batch that starts before the stored checkpoint, so no tick counts twice', () => {
    const db = openDatabase(':memory:');
    const store = new MarketStore(db);
    const tick = { symbol: 'AAPL', ts: 60_000, price: 10, volume: 1, source: 'replay' } as const;
    const batch = (fromOffset: number, nextOffset: number) => ({
      ticks: [tick],
      candles: [],
      deadLetters: [],
      checkpoint: { consumerGroup: 'g', topic: 't', partition: 0, nextOffset, maxEventTs: 60_000 },
      fromOffset,
    });
    store.commitBatch(batch(0, 5));
    expect(() => store.commitBatch(batch(3, 8))).toThrow(StaleBatchError);
    expect(store.tickCount()).toBe(1);
    expect(store.checkpoint('g', 't', 0)?.nextOffset).toBe(5);
    store.commitBatch(batch(5, 9));
    expect(store.tickCount()).toBe(2);
    db.close();
  });
});

describe('migration 5 (anomaly alerts)', () => {
  it('keeps the rules of an older database and then accepts anomaly rules', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mm-mig5-')), 'old.db');
    const old = new Database(file);
    for (const sql of MIGRATIONS.slice(0, 4)) old.exec(sql);
    old.pragma('user_version = 4');
    old
      .prepare('INSERT INTO alert_rules (symbol, kind, threshold, window_ms, created_at) VALUES (?, ?, ?, ?, ?)')
      .run('AAPL', 'price-above', 200, 300_000, 1);
    old.close();

    const db = openDatabase(file);
    const rules = new AlertRepo(db);
    expect(rules.rules().map((r) => [r.symbol, r.kind, r.threshold])).toEqual([['AAPL', 'price-above', 200]]);
    rules.addRule({ symbol: 'MSFT', kind: 'anomaly', threshold: 1, windowMs: 300_000 });
    expect(rules.rules().map((r) => r.kind)).toEqual(['price-above', 'anomaly']);
    db.close();
  });
});

describe('BackfillCandles', () => {
  it('stores a download of 300,000 candles of one symbol: no spread of them as arguments, no copy per candle', () => {
    const db = openDatabase(':memory:');
    const start = Date.UTC(2020, 0, 1);
    const candles = Array.from({ length: 300_000 }, (_, i) => candle('BIG', start + i * 60_000, 100 + (i % 7)));
    expect(new BackfillCandles(db).fillMissing(candles)).toHaveLength(300_000);
    expect(db.prepare("SELECT count(*) FROM candles WHERE symbol = 'BIG'").pluck().get()).toBe(300_000);
    db.close();
  });

  it('fills exactly the windows not between two ticks of one live run more than a minute apart', () => {
    const MINUTE = 60_000;
    // Whole quarter minutes from the minute-aligned base: ticks at a window's start, two ticks at
    // one time (0), and exactly a minute apart (not more: no whole window between them).
    const quarters = fc.integer({ min: 0, max: 8 }).map((k) => k * 15_000);
    const gap = fc.oneof(
      fc.integer({ min: 1_000, max: 30_000 }), // one poll to the next
      fc.integer({ min: 61_000, max: 900_000 }), // a break
      quarters,
    );
    const scenario = fc.record({
      gaps: fc.oneof(fc.array(gap, { maxLength: 60 }), fc.array(quarters, { maxLength: 60 })),
      // Runs begin after the tick at these positions (or before any tick: -1).
      runsAfter: fc.uniqueArray(fc.integer({ min: -1, max: 59 }), { maxLength: 5 }),
      // Candle windows, in minutes from 30 minutes before the first tick.
      minutes: fc.uniqueArray(fc.integer({ min: 0, max: 800 }), { minLength: 1, maxLength: 80 }),
      // Another symbol's ticks and runs, which must change nothing.
      noise: fc.array(fc.integer({ min: 0, max: 800 * 60 }), { maxLength: 20 }),
    });
    fc.assert(
      fc.property(scenario, ({ gaps, runsAfter, minutes, noise }) => {
        const db = openDatabase(':memory:');
        try {
          const base = Date.UTC(2025, 1, 14, 15);
          const ticks = gaps.reduce<number[]>((ts, gap) => [...ts, (ts.at(-1) ?? base) + gap], []);
          const addTick = db.prepare(
            "INSERT INTO ticks (symbol, ts, price, volume, source) VALUES (?, ?, 1, 1, 'yahoo')",
          );
          const addRun = db.prepare('INSERT OR IGNORE INTO live_runs (symbol, after_ts) VALUES (?, ?)');
          for (const ts of ticks) addTick.run('AAPL', ts);
          const runs = runsAfter.filter((i) => i < ticks.length).map((i) => (i < 0 ? base - 1 : ticks[i]!));
          for (const at of runs) addRun.run('AAPL', at);
          for (const s of noise) addTick.run('MSFT', base - 30 * MINUTE + s * 1_000);
          if (noise.length > 0) addRun.run('MSFT', base - 30 * MINUTE + noise[0]! * 1_000);
          const starts = minutes.map((m) => base - 30 * MINUTE + m * MINUTE);

          // The rule as BackfillCandles states it, tick by tick.
          const owned = (start: number) => {
            const prev = ticks.filter((t) => t < start).at(-1);
            const next = ticks.find((t) => t >= start);
            return (
              prev !== undefined &&
              next !== undefined &&
              next - prev > MINUTE &&
              !runs.some((at) => at >= prev && at < next)
            );
          };
          const filled = new BackfillCandles(db).fillMissing(starts.map((start) => candle('AAPL', start, 10)));
          const ascending = (a: number, b: number) => a - b;
          expect(filled.map((c) => c.start).sort(ascending)).toEqual(
            starts.filter((start) => !owned(start)).sort(ascending),
          );
        } finally {
          db.close();
        }
      }),
      { numRuns: 300 },
    );
  });
});
