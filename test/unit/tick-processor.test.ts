import path from 'node:path';
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { partitionOf, type BusBatch, type BusRecord } from '../../engine/bus/bus.ts';
import { InProcessLog } from '../../engine/bus/in-process-log.ts';
import type { Interval } from '../../engine/domain/interval.ts';
import type { Tick } from '../../engine/domain/tick.ts';
import { openDatabase, type SqliteDatabase } from '../../engine/store/database.ts';
import { MarketStore } from '../../engine/store/market-store.ts';
import { TickProcessor, type BatchCommitted, type ProcessorOptions } from '../../engine/stream/tick-processor.ts';
import { sqlCandles, storedCandles, tempDir, until } from './helpers.ts';

const TOPIC = 'market.ticks';
const SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'BRK-B', 'EURUSD=X'];
const INTERVALS: Interval[] = ['1s', '1m', '1h'];
const SIZE: Record<string, number> = { '1s': 1_000, '1m': 60_000, '1h': 3_600_000 };
/** 20 s before an hour boundary, so that streams cross windows of every interval. */
const BASE = 472_223 * 3_600_000 - 20_000;

function options(outOfOrdernessMs: number, allowedLatenessMs: number, intervals = INTERVALS): ProcessorOptions {
  return { groupId: 'test', intervals, outOfOrdernessMs, allowedLatenessMs };
}

function open(file = ':memory:'): { db: SqliteDatabase; store: MarketStore } {
  const db = openDatabase(file);
  return { db, store: new MarketStore(db) };
}

/**
 * Prices are multiples of 1/4 and volumes whole, so every sum (the engine's running one and
 * SQLite's) is exact and the comparison with the SQL oracle can be exact too.
 */
const stepArb = fc.record({
  symbol: fc.constantFrom(...SYMBOLS),
  dt: fc.integer({ min: 0, max: 300 }),
  jitter: fc.integer({ min: 0, max: 1_000 }),
  price: fc.integer({ min: 4, max: 40_000 }).map((q) => q / 4),
  volume: fc.integer({ min: 0, max: 500 }),
  side: fc.constantFrom('buy' as const, 'sell' as const, undefined),
});
type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;

/** Ticks whose event times run forward with a jitter of at most `maxJitter` behind the newest before them. */
function stream(steps: readonly Step[], jitterScale: (jitter: number) => number): Tick[] {
  let t = BASE;
  return steps.map((s) => {
    t += s.dt;
    const tick: Tick = {
      symbol: s.symbol,
      ts: t + jitterScale(s.jitter),
      price: s.price,
      volume: s.volume,
      source: 'replay',
    };
    if (s.side) tick.side = s.side;
    return tick;
  });
}

/** Per partition (by symbol, as a bus would), records with consecutive offsets, cut into batches of the given sizes. */
function batchesOf(values: readonly Tick[], partitions: number, sizes: readonly number[]): BusBatch[] {
  const perPartition: BusRecord[][] = Array.from({ length: partitions }, () => []);
  for (const tick of values) {
    const records = perPartition[partitionOf(tick.symbol, partitions)]!;
    records.push({ offset: records.length, key: tick.symbol, value: tick });
  }
  const out: BusBatch[] = [];
  const cursors = perPartition.map(() => 0);
  let turn = 0;
  // Interleave partitions, as a bus delivering them round-robin would.
  while (cursors.some((c, p) => c < perPartition[p]!.length)) {
    for (let p = 0; p < partitions; p++) {
      const records = perPartition[p]!;
      if (cursors[p]! >= records.length) continue;
      const size = sizes[turn++ % sizes.length]!;
      out.push({ topic: TOPIC, partition: p, records: records.slice(cursors[p], cursors[p]! + size) });
      cursors[p]! += size;
    }
  }
  return out;
}

