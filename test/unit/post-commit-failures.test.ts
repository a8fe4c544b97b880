import path from 'node:path';
import { describe, it, expect, vi } from 'vitest';
import type { Notice } from '../../engine/api/contract.ts';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import type { BusBatch, TickConsumer } from '../../engine/bus/bus.ts';
import { InProcessLog } from '../../engine/bus/in-process-log.ts';
import type { Tick } from '../../engine/domain/tick.ts';
import { openDatabase, type SqliteDatabase } from '../../engine/store/database.ts';
import { MarketStore, StaleBatchError } from '../../engine/store/market-store.ts';
import { ContainedListeners } from '../../engine/stream/contained-listeners.ts';
import { TickProcessor, type BatchCommitted } from '../../engine/stream/tick-processor.ts';
import { sqlCandles, storedCandles, tempDir, until } from './helpers.ts';

const SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'BRK-B', 'EURUSD=X', 'TSLA'];
const BASE = 1_700_000_000_000;

/** Ordered ticks over a few seconds; whole prices and volumes, so SQLite's sums are exact. */
function ticks(n: number, from = 0): Tick[] {
  return Array.from({ length: n }, (_, i) => ({
    symbol: SYMBOLS[(from + i) % SYMBOLS.length]!,
    ts: BASE + (from + i) * 7,
    price: 100 + ((from + i) % 13),
    volume: 1 + ((from + i) % 5),
    source: 'replay' as const,
  }));
}

function engine(onListenerFailure?: ConstructorParameters<typeof TickProcessor>[1]['onListenerFailure']) {
  const db = openDatabase(':memory:');
  const store = new MarketStore(db);
  const processor = new TickProcessor(store, {
    groupId: 'local',
    intervals: ['1s', '1m'],
    outOfOrdernessMs: 1_000,
    allowedLatenessMs: 0,
    ...(onListenerFailure ? { onListenerFailure } : {}),
  });
  // Small batches: a run is many batches per partition, so "after the failure" means something.
  const log = new InProcessLog({ partitions: 3, maxBatch: 10 });
  return { db, store, processor, log };
}

/** Every candle as a recomputation from the stored ticks gives it (money sums to float rounding). */
function expectCandlesRecomputable(db: SqliteDatabase): void {
  for (const [interval, size] of [
    ['1s', 1_000],
    ['1m', 60_000],
  ] as const) {
    const expected = sqlCandles(db, interval, size);
    const got = storedCandles(db, interval);
    expect(got.length).toBe(expected.length);
    got.forEach((row, i) => {
      for (const [column, value] of Object.entries(expected[i]!)) {
        if (column === 'turnover' || column.endsWith('volume')) expect(row[column]).toBeCloseTo(value as number, 6);
        else expect(row[column], `${interval} ${row.symbol} ${row.start} ${column}`).toBe(value);
      }
    });
  }
}

const lag = (log: InProcessLog) => log.health().partitions.reduce((n, p) => n + p.lag, 0);

describe('ContainedListeners', () => {
  it('runs every listener whatever the others throw, counts per name, and survives its own reporter', () => {
    const ran: string[] = [];
    const listeners = new ContainedListeners<number>(() => {
      throw new Error('the log is full');
    });
    listeners.add('first', (n) => {
      ran.push(`first ${n}`);
      if (n % 2 === 0) throw new Error(`even ${n}`);
    });
    const remove = listeners.add('second', (n) => {
      ran.push(`second ${n}`);
      throw 'not an Error';
    });
    for (const n of [1, 2, 3, 4]) expect(() => listeners.emit(n)).not.toThrow();
    remove();
    listeners.emit(6);
    expect(ran).toEqual([
      'first 1',
      'second 1',
      'first 2',
      'second 2',
      'first 3',
      'second 3',
      'first 4',
      'second 4',
      'first 6',
    ]);
    expect(listeners.failureList().map(({ name, count, lastMessage }) => ({ name, count, lastMessage }))).toEqual([
      { name: 'second', count: 4, lastMessage: 'not an Error' },
      { name: 'first', count: 3, lastMessage: 'even 6' },
    ]);
  });
});

describe('a post-commit listener that fails', () => {
  it('is counted and reported, the others still run, and ticks keep flowing: nothing lost or counted twice', async () => {
    const reported: string[] = [];
    const { db, store, processor, log } = engine((failure) => reported.push(`${failure.name} ${failure.count}`));
    const seen: BatchCommitted[] = [];
    let fail = true;
    processor.onCommitted(() => {
      if (fail) {
        fail = false;
        throw new Error('SQLITE_BUSY: database is locked');
      }
    }, 'alerts');
    processor.onCommitted((batch) => seen.push(batch), 'quote board');
    await log.subscribe(processor);

    const all = ticks(600);
    await log.publish(all.slice(0, 300));
    await log.publish(all.slice(300));
    await until(() => lag(log) === 0 && store.tickCount() === all.length, 'every tick stored');

    expect(fail).toBe(false);
    expect(processor.listenerFailures()).toEqual([
      { name: 'alerts', count: 1, lastMessage: 'SQLITE_BUSY: database is locked', lastAt: expect.any(Number) },
    ]);
    expect(reported).toEqual(['alerts 1']);
    expect(log.health().error).toBeUndefined();
    // The listener after the failing one saw every batch, each once.
    expect(seen.reduce((n, b) => n + b.accepted, 0)).toBe(all.length);
    expect(processor.counters.accepted).toBe(all.length);
    expectCandlesRecomputable(db);
    await log.close();
    db.close();
  });
});

