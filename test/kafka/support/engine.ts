import { InProcessLog } from '../../../engine/bus/in-process-log.ts';
import { KafkaBus } from '../../../engine/bus/kafka/kafka-bus.ts';
import { KafkaSettingsSchema } from '../../../engine/domain/bus-settings.ts';
import type { Interval } from '../../../engine/domain/interval.ts';
import type { Tick } from '../../../engine/domain/tick.ts';
import { openDatabase, type SqliteDatabase } from '../../../engine/store/database.ts';
import { MarketStore } from '../../../engine/store/market-store.ts';
import { TickProcessor } from '../../../engine/stream/tick-processor.ts';
import { storedCandles } from '../../unit/helpers.ts';

export const INTERVALS: Interval[] = ['1s', '1m', '5m', '1h'];
export const STREAM = { outOfOrdernessMs: 2_000, allowedLatenessMs: 60_000 };

/** The engine as the app builds it (processor + SQLite store) on a Kafka bus. */
export interface KafkaEngine {
  db: SqliteDatabase;
  store: MarketStore;
  processor: TickProcessor;
  bus: KafkaBus;
  close(): Promise<void>;
}

export function kafkaEngine(opts: {
  dbFile: string;
  brokers: string[];
  topic: string;
  groupId: string;
  partitions?: number;
  sessionTimeoutMs?: number;
  /** Ticks the producer queues before publish() waits (1,000 here unless given; the app's default is 200,000). */
  bufferCapacity?: number;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
}): KafkaEngine {
  const db = openDatabase(opts.dbFile);
  const store = new MarketStore(db);
  const processor = new TickProcessor(store, { groupId: opts.groupId, intervals: INTERVALS, ...STREAM });
  const bus = new KafkaBus({
    settings: KafkaSettingsSchema.parse({
      brokers: opts.brokers,
      dlqTopic: `${opts.topic}.dlq`,
      companiesTopic: `${opts.topic}.companies`,
      bufferCapacity: opts.bufferCapacity ?? 1_000,
      ...(opts.sessionTimeoutMs ? { sessionTimeoutMs: opts.sessionTimeoutMs } : {}),
      ...(opts.sasl ? { sasl: opts.sasl } : {}),
    }),
    topic: opts.topic,
    partitions: opts.partitions ?? 3,
    groupId: opts.groupId,
    probeEveryMs: 500,
  });
  // As MarketMonitor does: dead letters go to the DLQ topic once they are stored.
  processor.onCommitted((batch) => bus.deadLetter(batch.deadLetters));
  return {
    db,
    store,
    processor,
    bus,
    async close() {
      await bus.close();
      db.close();
    },
  };
}

/** The same ticks through the in-process bus: the reference a Kafka run must match. */
export async function referenceCandles(ticks: readonly Tick[]): Promise<Record<string, unknown>[]> {
  const db = openDatabase(':memory:');
  const processor = new TickProcessor(new MarketStore(db), { groupId: 'ref', intervals: INTERVALS, ...STREAM });
  const log = new InProcessLog({ partitions: 3 });
  await log.subscribe(processor);
  await log.publish(ticks);
  while ((await log.refresh()).partitions.some((p) => p.lag > 0)) await new Promise((r) => setTimeout(r, 5));
  const candles = storedCandles(db);
  await log.close();
  db.close();
  return candles;
}

/** Ticks stored so far, by reading the checkpoints: the sum of next offsets over a topic's partitions. */
export function storedOffsets(db: SqliteDatabase, groupId: string, topic: string): number {
  const row = db
    .prepare('SELECT coalesce(sum(next_offset), 0) AS n FROM checkpoints WHERE consumer_group = ? AND topic = ?')
    .get(groupId, topic) as { n: number };
  return row.n;
}

export async function waitFor<T>(
  probe: () => T | Promise<T>,
  done: (v: T) => boolean,
  what: string,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