function expectCandlesMatchSql(db: SqliteDatabase): void {
  for (const interval of INTERVALS) {
    expect(storedCandles(db, interval), interval).toEqual(sqlCandles(db, interval, SIZE[interval]!));
  }
}

function deadLetters(
  db: SqliteDatabase,
): Array<{ partition: number; offset: number; reason: string; payload: string }> {
  return db.prepare('SELECT partition, offset, reason, payload FROM dead_letters ORDER BY id').all() as never;
}

describe('TickProcessor', () => {
  it('ticks shuffled within the out-of-orderness bound: all accepted, candles equal a SQL recomputation', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArb, { minLength: 1, maxLength: 250 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 40 }),
        async (steps, partitions, maxBatch) => {
          const ticks = stream(steps, (j) => j); // at most 1000 ms behind: the bound below
          const { db, store } = open();
          const processor = new TickProcessor(store, options(1_000, 0));
          const log = new InProcessLog({ topic: TOPIC, partitions, maxBatch });
          try {
            await log.subscribe(processor);
            for (let i = 0; i < ticks.length; i += 37) await log.publish(ticks.slice(i, i + 37));
            await until(() => log.health().buffered === 0, 'the engine to catch up');

            expect(store.deadLetterCount()).toBe(0);
            expect(processor.counters).toEqual({ accepted: ticks.length, late: 0, invalid: 0 });
            const rows = db.prepare('SELECT symbol, ts, price, volume, side, source FROM ticks').all() as Array<
              Record<string, unknown>
            >;
            const asRows = ticks.map((t) => ({ ...t, side: t.side ?? null }));
            const order = (a: Record<string, unknown>, b: Record<string, unknown>) =>
              JSON.stringify(a) < JSON.stringify(b) ? -1 : 1;
            expect(rows.sort(order)).toEqual(asRows.sort(order));
            expectCandlesMatchSql(db);
            // Every window of every interval exists: the SQL recomputation is not trivially empty.
            expect(storedCandles(db, '1s').length).toBeGreaterThan(0);
          } finally {
            await log.close();
            db.close();
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('sends ticks beyond the allowed lateness to dead_letters, changing no candle; accepts those within it', async () => {
    const { db, store } = open();
    const processor = new TickProcessor(store, options(1_000, 5_000, ['1s', '1m']));
    const events: BatchCommitted[] = [];
    processor.onCommitted((e) => events.push(e));
    const base = BASE + 20_000; // on an hour boundary
    const onTime: Tick[] = [];
    for (let ts = base; ts <= base + 10_000; ts += 500) {
      onTime.push({ symbol: 'AAPL', ts, price: 100 + (ts - base) / 500, volume: 10, side: 'buy', source: 'replay' });
    }
    let offset = 0;
    const batch = (values: unknown[]): BusBatch => ({
      topic: TOPIC,
      partition: 0,
      records: values.map((value) => ({ offset: offset++, key: 'AAPL', value })),
    });
    await processor.onBatch(batch(onTime));
    const max = base + 10_000;
    const lateBefore = max - 1_000 - 5_000;

    // Only late ticks: nothing changes but the dead letters and the checkpoint.
    const before = storedCandles(db);
    const lateOnly: Tick[] = [
      { symbol: 'AAPL', ts: lateBefore - 1, price: 1, volume: 1_000, side: 'sell', source: 'replay' },
      { symbol: 'AAPL', ts: lateBefore - 14_000, price: 999, volume: 5, source: 'replay' },
    ];
    await processor.onBatch(batch(lateOnly));
    expect(storedCandles(db)).toEqual(before);
    expect(events.at(-1)).toMatchObject({ accepted: 0, late: 2, invalid: 0, candles: [], lastTicks: [] });
    const letters = deadLetters(db);
    expect(letters.map((d) => d.reason)).toEqual([
      `late: 1 ms past the allowed lateness`,
      `late: 14000 ms past the allowed lateness`,
    ]);
    expect(letters.map((d) => d.offset)).toEqual([onTime.length, onTime.length + 1]);
    expect(JSON.parse(letters[0]!.payload)).toEqual(lateOnly[0]);
    expect(store.tickCount()).toBe(onTime.length);
    expect(processor.resumeOffset(TOPIC, 0)).toBe(onTime.length + 2);

    // Exactly at the boundary is still on time, and amends its (already passed) window.
    const amend: Tick = { symbol: 'AAPL', ts: lateBefore, price: 50, volume: 3, side: 'sell', source: 'replay' };
    const windowStart = lateBefore - (lateBefore % 1_000);
    const old = storedCandles(db, '1s').find((c) => c.start === windowStart)!;
    await processor.onBatch(batch([amend, { ...amend, ts: lateBefore - 1 }]));
    const amended = storedCandles(db, '1s').find((c) => c.start === windowStart)!;
    expect(amended.trades).toBe((old.trades as number) + 1);
    expect(amended.low).toBe(50);
    expect(amended.sell_volume).toBe((old.sell_volume as number) + 3);
    expect(deadLetters(db).at(-1)!.reason).toMatch(/^late: 1 ms/);
    expect(processor.counters).toEqual({ accepted: onTime.length + 1, late: 3, invalid: 0 });
    expectCandlesMatchSqlFor(db, ['1s', '1m']);
    db.close();
  });

  it('sends invalid messages to dead_letters with a reason naming the field, and goes on', async () => {
    const { db, store } = open();
    const processor = new TickProcessor(store, options(1_000, 0));
    const events: BatchCommitted[] = [];
    processor.onCommitted((e) => events.push(e));
    const good: Tick = { symbol: 'MSFT', ts: BASE, price: 400, volume: 2, side: 'buy', source: 'replay' };
    const values: Array<[unknown, RegExp | null]> = [
      ['not json at all', /^invalid: tick: /],
      [null, /^invalid: tick: /],
      [{ ...good, symbol: 'bad symbol!' }, /^invalid: symbol: /],
      [{ ...good, price: Number.NaN }, /^invalid: price: /],
      [{ ...good, volume: -1 }, /^invalid: volume: /],
      [{ ...good, venue: 'XNAS' }, /^invalid: .*venue/],
      [good, null],
    ];
    await processor.onBatch({
      topic: TOPIC,
      partition: 2,
      records: values.map(([value], i) => ({ offset: 10 + i, key: 'MSFT', value })),
    });
    const letters = deadLetters(db);
    const expected = values.flatMap(([value, reason], i) => (reason ? [{ value, reason, offset: 10 + i }] : []));
    expect(letters).toHaveLength(expected.length);
    letters.forEach((letter, i) => {
      expect(letter.reason).toMatch(expected[i]!.reason);
      expect(letter.offset).toBe(expected[i]!.offset);
      expect(letter.partition).toBe(2);
    });
    expect(letters[0]!.payload).toBe('not json at all');
    expect(processor.counters).toEqual({ accepted: 1, late: 0, invalid: 6 });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ partition: 2, accepted: 1, late: 0, invalid: 6, lastTicks: [good] });
    expect(store.tickCount()).toBe(1);
    expect(storedCandles(db, '1s')).toEqual([
      {
        symbol: 'MSFT',
        interval: '1s',
        start: BASE,
        open: 400,
        high: 400,
        low: 400,
        close: 400,
        volume: 2,
        turnover: 800,
        trades: 1,
        buy_volume: 2,
        sell_volume: 0,
        open_ts: BASE,
        close_ts: BASE,
      },
    ]);
    expect(processor.resumeOffset(TOPIC, 2)).toBe(10 + values.length);

    // A batch of nothing but garbage still moves the checkpoint, and keeps an unknown watermark unknown.
    const { db: db2, store: store2 } = open();
    const p2 = new TickProcessor(store2, options(1_000, 0));
    await p2.onBatch({ topic: TOPIC, partition: 0, records: [{ offset: 0, key: 'x', value: 42 }] });
    expect(store2.checkpoint('test', TOPIC, 0)).toEqual({
      consumerGroup: 'test',
      topic: TOPIC,
      partition: 0,
      nextOffset: 1,
      maxEventTs: null,
    });
    expect(storedCandles(db2)).toEqual([]);
    db.close();
    db2.close();
  });

  it('keeps the next offset and the newest event time of each partition in checkpoints', async () => {
    const { db, store } = open();
    const processor = new TickProcessor(store, options(500, 0));
    const ticks = stream(
      SYMBOLS.flatMap((symbol, i) =>
        Array.from({ length: 30 }, (_, k) => ({
          symbol,
          dt: 7 * i + k,
          jitter: (k * 37) % 400,
          price: 10,
          volume: 1,
          side: undefined,
        })),
      ),
      (j) => j,
    );
    const batches = batchesOf(ticks, 3, [4, 9, 1]);
    for (const b of batches) await processor.onBatch(b);
    const rows = db
      .prepare('SELECT consumer_group, topic, partition, next_offset, max_event_ts FROM checkpoints ORDER BY partition')
      .all();
    const expected = [0, 1, 2]
      .map((p) => ticks.filter((t) => partitionOf(t.symbol, 3) === p))
      .flatMap((own, partition) =>
        own.length === 0
          ? []
          : [
              {
                consumer_group: 'test',
                topic: TOPIC,
                partition,
                next_offset: own.length,
                max_event_ts: Math.max(...own.map((t) => t.ts)),
              },
            ],
      );
    expect(rows).toEqual(expected);
    for (const row of expected) expect(processor.resumeOffset(TOPIC, row.partition)).toBe(row.next_offset);
    expect(processor.resumeOffset('other.topic', 0)).toBeUndefined();
    db.close();
  });

  it('a batch whose commit fails leaves no trace: redelivered, it ends as if it had succeeded the first time', async () => {
    // The store's transaction keeps all of a batch or none; the engine's own state must do the same,
    // or the bus's redelivery of the batch folds its ticks in twice.
    const opts = options(1_000, 2_000, ['1s', '1m']);
    const t = BASE + 20_000;
    const tick = (ts: number, price: number): Tick => ({
      symbol: 'AAPL',
      ts,
      price,
      volume: 2,
      side: 'buy',
      source: 'replay',
    });
    const first: BusBatch = { topic: TOPIC, partition: 0, records: [{ offset: 0, key: 'AAPL', value: tick(t, 10) }] };
    const second: BusBatch = {
      topic: TOPIC,
      partition: 0,
      records: [
        { offset: 1, key: 'AAPL', value: tick(t - 2_500, 11) }, // on time while the newest is t
        { offset: 2, key: 'AAPL', value: tick(t + 10_000, 13) },
      ],
    };

    const reference = open();
    const clean = new TickProcessor(reference.store, opts);
    await clean.onBatch(first);
    await clean.onBatch(second);

    const { db, store } = open();
    const processor = new TickProcessor(store, opts);
    await processor.onBatch(first);
    db.exec(`CREATE TRIGGER disk_full BEFORE INSERT ON ticks WHEN NEW.price = 13
             BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    await expect(processor.onBatch(second)).rejects.toThrow(/disk full/);
    expect(processor.resumeOffset(TOPIC, 0)).toBe(1); // nothing of the batch was stored
    db.exec('DROP TRIGGER disk_full');
    await processor.onBatch(second);

    expect(storedCandles(db)).toEqual(storedCandles(reference.db));
    expect(store.deadLetterCount()).toBe(reference.store.deadLetterCount());
    expect(processor.counters).toEqual(clean.counters);
    expectCandlesMatchSqlFor(db, ['1s', '1m']);
    db.close();
    reference.db.close();
  });

  it('a round of several partitions is stored whole or not at all, and ends as one batch at a time would', async () => {
    const opts = options(1_000, 2_000);
    const ticks = SYMBOLS.flatMap((symbol, i) =>
      Array.from({ length: 40 }, (_, j): Tick => ({
        symbol,
        ts: BASE + j * 700 + i,
        price: 100 + ((i * 7 + j * 3) % 11) / 4,
        volume: 1 + j,
        side: j % 2 ? 'buy' : 'sell',
        source: 'replay',
      })),
    ).sort((a, b) => a.ts - b.ts);
    const batches = batchesOf(ticks, 3, [9, 4, 13]);
    // Rounds as the log makes them: each partition at most once, in the order the batches came.
    const rounds: BusBatch[][] = [];
    for (const batch of batches) {
      const last = rounds.at(-1);
      if (last && last.length < 3 && !last.some((b) => b.partition === batch.partition)) last.push(batch);
      else rounds.push([batch]);
    }
    expect(rounds.filter((round) => round.length > 1).length).toBeGreaterThan(3);

    const reference = open();
    const oneByOne = new TickProcessor(reference.store, opts);
    for (const batch of batches) await oneByOne.onBatch(batch);

    const { db, store } = open();
    const processor = new TickProcessor(store, opts);
    const events: BatchCommitted[] = [];
    processor.onCommitted((e) => events.push(e));
    const failing = rounds[2]!;
    const lastOfRound = failing.at(-1)!.records.at(-1)!.value as Tick;
    for (const round of rounds) {
      if (round === failing) {
        // The round's last partition fails to store: the partitions before it in the round store nothing either.
        db.exec(`CREATE TRIGGER disk_full BEFORE INSERT ON ticks WHEN NEW.ts = ${lastOfRound.ts}
                 BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
        const storedBefore = store.tickCount();
        const offsetsBefore = round.map((b) => processor.resumeOffset(TOPIC, b.partition));
        await expect(processor.onBatches(round)).rejects.toThrow(/disk full/);
        expect(store.tickCount()).toBe(storedBefore);
        expect(round.map((b) => processor.resumeOffset(TOPIC, b.partition))).toEqual(offsetsBefore);
        db.exec('DROP TRIGGER disk_full');
      }
      await processor.onBatches(round);
    }

    expect(storedCandles(db)).toEqual(storedCandles(reference.db));
    expect(store.tickCount()).toBe(ticks.length);
    expect(processor.counters).toEqual(oneByOne.counters);
    expect(store.checkpoints('test', TOPIC)).toEqual(reference.store.checkpoints('test', TOPIC));
    // One event per partition's batch, each with the candles of its own symbols.
    expect(events).toHaveLength(batches.length);
    for (const e of events) for (const c of e.candles) expect(partitionOf(c.symbol, 3), c.symbol).toBe(e.partition);
    expectCandlesMatchSql(db);
    db.close();
    reference.db.close();
  });

  it('a consumer new to the database (another bus or group) amends the windows others left open, never overwrites them', async () => {
    const ticks = stream(
      Array.from({ length: 400 }, (_, i) => ({
        symbol: SYMBOLS[i % 3]!,
        dt: 50,
        jitter: 0,
        price: 100 + (i % 7) / 4,
        volume: 1 + (i % 5),
        side: i % 2 ? ('buy' as const) : ('sell' as const),
      })),
      () => 0,
    );
    const { db, store } = open();
    try {
      // First on the in-process bus as group 'local', then the same database on another group (a switch to Kafka).
      for (const [groupId, part] of [
        ['local', ticks.slice(0, 200)],
        ['market-monitor-1234abcd', ticks.slice(200)],
      ] as const) {
        const processor = new TickProcessor(store, { ...options(1_000, 60_000), groupId });
        const log = new InProcessLog({ topic: TOPIC, partitions: 2 });
        await log.subscribe(processor);
        await log.publish(part);
        await until(() => log.health().buffered === 0, `${groupId} to catch up`);
        await log.close();
      }
      expect(store.tickCount()).toBe(ticks.length);
      // The 1h window holds both runs' ticks: the second consumer continued it rather than starting it anew.
      expectCandlesMatchSql(db);
    } finally {
      db.close();
    }
  });

  it('after a restart on the same database, ends with exactly the results of an uninterrupted run', async () => {
    const tmp = tempDir();
    let run = 0;
    // Not a vacuous property: some runs must see late ticks and amend restored windows after the restart.
    let lateAfterRestart = 0;
    let windowsSpanningRestart = 0;
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(stepArb, { minLength: 30, maxLength: 200 }),
          fc.array(fc.integer({ min: 1, max: 25 }), { minLength: 1, maxLength: 4 }),
          fc.integer({ min: 10, max: 90 }),
          async (steps, sizes, cut) => {
            // Jitter up to 8 s behind with 1 s + 2 s of tolerance: some ticks are late, some amend passed windows.
            const ticks = stream(steps, (j) => -j * 8);
            const batches = batchesOf(ticks, 2, sizes);
            const split = Math.floor((cut / 100) * batches.length);
            const opts = options(1_000, 2_000);

            const reference = open();
            const uninterrupted = new TickProcessor(reference.store, opts);
            for (const b of batches) await uninterrupted.onBatch(b);

            const file = path.join(tmp.dir, `restart-${run++}.db`);
            let first = open(file);
            const before = new TickProcessor(first.store, opts);
            for (const b of batches.slice(0, split)) await before.onBatch(b);
            first.db.close(); // the process ends here

            first = open(file);
            const after = new TickProcessor(first.store, opts);
            for (const b of batches.slice(split)) {
              const resume = after.resumeOffset(b.topic, b.partition);
              if (resume !== undefined) expect(resume).toBe(b.records[0]!.offset);
              await after.onBatch(b);
            }

            for (const [name, sql] of [
              ['candles', ''],
              ['ticks', 'SELECT id, symbol, ts, price, volume, side, source FROM ticks ORDER BY id'],
              ['dead letters', 'SELECT topic, partition, offset, reason, payload FROM dead_letters ORDER BY id'],
              [
                'checkpoints',
                'SELECT consumer_group, topic, partition, next_offset, max_event_ts FROM checkpoints ORDER BY partition',
              ],
            ] as const) {
              const got = sql ? first.db.prepare(sql).all() : storedCandles(first.db);
              const want = sql ? reference.db.prepare(sql).all() : storedCandles(reference.db);
              expect(got, name).toEqual(want);
            }
            lateAfterRestart += after.counters.late;
            const firstHalf = new Set(
              batches
                .slice(0, split)
                .flatMap((b) =>
                  b.records.map((r) => `${(r.value as Tick).symbol}|${Math.floor((r.value as Tick).ts / 1_000)}`),
                ),
            );
            windowsSpanningRestart += batches
              .slice(split)
              .flatMap((b) =>
                b.records.map((r) => `${(r.value as Tick).symbol}|${Math.floor((r.value as Tick).ts / 1_000)}`),
              )
              .filter((k) => firstHalf.has(k)).length;
            expect(after.counters.accepted + before.counters.accepted).toBe(uninterrupted.counters.accepted);
            expect(after.counters.late + before.counters.late).toBe(uninterrupted.counters.late);
            expectCandlesMatchSql(reference.db);
            first.db.close();
            reference.db.close();
          },
        ),
        { numRuns: 30 },
      );
      expect(lateAfterRestart).toBeGreaterThan(0);
      expect(windowsSpanningRestart).toBeGreaterThan(0);
    } finally {
      tmp.cleanup();
    }
  });
});

function expectCandlesMatchSqlFor(db: SqliteDatabase, intervals: string[]): void {
  for (const interval of intervals) {
    expect(storedCandles(db, interval), interval).toEqual(sqlCandles(db, interval, SIZE[interval]!));
  }
}
