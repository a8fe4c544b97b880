// Engines in their own processes, killed with SIGKILL mid-stream: the results in SQLite must be
// exactly those of an uninterrupted run, whichever instant the kill lands on.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../../engine/store/database.ts';
import type { Tick } from '../../engine/domain/tick.ts';
import { storedCandles, tempDir } from '../unit/helpers.ts';
import { KAFKA_SKIP_REASON, startTestKafka, type TestKafka } from '../support/kafka.ts';
import { kafkaEngine, referenceCandles, storedOffsets, waitFor } from './support/engine.ts';
import { tickStream } from './support/ticks.ts';

const CHILD = fileURLToPath(new URL('./support/engine-child.ts', import.meta.url));

interface Child {
  process: ChildProcess;
  assigned: () => number[];
  exited: Promise<void>;
}

describe.skipIf(KAFKA_SKIP_REASON !== null)(
  `engines killed mid-stream${KAFKA_SKIP_REASON ? ` (skipped: ${KAFKA_SKIP_REASON})` : ''}`,
  { timeout: 240_000 },
  () => {
    let broker: TestKafka;
    const dirs = tempDir('mm-kafka-crash-');
    const children = new Set<Child>();
    const readers: SqliteDatabase[] = [];

    beforeAll(async () => {
      // Short sessions, so a killed member's partitions move on in seconds rather than the default 45.
      broker = (await startTestKafka({ config: { 'group.min.session.timeout.ms': 1_000 } }))!;
    }, 180_000);

    afterAll(async () => {
      for (const c of children) c.process.kill('SIGKILL');
      for (const db of readers) db.close();
      await broker?.cleanup();
      dirs.cleanup();
    }, 60_000);

    function startEngine(db: string, topic: string, group: string, partitions: number, batchDelayMs = 0): Child {
      const child = spawn(
        process.execPath,
        [
          CHILD,
          ...['--db', db, '--brokers', broker.brokers.join(','), '--topic', topic, '--group', group],
          ...['--partitions', String(partitions), '--batch-delay', String(batchDelayMs)],
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let assigned: number[] = [];
      child.stdout!.setEncoding('utf8').on('data', (text: string) => {
        for (const line of text.split('\n')) {
          const m = /^assigned (.*)$/.exec(line);
          if (m) assigned = m[1] ? m[1].split(',').map(Number) : [];
        }
      });
      const handle: Child = {
        process: child,
        assigned: () => assigned,
        exited: new Promise((resolve) => child.once('exit', () => resolve())),
      };
      children.add(handle);
      void handle.exited.then(() => children.delete(handle));
      return handle;
    }

    async function produce(topic: string, ticks: readonly Tick[], partitions: number): Promise<void> {
      const producer = kafkaEngine({
        dbFile: path.join(dirs.dir, `${topic}-producer.db`),
        brokers: broker.brokers,
        topic,
        groupId: 'unused',
        partitions,
      });
      for (let i = 0; i < ticks.length; i += 1_000) await producer.bus.publish(ticks.slice(i, i + 1_000));
      await producer.close(); // flushes
    }

    function reader(file: string): SqliteDatabase {
      const db = openDatabase(file);
      readers.push(db);
      return db;
    }

    it('SIGKILL at 10 points mid-stream, restarted each time: final candles identical, no tick lost or counted twice', async () => {
      const topic = 'crash.ticks';
      const group = 'crash-group';
      const file = path.join(dirs.dir, 'crash.db');
      const ticks = tickStream(40_000, 5);
      await produce(topic, ticks, 3);
      const db = reader(file);
      const stored = () => storedOffsets(db, group, topic);

      const killedAt: number[] = [];
      for (let k = 1; k <= 10; k++) {
        const child = startEngine(file, topic, group, 3, 25);
        // Spread over the stream, and always after this run stored something of its own.
        const target = Math.max(
          Math.floor((k * ticks.length) / 12) + Math.floor(Math.random() * 1_000),
          (killedAt.at(-1) ?? 0) + 1,
        );
        await waitFor(stored, (n) => n >= target, `kill point ${k} (${target})`, 60_000);
        child.process.kill('SIGKILL');
        await child.exited;
        killedAt.push(stored());
      }
      const last = startEngine(file, topic, group, 3);
      await waitFor(stored, (n) => n >= ticks.length, 'the whole stream', 90_000);
      last.process.kill('SIGTERM');
      await last.exited;

      expect(killedAt).toHaveLength(10);
      expect(
        killedAt.every((n) => n > 0 && n < ticks.length),
        `kill points ${killedAt.join(', ')}`,
      ).toBe(true);
      expect(new Set(killedAt).size).toBe(10);
      expect(stored()).toBe(ticks.length);
      expect((db.prepare('SELECT count(*) AS n FROM ticks').get() as { n: number }).n).toBe(ticks.length);
      expect(storedCandles(db)).toEqual(await referenceCandles(ticks));
    });

    it('two engines in one group split the partitions; one killed, the other takes over, results still exact', async () => {
      const topic = 'split.ticks';
      const group = 'split-group';
      const file = path.join(dirs.dir, 'split.db');
      const ticks = tickStream(30_000, 9);
      await produce(topic, ticks.slice(0, 10_000), 4);
      const db = reader(file);
      const stored = () => storedOffsets(db, group, topic);

      const a = startEngine(file, topic, group, 4);
      const b = startEngine(file, topic, group, 4);
      await waitFor(
        () => [a.assigned(), b.assigned()],
        ([x, y]) => x!.length > 0 && y!.length > 0 && x!.length + y!.length === 4,
        'both engines to own partitions',
        60_000,
      );
      const split = [a.assigned(), b.assigned()];
      expect(new Set([...split[0]!, ...split[1]!])).toEqual(new Set([0, 1, 2, 3]));

      await produce(topic, ticks.slice(10_000, 20_000), 4);
      await waitFor(stored, (n) => n >= 12_000, 'progress before the kill', 60_000);
      a.process.kill('SIGKILL');
      await a.exited;
      await produce(topic, ticks.slice(20_000), 4);
      await waitFor(
        () => b.assigned(),
        (x) => x.length === 4,
        'the survivor to own every partition',
        60_000,
      );
      await waitFor(stored, (n) => n >= ticks.length, 'the whole stream', 90_000);
      b.process.kill('SIGTERM');
      await b.exited;

      expect(split[0]!.length + split[1]!.length).toBe(4);
      expect((db.prepare('SELECT count(*) AS n FROM ticks').get() as { n: number }).n).toBe(ticks.length);
      expect(storedCandles(db)).toEqual(await referenceCandles(ticks));
    });
  },
);
