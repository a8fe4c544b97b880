// Candles written behind their ticks (MarketStore's writeBehind): what waits is never lost, never
// counted twice, and every read through the store sees it.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { partitionOf, type BusBatch } from '../../engine/bus/bus.ts';
import type { Interval } from '../../engine/domain/interval.ts';
import type { Tick } from '../../engine/domain/tick.ts';
import { openDatabase, type SqliteDatabase } from '../../engine/store/database.ts';
import { MarketStore } from '../../engine/store/market-store.ts';
import type { WriteBehindPolicy } from '../../engine/store/candle-buffer.ts';
import { pruneChunk } from '../../engine/store/retention.ts';
import { TickProcessor } from '../../engine/stream/tick-processor.ts';
import { candleWritePolicy } from '../../engine/app/market-monitor.ts';
import { createHandlers } from '../../engine/app/handlers.ts';
import { dispatch } from '../../engine/api/dispatch.ts';
import { SettingsSchema } from '../../engine/domain/settings.ts';
import { APP_WRITE_BEHIND } from '../../engine/store/candle-buffer.ts';
import { scratch, sqlCandles, storedCandles, until } from './helpers.ts';

const TOPIC = 'market.ticks';
const INTERVALS: Interval[] = ['1s', '1m', '1h', '1d'];
const SIZE: Record<string, number> = { '1s': 1_000, '1m': 60_000, '1h': 3_600_000 };
const STREAM = { outOfOrdernessMs: 2_000, allowedLatenessMs: 60_000 };
/** 30 s before an hour boundary (a Tuesday, 15:59:30 New York), so streams cross windows of every length. */
const BASE = Date.parse('2024-03-05T20:59:30Z');
/** Waits long and holds many: only reads, flushes and the commits a test makes due write candles. */
const LAZY: WriteBehindPolicy = { maxAgeMs: 60_000, maxCandles: 100_000 };

const files = scratch();

function processor(store: MarketStore): TickProcessor {
  return new TickProcessor(store, { groupId: 'test', intervals: INTERVALS, ...STREAM });
}

/** One partition's records from `from` on, cut into batches of `size`. */
function batches(ticks: readonly Tick[], from: number, size: number): BusBatch[] {
  const out: BusBatch[] = [];
  for (let i = from; i < ticks.length; i += size) {
    const records = ticks.slice(i, i + size).map((value, j) => ({ offset: i + j, key: value.symbol, value }));
    out.push({ topic: TOPIC, partition: 0, records });
  }
  return out;
}

/**
 * Delivery rounds as the in-process log makes them: the ticks split by symbol over `partitions`,
 * each partition's records from its offset in `from` on, and each round one batch of up to `size`
 * records from every partition that has any left.
 */
function rounds(ticks: readonly Tick[], partitions: number, from: readonly number[], size: number): BusBatch[][] {
  const perPartition = Array.from({ length: partitions }, (_, p) =>
    ticks
      .filter((t) => partitionOf(t.symbol, partitions) === p)
      .map((value, offset) => ({ offset, key: value.symbol, value })),
  );
  const out: BusBatch[][] = [];
  for (let r = 0; ; r++) {
    const round = perPartition
      .map((records, partition) => ({
        topic: TOPIC,
        partition,
        records: records.slice((from[partition] ?? 0) + r * size, (from[partition] ?? 0) + (r + 1) * size),
      }))
      .filter((batch) => batch.records.length > 0);
    if (round.length === 0) return out;
    out.push(round);
  }
}

/** Prices in quarters and whole volumes: every sum is exact, so the comparisons can be. */
const tickArb = fc.record({
  symbol: fc.constantFrom('AAPL', 'MSFT', 'NVDA'),
  dt: fc.integer({ min: 0, max: 400 }),
  jitter: fc.integer({ min: 0, max: 1_500 }),
  price: fc.integer({ min: 4, max: 4_000 }).map((q) => q / 4),
  volume: fc.integer({ min: 1, max: 50 }),
  side: fc.constantFrom('buy' as const, 'sell' as const, undefined),
});

function streamOf(steps: ReadonlyArray<typeof tickArb extends fc.Arbitrary<infer T> ? T : never>): Tick[] {
  let t = BASE;
  return steps.map((s) => {
    t += s.dt;
    const tick: Tick = { symbol: s.symbol, ts: t - s.jitter, price: s.price, volume: s.volume, source: 'replay' };
    if (s.side) tick.side = s.side;
    return tick;
  });
}

