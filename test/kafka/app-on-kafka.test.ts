// The whole app on a real Kafka broker: the composition root picks the Kafka bus from settings,
// keeps one consumer group per database, shares company profiles on the compacted topic, and the
// command line's replay through Kafka stores exactly what it stores without Kafka.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import kafkajs from 'kafkajs';
import Database from 'better-sqlite3';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import type { SettingsInput } from '../../engine/domain/settings.ts';
import { storedCandles, tempDir } from '../unit/helpers.ts';
import { FIXTURES, runCli } from '../support/cli.ts';
import { KAFKA_SKIP_REASON, startTestKafka, type TestKafka } from '../support/kafka.ts';
import { waitFor } from './support/engine.ts';

const { Kafka, logLevel } = kafkajs;
const BARS = path.join(FIXTURES, 'bars-2m', 'amzn-2023-08-28..09-15-2m.csv');

describe.skipIf(KAFKA_SKIP_REASON !== null)(
  `the app on a real Kafka broker${KAFKA_SKIP_REASON ? ` (skipped: ${KAFKA_SKIP_REASON})` : ''}`,
  { timeout: 180_000 },
  () => {
    let broker: TestKafka;
    const dirs = tempDir('mm-kafka-app-');

    beforeAll(async () => {
      broker = (await startTestKafka())!;
    }, 180_000);

    afterAll(async () => {
      await broker?.cleanup();
      dirs.cleanup();
    }, 60_000);

    it('runs the simulator through Kafka, keeps its own consumer group across restarts, and counts each tick once', async () => {
      const dbPath = path.join(dirs.dir, 'app.db');
      const overrides: SettingsInput = {
        source: { kind: 'simulator', simulator: { ticksPerSecond: 2_000, seed: 3 } },
        bus: {
          kind: 'kafka',
          topic: 'app.ticks',
          kafka: { brokers: broker.brokers, dlqTopic: 'app.dlq', companiesTopic: 'app.companies' },
        },
      };
      const symbols = ['AAPL', 'MSFT', 'NVDA'];
      let app = await MarketMonitor.open({ dbPath, overrides, starterSymbols: symbols });
      const groupId = app.settings.bus.kafka.groupId;
      expect(groupId).toMatch(/^market-monitor-[0-9a-f]{8}$/);
      await waitFor(
        () => app.status().engine.accepted,
        (n) => n >= 1_000,
        'ticks through Kafka',
        60_000,
      );
      app.setPaused(true);
      await app.drain(60_000);
      const first = app.status();
      expect(first.bus.kind).toBe('kafka');
      expect(first.bus.kafka?.groupId).toBe(groupId);
      expect(first.bus.kafka?.brokers).toEqual(broker.brokers);
      await app.close();

      // Same database, same settings: the same group, resuming where the stored offsets end.
      app = await MarketMonitor.open({ dbPath, overrides });
      expect(app.settings.bus.kafka.groupId).toBe(groupId);
      await waitFor(
        () => app.status().engine.accepted,
        (n) => n >= 500,
        'more ticks after the restart',
        60_000,
      );
      app.setPaused(true);
      await app.drain(60_000);
      const health = await waitFor(
        () => app.status().bus,
        (b) => b.partitions.length > 0,
        'partition health',
        10_000,
      );
      const written = health.partitions.reduce((n, p) => n + p.endOffset, 0);
      await app.close();

      const db = new Database(dbPath, { readonly: true });
      const stored = (db.prepare('SELECT count(*) AS n FROM ticks').get() as { n: number }).n;
      const offsets = (
        db.prepare('SELECT sum(next_offset) AS n FROM checkpoints WHERE consumer_group = ?').get(groupId) as {
          n: number;
        }
      ).n;
      db.close();
      expect(stored).toBe(written);
      expect(offsets).toBe(written);

      // Profiles went to the compacted topic, keyed by symbol.
      const profiles = await readKeys(broker.brokers, 'app.companies', symbols.length);
      expect([...profiles.keys()].sort()).toEqual(symbols);
      expect(JSON.parse(profiles.get('AAPL')!)).toMatchObject({ symbol: 'AAPL' });
    });

    it('replays a CSV through Kafka from the command line into exactly the candles of a replay without Kafka', async () => {
      const viaKafka = path.join(dirs.dir, 'replay-kafka.db');
      const direct = path.join(dirs.dir, 'replay-direct.db');
      const kafkaRun = await runCli([
        'replay',
        BARS,
        '--db',
        viaKafka,
        '--symbol',
        'AMZN',
        '--kafka',
        broker.brokers[0]!,
        '--topic',
        'replay.ticks',
      ]);
      expect(kafkaRun.stderr).toBe('');
      expect(kafkaRun.code).toBe(0);
      expect((await runCli(['replay', BARS, '--db', direct, '--symbol', 'AMZN'])).code).toBe(0);
      const candles = (file: string) => {
        const db = new Database(file, { readonly: true });
        const rows = storedCandles(db);
        db.close();
        return rows;
      };
      const expected = candles(direct);
      expect(expected.length).toBeGreaterThan(1_000);
      expect(candles(viaKafka)).toEqual(expected);
    });

    it('refuses a malformed broker list on the command line with a clear message', async () => {
      const run = await runCli(['replay', BARS, '--db', path.join(dirs.dir, 'x.db'), '--kafka', 'localhost']);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('--kafka: a broker is host:port');
    });
  },
);

async function readKeys(brokers: string[], topic: string, count: number): Promise<Map<string, string>> {
  const consumer = new Kafka({ brokers, logLevel: logLevel.NOTHING }).consumer({ groupId: `reader-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const got = new Map<string, string>();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${got.size}/${count} keys from ${topic}`)), 30_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        got.set(message.key?.toString() ?? '', message.value?.toString() ?? '');
        if (got.size >= count) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return got;
}
