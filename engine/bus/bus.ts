import type { CompanyProfile } from '../domain/company.ts';
import type { Tick } from '../domain/tick.ts';
import type { DeadLetter } from '../domain/dead-letter.ts';
import type { BusHealth } from '../domain/bus-health.ts';
import type { Candle } from '../domain/candle.ts';

/** One message as the bus delivers it: the value is untrusted until the engine validates it. */
export interface BusRecord {
  offset: number;
  key: string;
  value: unknown;
  /** Why the bytes could not even be decoded (not JSON, too large...): the engine dead-letters it. */
  error?: string;
}

export interface BusBatch {
  topic: string;
  partition: number;
  records: BusRecord[];
}

export interface TickConsumer {
  groupId: string;
  /** Where to resume in a partition (the offset stored with the results), or undefined to start at the beginning. */
  resumeOffset(topic: string, partition: number): number | undefined;
  /** Called with one partition's batch at a time; the next batch waits for the promise. */
  onBatch(batch: BusBatch): Promise<void>;
  /**
   * Where given, a bus that has records of several partitions at once may hand them over together,
   * one batch per partition: all stored in one go or none (the bus then resumes each partition from
   * the offset the consumer stored, and offers them again).
   */
  onBatches?(batches: readonly BusBatch[]): Promise<void>;
  /**
   * The bus handed some partitions to another consumer or took some back (a Kafka rebalance):
   * in-memory state may be stale, so the consumer rebuilds it from what it stored.
   */
  onAssignmentChanged?(): void;
}

export type { BusHealth, KafkaHealth, PartitionHealth } from '../domain/bus-health.ts';

/**
 * Whether the engine may still have ticks to take from the bus. A bus that cannot see its cluster
 * shows the end offsets of its last good look, which the engine may already have reached while
 * newer records wait in the topic: that counts as behind, not as caught up.
 */
export function busBehind(health: BusHealth): boolean {
  return health.buffered > 0 || health.partitions.some((p) => p.lag > 0) || !health.connected;
}

/** The transport between producer and engine: an in-process log by default, Kafka when configured. */
export interface TickBus {
  readonly kind: BusHealth['kind'];
  readonly topic: string;
  publish(ticks: readonly Tick[]): Promise<void>;
  subscribe(consumer: TickConsumer): Promise<void>;
  health(): BusHealth;
  /** The health as the bus finds it now: a Kafka bus asks the cluster instead of its last poll. */
  refresh(): Promise<BusHealth>;
  /** Hands dead letters (already stored in SQLite) to a dead-letter topic, where the bus has one. */
  deadLetter(letters: readonly DeadLetter[]): void;
  /** Shares a company profile with other instances, where the bus has a topic for them. */
  publishCompany(profile: CompanyProfile): void;
  /** Whether publishCandles sends anywhere (a Kafka engine that shares its candles with viewers). */
  readonly publishesCandles?: boolean;
  /**
   * Hands a batch's candle versions to the candle topics and settles once the broker holds them;
   * the engine calls it before committing the batch. Absent or a no-op where there are none.
   */
  publishCandles?(candles: readonly Candle[]): Promise<void>;
  close(): Promise<void>;
}

/** Stable partition of a key (FNV-1a), so one symbol always lands in one partition and stays ordered. */
export function partitionOf(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
