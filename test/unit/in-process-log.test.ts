import { describe, it, expect, afterEach } from 'vitest';
import fc from 'fast-check';
import { partitionOf, type BusBatch, type TickConsumer } from '../../engine/bus/bus.ts';
import { InProcessLog } from '../../engine/bus/in-process-log.ts';
import { StaleBatchError } from '../../engine/domain/stale-batch-error.ts';
import type { Tick } from '../../engine/domain/tick.ts';

const SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'BRK-B', 'EURUSD=X', '^GSPC', 'GC=F', 'TSLA'];

/** A consumer that records batches and can be held at a gate. */
class Recorder implements TickConsumer {
  readonly groupId = 'test';
  readonly batches: BusBatch[] = [];
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;
  inBatch = false;

  hold(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  release(): void {
    this.openGate?.();
    this.gate = undefined;
  }

  resumeOffset(): number | undefined {
    return undefined;
  }

  async onBatch(batch: BusBatch): Promise<void> {
    this.inBatch = true;
    if (this.gate) await this.gate;
    this.batches.push({ ...batch, records: [...batch.records] });
    this.inBatch = false;
  }

  delivered(): Array<{ partition: number; offset: number; tick: Tick }> {
    return this.batches.flatMap((b) =>
      b.records.map((r) => ({ partition: b.partition, offset: r.offset, tick: r.value as Tick })),
    );
  }
}

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** A consumer that takes every partition of a round in one call, and can refuse the next `failures` rounds. */
class RoundRecorder extends Recorder {
  readonly rounds: BusBatch[][] = [];
  failures = 0;

  async onBatches(batches: readonly BusBatch[]): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('disk full');
    }
    this.rounds.push(batches.map((b) => ({ ...b, records: [...b.records] })));
    for (const b of batches) this.batches.push({ ...b, records: [...b.records] });
  }

  /** Every delivered tick, by event time (the published order of ticksOf's ticks). */
  ticksByTime(): Tick[] {
    return this.delivered()
      .map((d) => d.tick)
      .sort((a, b) => a.ts - b.ts);
  }
}

function ticksOf(symbols: readonly string[], n: number, seed = 1): Tick[] {
  const out: Tick[] = [];
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1_103_515_245) + 12_345) >>> 0;
    out.push({ symbol: symbols[s % symbols.length]!, ts: 1_000 + i, price: 100 + i, volume: i, source: 'replay' });
  }
  return out;
}

