import { sleep } from '../base/sleep.ts';
import type { Tick } from '../domain/tick.ts';
import { StaleBatchError } from '../domain/stale-batch-error.ts';
import { partitionOf, type BusBatch, type BusHealth, type BusRecord, type TickBus, type TickConsumer } from './bus.ts';

interface Partition {
  /** Offset of records[0]; records before it were consumed and dropped. */
  base: number;
  records: Tick[];
  position: number;
}

export interface InProcessLogOptions {
  topic?: string;
  partitions?: number;
  maxBatch?: number;
  /** publish() waits while more than this many ticks are pending, so a slow engine slows the producer instead of filling memory. */
  capacity?: number;
}

const RETRY_AFTER_FAILURE_MS = 1_000;

type Round = Array<{ part: Partition; batch: BusBatch }>;

/**
 * A partitioned, offset-addressed log in memory: the bus when no Kafka is configured. It lives as
 * long as the process, so it starts empty at offset 0 on every run.
 */
export class InProcessLog implements TickBus {
  readonly kind = 'in-process' as const;
  readonly topic: string;
  private readonly parts: Partition[];
  private readonly maxBatch: number;
  private readonly capacity: number;
  private consumer: TickConsumer | undefined;
  private delivering = false;
  private closed = false;
  private drainWaiters: Array<() => void> = [];
  private failure: string | undefined;
  private firstServed = 0;

  constructor(options: InProcessLogOptions = {}) {
    this.topic = options.topic ?? 'market.ticks';
    // Small enough that one batch (validate, aggregate, commit) stays well inside a 16 ms frame.
    this.maxBatch = options.maxBatch ?? 1_000;
    this.capacity = options.capacity ?? 1_000_000;
    this.parts = Array.from({ length: options.partitions ?? 4 }, () => ({ base: 0, records: [], position: 0 }));
  }

  async publish(ticks: readonly Tick[]): Promise<void> {
    if (this.closed) throw new Error('The in-process bus is closed');
    for (const tick of ticks) this.parts[partitionOf(tick.symbol, this.parts.length)]!.records.push(tick);
    this.scheduleDelivery();
    while (this.pending() > this.capacity && !this.closed) {
      await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    }
  }

  async subscribe(consumer: TickConsumer): Promise<void> {
    // The log lives in memory, but offsets go on from where the stored results end, so a
    // checkpoint from an earlier run never looks newer than this run's records.
    this.parts.forEach((p, partition) => {
      const resume = consumer.resumeOffset(this.topic, partition);
      if (resume !== undefined && p.position === p.base) p.base = p.position = resume;
    });
    this.consumer = consumer;
    this.scheduleDelivery();
  }

  health(): BusHealth {
    return {
      kind: this.kind,
      topic: this.topic,
      connected: !this.closed,
      buffered: this.pending(),
      bufferCapacity: this.capacity,
      partitions: this.parts.map((p, partition) => {
        const endOffset = p.base + p.records.length;
        return { partition, endOffset, consumedOffset: p.position, lag: endOffset - p.position };
      }),
      ...(this.failure ? { error: this.failure } : {}),
    };
  }

  async refresh(): Promise<BusHealth> {
    return this.health();
  }

  publishCompany(): void {
    // One process: the companies table is already where every reader looks.
  }

  deadLetter(): void {
    // SQLite's dead_letters table is the whole dead-letter log when there is no Kafka.
  }

  async close(): Promise<void> {
    this.closed = true;
    this.releaseWaiters();
    while (this.delivering) await sleep(5);
  }

  private pending(): number {
    let n = 0;
    for (const p of this.parts) n += p.base + p.records.length - p.position;
    return n;
  }

  private scheduleDelivery(): void {
    if (this.delivering || !this.consumer || this.closed) return;
    this.delivering = true;
    setImmediate(() => void this.deliver());
  }

