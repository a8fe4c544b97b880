// Scale-out on Kafka: three engine processes with databases of their own share one consumer group
// and publish the candles they compute to the compacted candle topics; one is killed mid-stream; a
// viewer, which aggregates nothing, reads the topics into its SQLite. Its candles, every interval,
// must equal those of one engine that ran the same ticks alone.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import { INTERVALS } from '../../engine/domain/interval.ts';
import type { Tick } from '../../engine/domain/tick.ts';
import { openDatabase, type SqliteDatabase } from '../../engine/store/database.ts';
import { storedCandles, tempDir } from '../unit/helpers.ts';
import { expectCandlesEqualRecomputation } from '../support/recompute.ts';
import { KAFKA_SKIP_REASON, startTestKafka, type TestKafka } from '../support/kafka.ts';
import { runCli } from '../support/cli.ts';
import { kafkaEngine, storedOffsets, waitFor } from './support/engine.ts';
import { tickStream } from './support/ticks.ts';

const CHILD = fileURLToPath(new URL('./support/app-engine-child.ts', import.meta.url));
const PARTITIONS = 6;
const TOPIC = 'scale.ticks';
const PREFIX = 'scale.candles';
const GROUP = 'scale-group';

interface Child {
  process: ChildProcess;
  db: string;
  assigned: () => number[];
  exited: Promise<void>;
}