/** FNV-1a 32 written out again, to check the bus's partitioner against published test vectors. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const logs: InProcessLog[] = [];
function newLog(options: ConstructorParameters<typeof InProcessLog>[0]): InProcessLog {
  const log = new InProcessLog(options);
  logs.push(log);
  return log;
}

afterEach(async () => {
  for (const log of logs.splice(0)) await log.close();
});

describe('partitionOf', () => {
  it('is FNV-1a of the key modulo the partition count', () => {
    // Published FNV-1a 32-bit vectors.
    expect(partitionOf('', 2 ** 32)).toBe(0x811c9dc5);
    expect(partitionOf('a', 2 ** 32)).toBe(0xe40c292c);
    expect(partitionOf('foobar', 2 ** 32)).toBe(0xbf9cf968);
    fc.assert(
      fc.property(fc.string({ maxLength: 24, unit: 'binary-ascii' }), fc.integer({ min: 1, max: 256 }), (key, n) => {
        const p = partitionOf(key, n);
        expect(p).toBe(fnv1a(key) % n);
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThan(n);
      }),
    );
  });
});

describe('InProcessLog', () => {
  it('delivers every published tick exactly once, a symbol always in one partition, offsets consecutive, in publish order', async () => {
    const log = newLog({ partitions: 3, maxBatch: 7 });
    const consumer = new Recorder();
    await log.subscribe(consumer);
    const published: Tick[] = [];
    for (let round = 0; round < 5; round++) {
      const ticks = ticksOf(SYMBOLS, 41 + round, round + 1);
      published.push(...ticks);
      await log.publish(ticks);
      if (round % 2 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await until(() => consumer.delivered().length >= published.length, 'delivery');
    await new Promise((resolve) => setTimeout(resolve, 20)); // nothing more may arrive
    const delivered = consumer.delivered();

    // Exactly once: the delivered ticks are the published ones (same objects, none twice).
    expect(delivered.length).toBe(published.length);
    expect(new Set(delivered.map((d) => d.tick))).toEqual(new Set(published));

    // One symbol, one partition.
    const partitionOfSymbol = new Map<string, number>();
    for (const d of delivered) {
      const seen = partitionOfSymbol.get(d.tick.symbol) ?? d.partition;
      expect(d.partition, d.tick.symbol).toBe(seen);
      partitionOfSymbol.set(d.tick.symbol, d.partition);
    }
    expect(new Set(partitionOfSymbol.values()).size).toBeGreaterThan(1);

    for (const b of consumer.batches) {
      expect(b.topic).toBe('market.ticks');
      expect(b.records.length).toBeGreaterThan(0);
      expect(b.records.length).toBeLessThanOrEqual(7);
      for (const r of b.records) expect(r.key).toBe((r.value as Tick).symbol);
    }

    // Per partition: offsets 0, 1, 2, ... and the ticks in the order they were published.
    for (let partition = 0; partition < 3; partition++) {
      const got = delivered.filter((d) => d.partition === partition);
      expect(got.map((d) => d.offset)).toEqual(got.map((_, i) => i));
      const symbolsHere = new Set(got.map((d) => d.tick.symbol));
      expect(got.map((d) => d.tick)).toEqual(published.filter((t) => symbolsHere.has(t.symbol)));
    }
  });

  it('keeps ticks published before anyone subscribes, from offset 0', async () => {
    const log = newLog({ partitions: 2 });
    const ticks = ticksOf(SYMBOLS, 20);
    await log.publish(ticks);
    expect(log.health().buffered).toBe(20);
    const consumer = new Recorder();
    await log.subscribe(consumer);
    await until(() => consumer.delivered().length === 20, 'delivery');
    for (let partition = 0; partition < 2; partition++) {
      const offsets = consumer
        .delivered()
        .filter((d) => d.partition === partition)
        .map((d) => d.offset);
      expect(offsets).toEqual(offsets.map((_, i) => i));
    }
  });

  it('reports lag per partition: published minus consumed', async () => {
    const log = newLog({ partitions: 4, maxBatch: 1_000 });
    const consumer = new Recorder();
    consumer.hold();
    await log.subscribe(consumer);
    const ticks = ticksOf(SYMBOLS, 60);
    await log.publish(ticks);
    await until(() => consumer.inBatch, 'first batch');

    const expectedEnd = [0, 1, 2, 3].map((p) => ticks.filter((t) => partitionOf(t.symbol, 4) === p).length);
    let health = log.health();
    expect(health.kind).toBe('in-process');
    expect(health.connected).toBe(true);
    expect(health.buffered).toBe(60);
    expect(health.partitions).toEqual(
      expectedEnd.map((end, partition) => ({ partition, endOffset: end, consumedOffset: 0, lag: end })),
    );

    consumer.release();
    await until(() => log.health().buffered === 0, 'catch-up');
    health = log.health();
    expect(health.partitions).toEqual(
      expectedEnd.map((end, partition) => ({ partition, endOffset: end, consumedOffset: end, lag: 0 })),
    );

    // Offsets keep counting after the consumed records are dropped from memory.
    await log.publish(ticks.slice(0, 10));
    await until(() => log.health().buffered === 0, 'second catch-up');
    const moreEnd = [0, 1, 2, 3].map(
      (p) => expectedEnd[p]! + ticks.slice(0, 10).filter((t) => partitionOf(t.symbol, 4) === p).length,
    );
    expect(log.health().partitions.map((p) => [p.endOffset, p.consumedOffset, p.lag])).toEqual(
      moreEnd.map((end) => [end, end, 0]),
    );
    const last = consumer.delivered().slice(-10);
    for (const d of last) expect(d.offset).toBeGreaterThanOrEqual(expectedEnd[d.partition]!);
  });

  it('publish() waits while more than capacity is pending and resumes once the consumer catches up', async () => {
    const log = newLog({ partitions: 2, capacity: 10, maxBatch: 4 });
    const consumer = new Recorder();
    consumer.hold();
    await log.subscribe(consumer);

    let resolved = false;
    let bufferedAtResolve = -1;
    const publishing = log.publish(ticksOf(SYMBOLS, 30)).then(() => {
      resolved = true;
      bufferedAtResolve = log.health().buffered;
    });
    await until(() => consumer.inBatch, 'the consumer to start');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(resolved).toBe(false);
    expect(log.health().buffered).toBe(30);

    consumer.release();
    await publishing;
    expect(resolved).toBe(true);
    expect(bufferedAtResolve).toBeLessThanOrEqual(10);
    await until(() => consumer.delivered().length === 30, 'all delivered');

    // Under capacity, publish returns without waiting for the consumer.
    consumer.hold();
    await log.publish(ticksOf(SYMBOLS, 5));
    expect(log.health().buffered).toBe(5);
    consumer.release();
  });

  it('refuses to publish once closed, and close() releases a waiting publisher', async () => {
    const log = newLog({ partitions: 1, capacity: 1 });
    const consumer = new Recorder();
    consumer.hold();
    await log.subscribe(consumer);
    const waiting = log.publish(ticksOf(SYMBOLS, 5));
    await until(() => consumer.inBatch, 'the consumer to start');
    const closing = log.close();
    await waiting; // must not hang
    consumer.release();
    await closing;
    expect(log.health().connected).toBe(false);
    await expect(log.publish(ticksOf(SYMBOLS, 1))).rejects.toThrow(/closed/);
  });

  it('hands a consumer that takes rounds every partition at once, at most maxBatch records in all, each once', async () => {
    const log = newLog({ partitions: 3, maxBatch: 10 });
    const consumer = new RoundRecorder();
    const published = ticksOf(SYMBOLS, 60);
    await log.publish(published);
    await log.subscribe(consumer);
    await until(() => consumer.delivered().length >= published.length, 'delivery');
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(consumer.ticksByTime()).toEqual(published);
    for (const round of consumer.rounds) {
      expect(round.reduce((n, b) => n + b.records.length, 0)).toBeLessThanOrEqual(10);
      expect(new Set(round.map((b) => b.partition)).size).toBe(round.length);
    }
    // Small emits, as at 10,000 ticks/s: one call takes what every partition has.
    const small = ticksOf(SYMBOLS, 9, 7);
    const before = consumer.rounds.length;
    await log.publish(small);
    await until(() => consumer.delivered().length >= published.length + small.length, 'the small emit');
    expect(consumer.rounds.length).toBe(before + 1);
    expect(consumer.rounds.at(-1)!.length).toBe(new Set(small.map((t) => partitionOf(t.symbol, 3))).size);
  });

  it('offers a refused round again whole, so each record is taken once', async () => {
    const log = newLog({ partitions: 3, maxBatch: 100 });
    const consumer = new RoundRecorder();
    consumer.failures = 1;
    const published = ticksOf(SYMBOLS, 30);
    await log.publish(published);
    await log.subscribe(consumer);
    await until(() => log.health().error !== undefined, 'the refusal');
    expect(consumer.delivered()).toHaveLength(0);
    await until(() => consumer.delivered().length >= published.length, 'the retry', 5_000);
    expect(consumer.ticksByTime()).toEqual(published);
    expect(log.health().error).toBeUndefined();
    expect(log.health().partitions.every((p) => p.lag === 0)).toBe(true);
  });

  it('serves the partitions of a round in turn, so a backlog in one does not hold back another', async () => {
    const log = newLog({ partitions: 3, maxBatch: 10 });
    const consumer = new RoundRecorder();
    const busy = SYMBOLS.find((symbol) => partitionOf(symbol, 3) === 0)!;
    const quiet = SYMBOLS.find((symbol) => partitionOf(symbol, 3) !== 0)!;
    const backlog = ticksOf([busy], 50);
    await log.publish([...backlog, { symbol: quiet, ts: 5_000, price: 1, volume: 1, source: 'replay' }]);
    await log.subscribe(consumer);
    await until(() => consumer.delivered().length === 51, 'delivery');
    const roundOfQuiet = consumer.rounds.findIndex((round) => round.some((b) => b.partition !== 0));
    expect(roundOfQuiet).toBeGreaterThanOrEqual(0);
    expect(roundOfQuiet).toBeLessThan(2);
  });

  it('moves a partition refused as stale inside a round to its stored offset, and offers the others again once', async () => {
    const log = newLog({ partitions: 3, maxBatch: 100 });
    const stored = new Map<number, number>();
    const rounds: BusBatch[][] = [];
    let stalePartition: number | undefined;
    let skipped = 0;
    const consumer: TickConsumer = {
      groupId: 'test',
      resumeOffset: (_topic, partition) => stored.get(partition),
      onBatch: (batch) => consumer.onBatches!([batch]),
      onBatches: async (batches) => {
        if (stalePartition === undefined) {
          // Another consumer stored this partition's first records meanwhile: nothing of the round is taken.
          // The round's last partition, so that it is not also the one served first.
          stalePartition = batches.at(-1)!.partition;
          skipped = 3;
          stored.set(stalePartition, skipped);
          throw new StaleBatchError(batches[0]!.topic, stalePartition, skipped, 0);
        }
        rounds.push([...batches]);
        for (const b of batches) stored.set(b.partition, b.records.at(-1)!.offset + 1);
      },
    };
    // Ten ticks in each partition.
    const perPartition = [0, 1, 2].map((partition) => SYMBOLS.find((symbol) => partitionOf(symbol, 3) === partition)!);
    const published = Array.from({ length: 30 }, (_, i): Tick => ({
      symbol: perPartition[i % 3]!,
      ts: 1_000 + i,
      price: 100,
      volume: 1,
      source: 'replay',
    }));
    await log.publish(published);
    await log.subscribe(consumer);
    await until(() => log.health().partitions.every((p) => p.lag === 0), 'delivery');

    const delivered = rounds
      .flat()
      .flatMap((b) => b.records.map((r) => ({ partition: b.partition, offset: r.offset })));
    const expected = [0, 1, 2].flatMap((partition) =>
      published
        .filter((t) => partitionOf(t.symbol, 3) === partition)
        .map((_, offset) => ({ partition, offset }))
        .filter((r) => r.partition !== stalePartition || r.offset >= skipped),
    );
    expect(delivered.sort((a, b) => a.partition - b.partition || a.offset - b.offset)).toEqual(expected);
    expect(rounds[0]!.length).toBeGreaterThan(1);
    expect(log.health().error).toBeUndefined();
  });
});