/** `count` ticks of one symbol, `dt` ms apart, at the prices `price(i)` gives. */
function steady(
  count: number,
  { symbol, dt, volume, side }: { symbol: 'AAPL' | 'MSFT' | 'NVDA'; dt: number; volume: number; side?: 'buy' | 'sell' },
  price: (i: number) => number,
): Tick[] {
  return streamOf(Array.from({ length: count }, (_, i) => ({ symbol, dt, jitter: 0, price: price(i), volume, side })));
}

/** The candles an engine that never stopped, writing its candles with its ticks, stores. */
async function uninterrupted(ticks: readonly Tick[], size: number, partitions = 1): Promise<Record<string, unknown>[]> {
  const db = openDatabase(':memory:');
  const engine = processor(new MarketStore(db));
  for (const round of rounds(ticks, partitions, [], size)) await engine.onBatches(round);
  const candles = storedCandles(db);
  db.close();
  return candles;
}

/** An engine on the file whose candles wait until a test makes them due; the file closes after the test. */
function lazyEngine(file: string): { db: SqliteDatabase; store: MarketStore; engine: TickProcessor } {
  const db = openDatabase(file);
  files.later(() => void db.close());
  const store = new MarketStore(db, { writeBehind: LAZY });
  return { db, store, engine: processor(store) };
}

/** A second connection to the file, as another reader (or a crash's survivor) sees it. */
function reader(file: string): SqliteDatabase {
  const db = openDatabase(file);
  files.later(() => void db.close());
  return db;
}

/** The simulator's prices are not exact in binary: its sums (volume, turnover) differ in the last bits from SQL's. */
const exactColumns = (candles: Record<string, unknown>[]) =>
  candles.map(({ symbol, start, open, high, low, close, trades, open_ts, close_ts }) => ({
    ...{ symbol, start, open, high, low, close, trades, open_ts, close_ts },
  }));

const count = (db: SqliteDatabase, table: string) =>
  db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

