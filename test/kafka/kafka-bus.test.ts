// The Kafka bus against a real broker: the same candles as the in-process bus, malformed records
// dead-lettered with their reason, and nothing lost while the broker is away.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import kafkajs from 'kafkajs';
import { busBehind, type BusHealth } from '../../engine/bus/bus.ts';
import { storedCandles, tempDir } from '../unit/helpers.ts';
import { KAFKA_SKIP_REASON, startTestKafka, type TestKafka } from '../support/kafka.ts';
import { kafkaEngine, referenceCandles, storedOffsets, waitFor, type KafkaEngine } from './support/engine.ts';
import { tickStream } from './support/ticks.ts';

const { Kafka, logLevel } = kafkajs;

describe.skipIf(KAFKA_SKIP_REASON !== null)(
  `Kafka bus on a real broker${KAFKA_SKIP_REASON ? ` (skipped: ${KAFKA_SKIP_REASON})` : ''}`,
  { timeout: 150_000 },
  () => {
    let broker: TestKafka;
    const dirs = tempDir('mm-kafka-bus-');
    const engines: KafkaEngine[] = [];
    const engine = (name: string, topic: string, bufferCapacity?: number) => {
      const e = kafkaEngine({
        dbFile: path.join(dirs.dir, `${name}.db`),
        brokers: broker.brokers,
        topic,
        groupId: `${name}-group`,
        bufferCapacity,
      });
      engines.push(e);
      return e;
    };

    /** An engine that owns all three partitions of its topic, so what is produced next is read. */
    const consuming = async (name: string, topic: string, bufferCapacity?: number) => {
      const e = engine(name, topic, bufferCapacity);
      await e.bus.subscribe(e.processor);
      await waitFor(
        () => e.bus.health().kafka!.assigned.length,
        (n) => n === 3,
        'assignment',
        60_000,
      );
      return e;
    };

    beforeAll(async () => {
      // Room for the 1 MB record of the malformed-input test.
      broker = (await startTestKafka({ config: { 'message.max.bytes': 2_000_000 } }))!;
    }, 180_000);

    afterAll(async () => {
      for (const e of engines) await e.close().catch(() => undefined);
      await broker?.cleanup();
      dirs.cleanup();
    }, 60_000);

    it('produces, consumes and aggregates into exactly the candles of the in-process bus', async () => {
      const ticks = tickStream(12_000);
      const e = engine('equal', 'equal.ticks');
      await e.bus.subscribe(e.processor);
      for (let i = 0; i < ticks.length; i += 500) await e.bus.publish(ticks.slice(i, i + 500));
      await waitFor(
        () => storedOffsets(e.db, 'equal-group', 'equal.ticks'),
        (n) => n >= ticks.length,
        'all ticks',
        90_000,
      );

      // Each tick is in the log once (the producer wrote no duplicate) and in SQLite once.
      const written = (await e.bus.refresh()).partitions.reduce((n, p) => n + p.endOffset, 0);
      expect(written).toBe(ticks.length);
      expect(e.store.tickCount()).toBe(ticks.length);
      expect(storedCandles(e.db)).toEqual(await referenceCandles(ticks));
      const health = await e.bus.refresh();
      expect(health.kind).toBe('kafka');
      expect(health.connected).toBe(true);
      expect(health.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
      expect(health.partitions.reduce((n, p) => n + p.endOffset, 0)).toBe(ticks.length);
      expect(health.partitions.every((p) => p.lag === 0)).toBe(true);
      expect(health.kafka?.brokers).toEqual(broker.brokers);
      expect(health.kafka?.assigned).toEqual([0, 1, 2]);
      expect(health.kafka?.produced).toBe(ticks.length);
    });

    it('dead-letters malformed records with their reason, in SQLite and on the DLQ topic; valid ones are unaffected', async () => {
      const topic = 'dirty.ticks';
      const e = await consuming('dirty', topic);
      const valid = tickStream(300, 11);
      const bad: Array<{ key: string; value: string; reason: RegExp }> = [
        { key: 'AAPL', value: '{"symbol":"AAPL","ts":', reason: /not JSON/ },
        {
          key: 'AAPL',
          value: '{"symbol":"AAPL","ts":1767225600000,"price":NaN,"volume":1,"source":"simulator"}',
          reason: /not JSON/,
        },
        {
          key: 'AAPL',
          value: JSON.stringify({ symbol: 'AAPL', ts: '2026-01-01', price: '1', volume: 1, source: 'simulator' }),
          reason: /ts: .*number/i,
        },
        { key: 'MSFT', value: JSON.stringify({ ...valid[0], symbol: 'MSFT', volume: -5 }), reason: /volume/ },
        {
          key: 'MSFT',
          value: JSON.stringify({ ...valid[0], symbol: 'MSFT', venue: 'XNAS' }),
          reason: /venue|unrecognized/i,
        },
        {
          key: 'NVDA',
          value: JSON.stringify({ ...valid[0], symbol: 'NVDA', pad: 'x'.repeat(1_048_576) }),
          reason: /bytes/,
        },
        { key: 'NVDA', value: '[1,2,3]', reason: /invalid/ },
      ];
      const producer = new Kafka({ brokers: broker.brokers, logLevel: logLevel.NOTHING }).producer();
      await producer.connect();
      // Bad records between good ones, so a batch holds both.
      const messages = valid.map((t) => ({ key: t.symbol, value: JSON.stringify(t) }));
      bad.forEach((b, i) => messages.splice(i * 40 + 5, 0, { key: b.key, value: b.value }));
      for (const m of messages) await producer.send({ topic, messages: [m], acks: -1 });
      await producer.disconnect();

      await waitFor(
        () => storedOffsets(e.db, 'dirty-group', topic),
        (n) => n >= messages.length,
        'all records',
        60_000,
      );
      expect(e.store.tickCount()).toBe(valid.length);
      expect(storedCandles(e.db)).toEqual(await referenceCandles(valid));
      const letters = e.store.recentDeadLetters(100).reverse();
      expect(letters).toHaveLength(bad.length);
      for (const b of bad) {
        expect(
          letters.some((l) => b.reason.test(l.reason) && l.payload.startsWith(b.value.slice(0, 40))),
          `${b.value.slice(0, 60)}`,
        ).toBe(true);
      }
      expect(letters.every((l) => l.payload.length <= 4_096)).toBe(true);
      expect(e.processor.counters).toMatchObject({ accepted: valid.length, invalid: bad.length, late: 0 });

      // Other tools read the same dead letters, with the reason in a header.
      const dlq = await readTopic(broker.brokers, `${topic}.dlq`, bad.length);
      expect(dlq.map((m) => m.reason).sort()).toEqual(letters.map((l) => l.reason).sort());
      expect(dlq.every((m) => m.sourceTopic === topic)).toBe(true);
    });

    it('is not caught up until the log holds every tick published, though sends are acknowledged mid-probe', async () => {
      // A drain (the CLI replay's, a shutdown's) trusts refresh(): caught up (nothing buffered, no
      // lag) must mean the log holds every tick published before the call. The replay's pattern:
      // publish, then refresh() at once while the producer's 5,000-record batches are still being
      // acknowledged. Before the fix, three runs of three failed.
      const topic = 'refresh.ticks';
      // The app's default capacity: publish() returns long before the broker has acknowledged it all.
      const e = await consuming('refresh', topic, 200_000);
      const missed: string[] = [];
      let published = 0;
      for (let round = 0; round < 20; round++) {
        const ticks = tickStream(12_000, 31 + round);
        await e.bus.publish(ticks);
        published += ticks.length;
        // As drain() does: ask again after a pause, until caught up or out of time.
        const deadline = Date.now() + 30_000;
        let health = await e.bus.refresh();
        while (busBehind(health)) {
          if (Date.now() > deadline) throw new Error(`round ${round}: not caught up in 30 s`);
          await new Promise((r) => setTimeout(r, 20));
          health = await e.bus.refresh();
        }
        const logged = health.partitions.reduce((n, p) => n + p.endOffset, 0);
        if (logged < published) missed.push(`round ${round}: caught up at ${logged} of ${published}`);
        await waitFor(
          () => storedOffsets(e.db, 'refresh-group', topic),
          (n) => n >= published,
          'the round consumed',
          60_000,
        );
      }
      expect(missed).toEqual([]);
    });

    it('buffers while the broker is down for 20 s, shows the outage, and loses nothing', async () => {
      const topic = 'outage.ticks';
      const e = await consuming('outage', topic);
      const ticks = tickStream(6_000, 23);
      const seen: BusHealth[] = [];
      const watch = setInterval(() => seen.push(e.bus.health()), 250);
      // The producer keeps going at 100 ticks per 100 ms while the broker stops and comes back.
      const producing = (async () => {
        for (let i = 0; i < ticks.length; i += 100) {
          await e.bus.publish(ticks.slice(i, i + 100));
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      await new Promise((r) => setTimeout(r, 1_500));
      await broker.stop();
      await new Promise((r) => setTimeout(r, 20_000));
      const { restartTestKafka } = await import('../support/kafka.ts');
      broker = await restartTestKafka(broker);
      await producing;
      await waitFor(
        () => storedOffsets(e.db, 'outage-group', topic),
        (n) => n >= ticks.length,
        'all ticks',
        90_000,
      );
      clearInterval(watch);

      expect(e.store.tickCount()).toBe(ticks.length);
      expect(storedCandles(e.db)).toEqual(await referenceCandles(ticks));
      const during = seen.filter((h) => !h.connected);
      expect(during.length, 'the status showed the outage').toBeGreaterThan(10);
      expect(during.some((h) => h.buffered > 0 && (h.error ?? '').length > 0)).toBe(true);
      expect(Math.max(...seen.map((h) => h.buffered))).toBeLessThanOrEqual(1_000 + 100);
      expect(seen.at(-1)!.connected).toBe(true);
    });
  },
);

interface DlqRecord {
  reason: string;
  sourceTopic: string;
}

async function readTopic(brokers: string[], topic: string, count: number): Promise<DlqRecord[]> {
  const consumer = new Kafka({ brokers, logLevel: logLevel.NOTHING }).consumer({ groupId: `reader-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const got: DlqRecord[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${got.length}/${count} from ${topic}`)), 30_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        got.push({
          reason: message.headers?.reason?.toString() ?? '',
          sourceTopic: message.headers?.['source-topic']?.toString() ?? '',
        });
        if (got.length >= count) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return got;
}

describe('Kafka bus without a cluster', () => {
  it('says the cluster is unreachable, keeps what was published, and closes promptly', async () => {
    const { KafkaBus } = await import('../../engine/bus/kafka/kafka-bus.ts');
    const { KafkaSettingsSchema } = await import('../../engine/domain/bus-settings.ts');
    const bus = new KafkaBus({
      settings: KafkaSettingsSchema.parse({ brokers: ['127.0.0.1:1'] }),
      topic: 'nowhere.ticks',
      partitions: 1,
      groupId: 'nowhere',
      probeEveryMs: 200,
    });
    await bus.subscribe({ groupId: 'nowhere', resumeOffset: () => undefined, onBatch: async () => undefined });
    await bus.publish(tickStream(10));
    const health = await waitFor(
      () => bus.health(),
      (h) => (h.error ?? '').includes('127.0.0.1:1'),
      'the error in the status',
      20_000,
    );
    expect(health.connected).toBe(false);
    expect(health.buffered).toBe(10);
    const started = Date.now();
    await bus.close();
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 30_000);
});
