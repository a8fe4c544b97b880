import type { Tick } from '../domain/tick.ts';

/** One message as the bus delivers it: the value is untrusted until the engine validates it. */
export interface BusRecord {
  offset: number;
  key: string;
  value: unknown;
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
}

export interface PartitionHealth {
  partition: number;
  endOffset: number;
  consumedOffset: number;
  lag: number;
}

export interface BusHealth {
  kind: 'in-process' | 'kafka';
  topic: string;
  connected: boolean;
  partitions: PartitionHealth[];
  /** Ticks accepted by publish() but not yet handed to the broker or the consumer. */
  buffered: number;
  bufferCapacity: number;
  error?: string;
}

/** The transport between producer and engine: an in-process log by default, Kafka when configured. */
export interface TickBus {
  readonly kind: BusHealth['kind'];
  readonly topic: string;
  publish(ticks: readonly Tick[]): Promise<void>;
  subscribe(consumer: TickConsumer): Promise<void>;
  health(): BusHealth;
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