describe('candles written behind their ticks', () => {
  it('killed after any round and started again: the candles equal an uninterrupted run, and the ticks recompute them', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(tickArb, { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 30 }),
        fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 40 }),
        fc.boolean(),
        async (steps, partitions, size, kills, maxCandles, recoverAtStart) => {
          const ticks = streamOf(steps);
          const file = files.dbFile();
          const expected = await uninterrupted(ticks, size, partitions);
          for (const afterRounds of [...kills, Infinity]) {
            // Each start resumes at the checkpoint, as the bus does, and holds few candles, so
            // that commits both write them and leave them waiting.
            const db = openDatabase(file);
            const store = new MarketStore(db, { writeBehind: { maxAgeMs: 60_000, maxCandles } });
            const engine = processor(store);
            if (recoverAtStart) engine.recoverCandles();
            const from = Array.from({ length: partitions }, (_, p) => engine.resumeOffset(TOPIC, p) ?? 0);
            let done = 0;
            for (const round of rounds(ticks, partitions, from, size)) {
              if (done++ === afterRounds) break;
              await engine.onBatches(round);
            }
            // A kill: whatever waits in memory is gone (the background write never runs on a closed file).
            if (afterRounds === Infinity) store.close();
            db.close();
          }
          const db = reader(file);
          // As the app starts (a run with nothing left to read folds nothing, and recovers nothing before it).
          processor(new MarketStore(db)).recoverCandles();
          expect(count(db, 'ticks')).toBe(ticks.length);
          expect(storedCandles(db)).toEqual(expected);
          for (const [interval, ms] of Object.entries(SIZE))
            expect(storedCandles(db, interval), interval).toEqual(sqlCandles(db, interval, ms));
          db.close();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a started app brings the candles up to its stored ticks before any tick comes', async () => {
    const file = files.dbFile();
    const ticks = streamOf(
      Array.from({ length: 300 }, (_, i) => ({
        symbol: 'AAPL',
        dt: 97,
        jitter: i % 7,
        price: 10 + (i % 13) / 4,
        volume: 1 + (i % 5),
        side: undefined,
      })),
    );
    const db = openDatabase(file);
    const store = new MarketStore(db, { writeBehind: LAZY });
    const engine = processor(store);
    for (const batch of batches(ticks, 0, 50)) await engine.onBatch(batch);
    db.close(); // killed: every candle still waited
    const before = reader(file);
    expect(count(before, 'ticks')).toBe(300);
    expect(count(before, 'candles')).toBe(0);

    const logged: string[] = [];
    const app = await files.open({ dbPath: file, log: (line) => logged.push(line) });
    app.setPaused(true);
    const expected = await uninterrupted(ticks, 50);
    for (const interval of INTERVALS)
      expect(storedCandles(before, interval), interval).toEqual(expected.filter((c) => c.interval === interval));
    expect(logged).toEqual([expect.stringMatching(/^market-monitor: \d+ candles brought up to the ticks stored/)]);
  });

  it('a recovery that fails (a full disk) fails its batch and runs again when the batch comes again', async () => {
    const file = files.dbFile();
    const ticks = steady(40, { symbol: 'AAPL', dt: 300, volume: 1 }, (i) => 5 + i);
    const [first, second] = batches(ticks, 0, 20);
    const crashed = openDatabase(file);
    await processor(new MarketStore(crashed, { writeBehind: LAZY })).onBatch(first!);
    crashed.close(); // killed: the first batch's candles still waited

    const db = openDatabase(file);
    files.later(() => void db.close());
    db.exec(`CREATE TABLE disk_full (x); INSERT INTO disk_full VALUES (1);
             CREATE TRIGGER full_disk BEFORE INSERT ON candles WHEN EXISTS (SELECT 1 FROM disk_full)
             BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
    const store = new MarketStore(db, { writeBehind: LAZY });
    const engine = processor(store);
    await expect(engine.onBatch(second!)).rejects.toThrow('database or disk is full');
    db.exec('DELETE FROM disk_full');
    await engine.onBatch(second!); // the bus delivers it again
    store.close();
    expect(storedCandles(db)).toEqual(await uninterrupted(ticks, 20));
  });

  it('a committed batch’s candles wait until a read through the store, a due commit, the timer or close', async () => {
    const file = files.dbFile();
    const other = reader(file);
    const { store, engine } = lazyEngine(file);
    const ticks = steady(40, { symbol: 'MSFT', dt: 50, volume: 2, side: 'buy' }, (i) => 100 + i);
    const [first, second] = batches(ticks, 0, 20);

    await engine.onBatch(first!);
    // Ticks and offsets are stored at once; the candles are not in the file yet.
    expect(count(other, 'ticks')).toBe(20);
    expect(store.checkpoint('test', TOPIC, 0)?.nextOffset).toBe(20);
    expect(count(other, 'candles')).toBe(0);
    // A read through the store writes them first, so it sees them, and so does every other reader.
    const read = store.candles({ symbol: 'MSFT', interval: '1s' });
    expect(read.reduce((n, c) => n + c.trades, 0)).toBe(20);
    expect(storedCandles(other, '1s')).toEqual(sqlCandles(other, '1s', 1_000));

    await engine.onBatch(second!);
    expect(count(other, 'ticks')).toBe(40);
    expect(storedCandles(other, '1s')).not.toEqual(sqlCandles(other, '1s', 1_000));
    store.close();
    expect(storedCandles(other, '1s')).toEqual(sqlCandles(other, '1s', 1_000));
  });

  it('the timer writes what waits once the oldest change is maxAgeMs old; a commit bringing maxCandles writes them with it', async () => {
    const ticks = steady(60, { symbol: 'NVDA', dt: 1_000, volume: 1 }, (i) => 50 + i / 4);
    const timed = files.dbFile();
    const other = reader(timed);
    const db = openDatabase(timed);
    files.later(() => void db.close());
    const engine = processor(new MarketStore(db, { writeBehind: { maxAgeMs: 50, maxCandles: 100_000 } }));
    await engine.onBatch(batches(ticks, 0, 60)[0]!);
    expect(count(other, 'candles')).toBe(0);
    await until(() => count(other, 'candles') > 0, 'the background write', 5_000);
    expect(storedCandles(other, '1s')).toEqual(sqlCandles(other, '1s', 1_000));

    const counted = files.dbFile();
    const other2 = reader(counted);
    const db2 = openDatabase(counted);
    files.later(() => void db2.close());
    // Each 10-tick batch changes 10 one-second candles and one or two of each longer interval.
    const engine2 = processor(new MarketStore(db2, { writeBehind: { maxAgeMs: 60_000, maxCandles: 30 } }));
    const [a, b, c] = batches(ticks, 0, 10);
    await engine2.onBatch(a!);
    await engine2.onBatch(b!);
    expect(count(other2, 'candles')).toBe(0);
    await engine2.onBatch(c!);
    expect(storedCandles(other2, '1s')).toEqual(sqlCandles(other2, '1s', 1_000));
  });

  it('a batch refused at its commit leaves nothing of its own among the waiting candles', async () => {
    const file = files.dbFile();
    const { db, store, engine } = lazyEngine(file);
    const ticks = steady(30, { symbol: 'AAPL', dt: 10, volume: 3 }, (i) => 20 + i);
    const [first, refused] = batches(ticks, 0, 15);
    await engine.onBatch(first!);
    // The disk gives out in the middle of the next batch's transaction.
    db.exec(`CREATE TRIGGER full_disk BEFORE INSERT ON ticks WHEN NEW.price = 40
             BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
    await expect(engine.onBatch(refused!)).rejects.toThrow('database or disk is full');
    const other = reader(file);
    expect(count(other, 'ticks')).toBe(15);
    store.flushCandles();
    // The folds of the refused batch touched the same windows; only the first batch's ticks are in them.
    expect(storedCandles(other)).toEqual(await uninterrupted(ticks.slice(0, 15), 15));
  });

  it('retention keeps the ticks not yet in candles, and with the newest ticks gone a later one is still recovered', async () => {
    const file = files.dbFile();
    const { db, store, engine } = lazyEngine(file);
    const ticks = steady(20, { symbol: 'AAPL', dt: 10, volume: 3 }, (i) => 20 + i);
    const [first, second] = batches(ticks, 0, 10);
    await engine.onBatch(first!);
    store.flushCandles();
    await engine.onBatch(second!); // its candles wait
    const everything = { ticksBefore: () => Number.MAX_SAFE_INTEGER };
    expect(pruneChunk(db, everything)).toBe(10);
    expect(db.prepare('SELECT min(id) FROM ticks').pluck().get()).toBe(11);

    // Now all in candles and all deleted: the mark comes down with the newest id, so the next
    // tick's id is above it and a crash before its candles are written still folds it again.
    store.flushCandles();
    expect(pruneChunk(db, everything)).toBe(10);
    expect(count(db, 'ticks')).toBe(0);
    const late: Tick = { ...ticks.at(-1)!, ts: ticks.at(-1)!.ts + 1, price: 99 };
    await engine.onBatch({ topic: TOPIC, partition: 0, records: [{ offset: 20, key: 'AAPL', value: late }] });
    db.close(); // killed before the candle was written

    const restarted = openDatabase(file);
    files.later(() => void restarted.close());
    processor(new MarketStore(restarted)).recoverCandles();
    const day = new MarketStore(restarted).candles({ symbol: 'AAPL', interval: '1d' })[0]!;
    expect(day.trades).toBe(21);
    expect(day.close).toBe(99);
  });

  it('the app writes candles behind on the in-process log only, and every command writes what waits first', async () => {
    expect(candleWritePolicy(SettingsSchema.parse({}))).toEqual(APP_WRITE_BEHIND);
    const onKafka = SettingsSchema.parse({ bus: { kind: 'kafka', kafka: { brokers: ['127.0.0.1:9092'] } } });
    expect(candleWritePolicy(onKafka, LAZY)).toBeUndefined();

    const file = files.dbFile();
    const app = await files.open({
      dbPath: file,
      starterSymbols: ['AAPL', 'MSFT'],
      overrides: { source: { simulator: { ticksPerSecond: 500 } } },
      candleWriteBehind: LAZY,
    });
    const other = reader(file);
    const waiting = () =>
      other
        .prepare('SELECT count(*) FROM ticks WHERE id > (SELECT last_tick_id FROM candle_mark)')
        .pluck()
        .get() as number;
    await until(() => count(other, 'ticks') > 200, 'some ticks');
    app.setPaused(true);
    await new Promise((resolve) => setTimeout(resolve, 150)); // an emit already on its way may still land
    expect(waiting()).toBeGreaterThan(0);
    expect(exactColumns(storedCandles(other, '1s'))).not.toEqual(exactColumns(sqlCandles(other, '1s', 1_000)));
    // Even one that reads no candle: a command after it may read the file directly.
    expect((await dispatch(createHandlers(app), 'watchlist.list', {})).ok).toBe(true);
    expect(waiting()).toBe(0);
    expect(exactColumns(storedCandles(other, '1s'))).toEqual(exactColumns(sqlCandles(other, '1s', 1_000)));
  });
});