describe.skipIf(KAFKA_SKIP_REASON !== null)(
  `scale-out: engines publish candles, a viewer shows them${KAFKA_SKIP_REASON ? ` (skipped: ${KAFKA_SKIP_REASON})` : ''}`,
  { timeout: 150_000 },
  () => {
    let broker: TestKafka;
    const dirs = tempDir('mm-kafka-scale-');
    const children = new Set<Child>();
    const readers: SqliteDatabase[] = [];
    let viewer: MarketMonitor | undefined;

    beforeAll(async () => {
      // Short sessions, so a killed member's partitions move on in seconds rather than the default 45.
      broker = (await startTestKafka({ config: { 'group.min.session.timeout.ms': 1_000 } }))!;
    }, 180_000);

    afterAll(async () => {
      for (const c of children) c.process.kill('SIGKILL');
      await viewer?.close();
      for (const db of readers) db.close();
      await broker?.cleanup();
      dirs.cleanup();
    }, 60_000);

    function startEngine(name: string, group: string, publish: boolean): Child {
      const db = path.join(dirs.dir, `${name}.db`);
      const child = spawn(
        process.execPath,
        [
          CHILD,
          ...['--db', db, '--brokers', broker.brokers.join(','), '--topic', TOPIC, '--group', group],
          ...['--partitions', String(PARTITIONS), '--prefix', PREFIX, ...(publish ? ['--publish'] : [])],
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
        db,
        assigned: () => assigned,
        exited: new Promise((resolve) => child.once('exit', () => resolve())),
      };
      children.add(handle);
      void handle.exited.then(() => children.delete(handle));
      return handle;
    }

    async function produce(ticks: readonly Tick[]): Promise<void> {
      const producer = kafkaEngine({
        dbFile: path.join(dirs.dir, `producer-${Math.random().toString(36).slice(2)}.db`),
        brokers: broker.brokers,
        topic: TOPIC,
        groupId: 'unused',
        partitions: PARTITIONS,
      });
      for (let i = 0; i < ticks.length; i += 1_000) await producer.bus.publish(ticks.slice(i, i + 1_000));
      await producer.close(); // flushes
    }

    function reader(file: string): SqliteDatabase {
      const db = openDatabase(file);
      readers.push(db);
      return db;
    }

    /** Ticks stored per partition by whichever engine got furthest in it. */
    function furthest(dbs: readonly SqliteDatabase[], group: string): number {
      let total = 0;
      for (let partition = 0; partition < PARTITIONS; partition++) {
        let best = 0;
        for (const db of dbs) {
          const row = db
            .prepare(
              'SELECT next_offset AS n FROM checkpoints WHERE consumer_group = ? AND topic = ? AND partition = ?',
            )
            .get(group, TOPIC, partition) as { n: number } | undefined;
          best = Math.max(best, row?.n ?? 0);
        }
        total += best;
      }
      return total;
    }

    /** Each partition's end offset, as the broker has it. */
    async function endOffsets(): Promise<number[]> {
      const admin = new Kafka({ brokers: broker.brokers, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        const ends: number[] = [];
        for (const p of await admin.fetchTopicOffsets(TOPIC)) ends[p.partition] = Number(p.high);
        return ends;
      } finally {
        await admin.disconnect();
      }
    }

    /** Partitions whose current owner has not stored them to the end yet. */
    function unfinished(engines: readonly Child[], dbs: readonly SqliteDatabase[], ends: readonly number[]): number[] {
      const left: number[] = [];
      for (let partition = 0; partition < PARTITIONS; partition++) {
        const owner = engines.findIndex((e) => e.assigned().includes(partition));
        const row =
          owner < 0
            ? undefined
            : (dbs[owner]!.prepare(
                'SELECT next_offset AS n FROM checkpoints WHERE consumer_group = ? AND topic = ? AND partition = ?',
              ).get(GROUP, TOPIC, partition) as { n: number } | undefined);
        if ((row?.n ?? 0) !== ends[partition]) left.push(partition);
      }
      return left;
    }

    it('three engines, one killed mid-stream and restarted on its stale database, and a viewer: the viewer holds exactly one engine’s candles', async () => {
      const ticks = tickStream(30_000, 11);
      await produce(ticks.slice(0, 8_000));

      // The viewer first: it waits for an engine to create the candle topics, then reads them.
      viewer = await MarketMonitor.open({
        dbPath: path.join(dirs.dir, 'viewer.db'),
        overrides: {
          bus: {
            kind: 'kafka',
            mode: 'viewer',
            topic: TOPIC,
            partitions: PARTITIONS,
            kafka: {
              brokers: broker.brokers,
              dlqTopic: `${TOPIC}.dlq`,
              companiesTopic: `${TOPIC}.companies`,
              candleTopicPrefix: PREFIX,
            },
          },
        },
      });
      expect(viewer.status().mode).toBe('viewer');

      const names = ['engine-a', 'engine-b', 'engine-c'];
      const engines = names.map((name) => startEngine(name, GROUP, true));
      await waitFor(
        () => engines.map((e) => e.assigned()),
        (sets) => sets.every((s) => s.length > 0) && sets.reduce((n, s) => n + s.length, 0) === PARTITIONS,
        'three engines to split the partitions',
        60_000,
      );
      const dbs = engines.map((e) => reader(e.db));

      await produce(ticks.slice(8_000, 18_000));
      // Eight symbols keyed over six partitions leave two of them without a tick (1 and 4 with
      // kafkajs' partitioner): an engine that owns only those never stores anything. The victim is
      // one that has stored ticks, so that its kill lands mid-stream.
      const [progress] = await waitFor(
        () => [dbs.map((db) => storedOffsets(db, GROUP, TOPIC)), furthest(dbs, GROUP)] as const,
        ([own, all]) => own.some((n) => n > 0) && all >= 10_000,
        'progress of the engines before the kill',
        60_000,
      );
      const v = progress.findIndex((n) => n > 0);
      const victim = engines[v]!;
      const victimDb = dbs[v]!;
      const survivors = engines.filter((_, i) => i !== v);
      const survivorDbs = dbs.filter((_, i) => i !== v);
      victim.process.kill('SIGKILL');
      await victim.exited;
      const victimStored = storedOffsets(victimDb, GROUP, TOPIC);
      await produce(ticks.slice(18_000));

      await waitFor(
        () => survivors.map((e) => e.assigned().length),
        ([x, y]) => x! + y! === PARTITIONS,
        'the survivors to own every partition',
        60_000,
      );
      await waitFor(
        () => furthest(survivorDbs, GROUP),
        (n) => n === ticks.length,
        'the survivors to store the whole stream',
        90_000,
      );
      // The killed engine comes back on its own database, behind the others: it takes partitions
      // back and reads them on from its stale checkpoints, publishing versions older than those
      // already in the topics until it catches up (the viewer keeps the newest).
      const back = startEngine(names[v]!, GROUP, true);
      const all = [back, ...survivors];
      const allDbs = [victimDb, ...survivorDbs];
      await waitFor(
        () => all.map((e) => e.assigned().length),
        (counts) => counts.every((n) => n > 0) && counts.reduce((a, b) => a + b, 0) === PARTITIONS,
        'the restarted engine to own partitions again',
        60_000,
      );
      const ends = await endOffsets();
      expect(ends.reduce((a, b) => a + b, 0)).toBe(ticks.length);
      await waitFor(
        () => unfinished(all, allDbs, ends),
        (left) => left.length === 0,
        'every partition’s owner to store it to the end',
        60_000,
      );
      // The candle versions of a batch reach the topics before the batch is committed: all are in.
      await viewer.drain(60_000);
      expect(viewer.status().viewer).toMatchObject({ connected: true, lag: 0 });

      // The reference: one engine alone, a group of its own, the same ticks.
      const lone = startEngine('reference', 'scale-reference', false);
      const referenceDb = reader(lone.db);
      await waitFor(
        () => storedOffsets(referenceDb, 'scale-reference', TOPIC),
        (n) => n === ticks.length,
        'the reference engine to store the whole stream',
        90_000,
      );
      lone.process.kill('SIGTERM');
      for (const e of all) e.process.kill('SIGTERM');
      await Promise.all([lone.exited, ...all.map((e) => e.exited)]);

      expect(victimStored, 'the kill landed mid-stream').toBeGreaterThan(0);
      expect(victimStored).toBeLessThan(ticks.length);
      const reference = storedCandles(referenceDb);
      expect(new Set(reference.map((c) => c.interval))).toEqual(new Set(INTERVALS));
      expectCandlesEqualRecomputation(referenceDb);
      const shown = storedCandles(viewer.db);
      expect(shown.length).toBe(reference.length);
      expect(shown).toEqual(reference);
      // The viewer computed none of it: no tick ever reached its database.
      expect((viewer.db.prepare('SELECT count(*) AS n FROM ticks').get() as { n: number }).n).toBe(0);
    });

    it('the command line runs a viewer or a publishing engine only on Kafka, and never both at once', async () => {
      const db = path.join(dirs.dir, 'cli.db');
      const viewer = await runCli(['serve', '--port', '0', '--db', db, '--mode', 'viewer']);
      expect(viewer.code).toBe(2);
      expect(viewer.stderr).toContain('--mode viewer needs --kafka BROKERS');
      const engine = await runCli(['serve', '--port', '0', '--db', db, '--publish-candles']);
      expect(engine.code).toBe(2);
      expect(engine.stderr).toContain('--publish-candles needs --kafka BROKERS');
      const both = ['--mode', 'viewer', '--publish-candles', '--kafka', broker.brokers.join(',')];
      const run = await runCli(['serve', '--port', '0', '--db', db, ...both]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('A viewer publishes no candles');
      const odd = await runCli(['serve', '--port', '0', '--db', db, '--mode', 'spectator']);
      expect(odd.stderr).toContain('Unknown mode "spectator"');
    });
  },
);