  private async deliver(): Promise<void> {
    const consumer = this.consumer!;
    let failed = false;
    // Outside the loop so that the catch knows which partitions the failed round held.
    let round: Round = [];
    try {
      while (!this.closed && (round = this.nextRound()).length > 0) {
        await this.hand(consumer, round);
        this.failure = undefined;
        this.releaseWaiters();
        // Yield to timers and I/O after each round: the UI's messages and the producer must not wait.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      // The engine rebuilt its state from SQLite: go on from what SQLite holds, as the Kafka consumer
      // does. A batch refused as stale was stored already (re-offering it would be refused for ever),
      // so that needs no pause; any other failure offers the same records again shortly.
      let moved = false;
      for (const { batch } of round) moved = this.resumeFromStored(consumer, batch.partition) || moved;
      // Should the stored offset not have moved it, offering the batch again at once would spin.
      failed = !(error instanceof StaleBatchError && moved);
      if (failed) this.failure = error instanceof Error ? error.message : String(error);
      this.releaseWaiters();
    } finally {
      this.delivering = false;
    }
    if (failed) setTimeout(() => this.scheduleDelivery(), RETRY_AFTER_FAILURE_MS).unref();
    else if (this.pending() > 0) this.scheduleDelivery();
  }

  /**
   * A consumer that takes partitions together gets the round in one call (one transaction);
   * another one batch at a time. Each partition moves on only once its batch was taken.
   */
  private async hand(consumer: TickConsumer, round: Round): Promise<void> {
    const taken = ({ part, batch }: Round[number]) => {
      part.position += batch.records.length;
      this.compact(part);
    };
    if (consumer.onBatches) {
      await consumer.onBatches(round.map((r) => r.batch));
      round.forEach(taken);
    } else {
      for (const entry of round) {
        await consumer.onBatch(entry.batch);
        taken(entry);
      }
    }
  }

  /**
   * What every partition has pending, up to maxBatch records in all: at 10,000 ticks/s the
   * simulator's 20 ms emits then cost one commit each instead of one per partition, and a backlog
   * still goes in rounds short enough for the engine's thread. The first partition served turns,
   * so no partition waits behind another's backlog.
   */
  private nextRound(): Round {
    const round: Round = [];
    let budget = this.maxBatch;
    const count = this.parts.length;
    for (let i = 0; i < count && budget > 0; i++) {
      const partition = (this.firstServed + i) % count;
      const part = this.parts[partition]!;
      const from = part.position - part.base;
      if (from >= part.records.length) continue;
      const slice = part.records.slice(from, from + budget);
      const records: BusRecord[] = slice.map((value, j) => ({ offset: part.position + j, key: value.symbol, value }));
      round.push({ part, batch: { topic: this.topic, partition, records } });
      budget -= slice.length;
    }
    this.firstServed = (this.firstServed + 1) % count;
    return round;
  }

  /**
   * Moves a partition to the offset stored with the consumer's results; true if it moved. Records
   * of this log before it were stored (the batch whose listener failed), so they are skipped. A
   * stored offset past the log's end was written by someone else: this log's pending records are
   * not stored, and go on under offsets from there, as at subscribe().
   */
  private resumeFromStored(consumer: TickConsumer, partition: number): boolean {
    const p = this.parts[partition];
    if (!p) return false;
    let stored: number | undefined;
    try {
      stored = consumer.resumeOffset(this.topic, partition);
    } catch {
      return false; // Unreadable now: the same records are offered again, and refused again if stored.
    }
    if (stored === undefined || stored <= p.position) return false;
    const end = p.base + p.records.length;
    if (stored <= end) p.position = stored;
    else {
      p.base += stored - p.position;
      p.position = stored;
    }
    this.compact(p);
    return true;
  }

  private compact(p: Partition): void {
    const consumed = p.position - p.base;
    if (consumed >= 10_000 || consumed === p.records.length) {
      p.records.splice(0, consumed);
      p.base = p.position;
    }
  }

  private releaseWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