describe('the in-process log after a handler throws', () => {
  it('resumes from the offset stored with the results: a batch stored before the throw is not offered for ever', async () => {
    const { db, store, processor, log } = engine();
    const offered: BusBatch[] = [];
    let throwAfterCommit = true;
    // What an uncontained listener did: the round is committed, then the handler throws. Rounds of
    // every partition, as the log hands them to the processor in the app.
    const consumer: TickConsumer = {
      groupId: processor.groupId,
      resumeOffset: (topic, partition) => processor.resumeOffset(topic, partition),
      onBatch: (batch) => consumer.onBatches!([batch]),
      onBatches: async (batches) => {
        offered.push(...batches);
        await processor.onBatches(batches);
        if (throwAfterCommit) {
          throwAfterCommit = false;
          throw new Error('a listener failed after the commit');
        }
      },
    };
    await log.subscribe(consumer);
    const all = ticks(400);
    await log.publish(all);
    await until(() => lag(log) === 0 && store.tickCount() === all.length, 'every tick stored');

    expect(store.tickCount()).toBe(all.length);
    expect(processor.counters.accepted).toBe(all.length);
    // The failed batch was offered once: the log moved on to the stored offset instead of re-offering it.
    const starts = offered.map((b) => `${b.partition}@${b.records[0]!.offset}`);
    expect(new Set(starts).size).toBe(starts.length);
    expect(throwAfterCommit).toBe(false);
    expect(log.health().error).toBeUndefined();
    expectCandlesRecomputable(db);
    await log.close();
    db.close();
  });

  it('renumbers its pending records from a stored offset past its end: someone else stored those offsets', async () => {
    const log = new InProcessLog({ partitions: 1 });
    const delivered: BusBatch[] = [];
    let stored: number | undefined;
    await log.subscribe({
      groupId: 'local',
      resumeOffset: () => stored,
      onBatch: async (batch) => {
        if (stored === undefined) {
          stored = 500;
          throw new StaleBatchError(batch.topic, batch.partition, stored, batch.records[0]!.offset);
        }
        delivered.push(batch);
        stored = batch.records.at(-1)!.offset + 1;
      },
    });
    const all = ticks(10);
    await log.publish(all);
    await until(() => lag(log) === 0 && delivered.length > 0, 'the records delivered');
    expect(delivered.flatMap((b) => b.records.map((r) => [r.offset, r.value]))).toEqual(
      all.map((tick, i) => [500 + i, tick]),
    );
    await log.close();
  });

  it('offers the same records again after a failure that stored nothing', async () => {
    const { db, store, processor, log } = engine();
    let failures = 0;
    const consumer: TickConsumer = {
      groupId: processor.groupId,
      resumeOffset: (topic, partition) => processor.resumeOffset(topic, partition),
      onBatch: (batch) => consumer.onBatches!([batch]),
      onBatches: async (batches) => {
        if (failures++ === 0) throw new Error('disk I/O error');
        await processor.onBatches(batches);
      },
    };
    await log.subscribe(consumer);
    const all = ticks(120);
    await log.publish(all);
    await until(() => log.health().error === 'disk I/O error', 'the failure reported');
    await until(() => lag(log) === 0 && store.tickCount() === all.length, 'every tick stored');
    expect(log.health().error).toBeUndefined();
    expectCandlesRecomputable(db);
    await log.close();
    db.close();
  });
});

describe('MarketMonitor when one of its post-commit listeners fails once', () => {
  it('reports it (status, notice, log), and every partition keeps flowing with candles equal to the stored ticks', async () => {
    const tmp = tempDir();
    const logged: string[] = [];
    const symbols = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'TSLA', 'META'];
    const app = await MarketMonitor.open({
      dbPath: path.join(tmp.dir, 'market.db'),
      overrides: { source: { simulator: { ticksPerSecond: 1_000 } } },
      starterSymbols: symbols,
      log: (line) => logged.push(line),
    });
    try {
      const notices: Notice[] = [];
      app.events.subscribe((event, payload) => event === 'notice' && notices.push(payload as Notice));
      const ticksOf = (symbol: string) =>
        (app.db.prepare('SELECT count(*) AS n FROM ticks WHERE symbol = ?').get(symbol) as { n: number }).n;
      await until(() => app.store.tickCount() > 200, 'some ticks');
      // A real repo on the real database, made to fail once the way a locked database would.
      vi.spyOn(app.anomalies, 'record').mockImplementationOnce(() => {
        throw new Error('SQLITE_BUSY: database is locked');
      });
      await until(() => app.status().engine.listenerErrors.length > 0, 'the failure reported');
      const before = symbols.map(ticksOf);
      await until(() => symbols.every((s, i) => ticksOf(s) > before[i]! + 50), 'ticks of every symbol after it');

      app.setPaused(true);
      await new Promise((resolve) => setTimeout(resolve, 150)); // an emit already on its way may still land
      await app.drain();
      const status = app.status();
      expect(status.engine.listenerErrors).toEqual([
        { name: 'anomalies', count: 1, lastMessage: 'SQLITE_BUSY: database is locked', lastAt: expect.any(Number) },
      ]);
      expect(status.bus.error).toBeUndefined();
      expect(status.bus.partitions.every((p) => p.lag === 0)).toBe(true);
      expect(status.engine.accepted).toBe(app.store.tickCount());
      expect(logged).toEqual([expect.stringContaining('"anomalies" failed: SQLITE_BUSY: database is locked')]);
      await until(() => notices.some((n) => n.message.includes('anomalies failed')), 'a notice');
      expectCandlesRecomputable(app.db);
    } finally {
      await app.close();
      tmp.cleanup();
    }
  }, 30_000);
});
