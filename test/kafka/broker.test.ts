// The local Kafka broker (scripts/kafka/broker.mjs) is a real broker: kafkajs can create a topic,
// produce with acks=all, consume with a group, and everything survives a clean restart on the same
// data directory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import kafkajs, { type Admin, type Consumer, type EachMessagePayload } from 'kafkajs';
import { fetchCommittedOffsets } from '../../engine/bus/kafka/committed-offsets.ts';
import { KAFKA_SKIP_REASON, restartTestKafka, startTestKafka, type TestKafka } from '../support/kafka.ts';

const { Kafka, logLevel, Partitioners } = kafkajs;

const TOPIC = 'broker-test-quotes';
const COUNT = 100;
const key = (i: number) => `sym-${String(i).padStart(3, '0')}`;
const value = (i: number) => JSON.stringify({ i, price: 100 + i / 100 });

interface Received {
  key: string;
  value: string;
  partition: number;
  offset: string;
}

describe.skipIf(KAFKA_SKIP_REASON !== null)(
  `local Kafka broker${KAFKA_SKIP_REASON ? ` (skipped: ${KAFKA_SKIP_REASON})` : ''}`,
  { timeout: 180_000 },
  () => {
    let broker: TestKafka;
    const cleanups: Array<() => Promise<unknown>> = [];

    const client = () =>
      new Kafka({
        clientId: 'broker-test',
        brokers: broker.brokers,
        logLevel: logLevel.NOTHING,
        retry: { retries: 10, initialRetryTime: 200 },
      });

    /** Reads the whole topic from offset 0 with a new consumer group, until `count` messages (and 1 s of quiet) have come. */
    async function consumeAll(groupId: string, count: number): Promise<Received[]> {
      const consumer: Consumer = client().consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1000 });
      cleanups.push(() => consumer.disconnect());
      await consumer.connect();
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
      const got: Received[] = [];
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${groupId}: got ${got.length}/${count} messages in 60 s`)),
          60_000,
        );
        let quiet: NodeJS.Timeout | undefined;
        consumer.on(consumer.events.CRASH, (e) => {
          clearTimeout(timer);
          reject(e.payload.error);
        });
        void consumer.run({
          eachMessage: async ({ partition, message }: EachMessagePayload) => {
            got.push({
              key: message.key?.toString() ?? '',
              value: message.value?.toString() ?? '',
              partition,
              offset: message.offset,
            });
            if (got.length >= count) {
              // Keep listening a moment longer so that a duplicate would show up.
              clearTimeout(quiet);
              quiet = setTimeout(() => {
                clearTimeout(timer);
                resolve();
              }, 1000);
            }
          },
        });
      });
      await consumer.disconnect();
      return got;
    }

    function expectExactlyOnce(got: Received[]) {
      expect(got).toHaveLength(COUNT);
      const byKey = new Map(got.map((m) => [m.key, m]));
      expect(byKey.size).toBe(COUNT);
      for (let i = 0; i < COUNT; i++) {
        expect(byKey.get(key(i))?.value, key(i)).toBe(value(i));
      }
      // All three partitions are used, and offsets within a partition are unique.
      expect(new Set(got.map((m) => m.partition))).toEqual(new Set([0, 1, 2]));
      expect(new Set(got.map((m) => `${m.partition}:${m.offset}`)).size).toBe(COUNT);
    }

    beforeAll(async () => {
      broker = (await startTestKafka())!;
    }, 180_000);

    afterAll(async () => {
      for (const c of cleanups.reverse()) await c().catch(() => {});
      await broker?.cleanup();
    }, 60_000);

    let firstRead: Received[] = [];

    it('creates a topic with 3 partitions, produces 100 keyed messages with acks=-1 and consumes each exactly once', async () => {
      const admin: Admin = client().admin();
      cleanups.push(() => admin.disconnect());
      await admin.connect();
      expect((await admin.describeCluster()).brokers).toHaveLength(1);
      expect(
        await admin.createTopics({
          topics: [{ topic: TOPIC, numPartitions: 3, replicationFactor: 1 }],
          waitForLeaders: true,
        }),
      ).toBe(true);
      const meta = await admin.fetchTopicMetadata({ topics: [TOPIC] });
      expect(meta.topics[0]?.partitions).toHaveLength(3);

      const producer = client().producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true });
      cleanups.push(() => producer.disconnect());
      await producer.connect();
      const results = await producer.send({
        topic: TOPIC,
        acks: -1,
        messages: Array.from({ length: COUNT }, (_, i) => ({ key: key(i), value: value(i) })),
      });
      expect(results.every((r) => r.errorCode === 0)).toBe(true);
      await producer.disconnect();

      const offsets = await admin.fetchTopicOffsets(TOPIC);
      expect(offsets.reduce((n, p) => n + Number(p.high), 0)).toBe(COUNT);
      await admin.disconnect();

      firstRead = await consumeAll('broker-test-group-1', COUNT);
      expectExactlyOnce(firstRead);
    });

    it('keeps the messages and the committed offsets across a restart on the same data directory', async () => {
      const { port, dataDir } = broker;
      broker = await restartTestKafka(broker);
      expect(broker.port).toBe(port);
      expect(broker.dataDir).toBe(dataDir);

      const admin = client().admin();
      cleanups.push(() => admin.disconnect());
      await admin.connect();
      expect(await admin.listTopics()).toContain(TOPIC);
      const high = new Map((await admin.fetchTopicOffsets(TOPIC)).map((p) => [p.partition, p.high]));
      expect([...high.values()].reduce((n, h) => n + Number(h), 0)).toBe(COUNT);
      // The first group committed up to the end of every partition before the restart.
      // The coordinator may still be loading the group just after the restart: the helper asks again.
      const committed = await fetchCommittedOffsets(admin, 'broker-test-group-1', TOPIC);
      expect([...committed.keys()].sort()).toEqual([...high.keys()].sort());
      for (const [partition, offset] of committed)
        expect(offset, `partition ${partition}`).toBe(Number(high.get(partition)));
      await admin.disconnect();

      const again = await consumeAll('broker-test-group-2', COUNT);
      expectExactlyOnce(again);
      const where = (ms: Received[]) => new Map(ms.map((m) => [m.key, `${m.partition}:${m.offset}`]));
      expect(where(again)).toEqual(where(firstRead));
    });
  },
);
