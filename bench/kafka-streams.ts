/**
 * The Kafka Streams side of the bench's comparison: bench/kafka-streams/OhlcvStreams.java, the same
 * six-interval OHLCV aggregation with exactly_once_v2, fed by the same producer on the same broker.
 * Its jars come from Maven Central (bench/kafka-streams/pom.xml) and javac compiles the one file;
 * both are cached in ~/.cache/market-monitor, keyed by the pom and the source.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Admin } from 'kafkajs';
import { fetchCommittedOffsets } from '../engine/bus/kafka/committed-offsets.ts';
import { KafkaBus } from '../engine/bus/kafka/kafka-bus.ts';
import { createKafkaClient } from '../engine/bus/kafka/kafka-client.ts';
import type { KafkaSettings } from '../engine/domain/bus-settings.ts';
import type { Tick } from '../engine/domain/tick.ts';

const HERE = path.join(import.meta.dirname, 'kafka-streams');
const POM = path.join(HERE, 'pom.xml');
const SOURCE = path.join(HERE, 'OhlcvStreams.java');
const INTERVALS = ['1s', '1m', '5m', '15m', '1h', '1d'];

/** The classpath of the compiled application: Maven's jars, then javac's classes (cached). */
export function buildStreamsApp(): string {
  const hash = createHash('sha256').update(fs.readFileSync(POM)).update(fs.readFileSync(SOURCE)).digest('hex');
  const dir = path.join(os.homedir(), '.cache', 'market-monitor', `kafka-streams-bench-${hash.slice(0, 12)}`);
  const lib = path.join(dir, 'lib');
  const classes = path.join(dir, 'classes');
  if (!fs.existsSync(path.join(classes, 'OhlcvStreams.class'))) {
    fs.rmSync(dir, { recursive: true, force: true });
    run(process.env.MVN ?? 'mvn', ['-B', '-q', '-f', POM, 'dependency:copy-dependencies', `-DoutputDirectory=${lib}`]);
    run('javac', ['-cp', path.join(lib, '*'), '-d', classes, SOURCE]);
  }
  return [classes, path.join(lib, '*')].join(path.delimiter);
}

function run(command: string, args: string[]): void {
  const done = spawnSync(command, args, { encoding: 'utf8' });
  if (done.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed: ${done.error?.message ?? done.stderr ?? done.stdout}`);
  }
}

interface StreamsApp {
  applicationId: string;
  process: ChildProcess;
  /** Its RocksDB state stores: removed once it has exited. */
  stateDir: string;
}

/** Starts the application on `input` and resolves once Kafka Streams reports RUNNING. */
async function startStreamsApp(classpath: string, brokers: string, input: string): Promise<StreamsApp> {
  const applicationId = `${input}-streams`;
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-bench-streams-'));
  const child = spawn(
    'java',
    ['-cp', classpath, 'OhlcvStreams', brokers, input, `${input}.candles`, applicationId, stateDir],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const app = { applicationId, process: child, stateDir };
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('RUNNING')) resolve();
        if (out.includes('ERROR')) reject(new Error('Kafka Streams went to ERROR'));
      });
      child.once('exit', (code) => reject(new Error(`Kafka Streams exited with ${code} before RUNNING`)));
    });
  } catch (error) {
    // Stopped and its state removed here: the caller only stops an application that started.
    await stopStreamsApp(app);
    throw error;
  }
  return app;
}

async function stopStreamsApp(app: StreamsApp): Promise<void> {
  if (app.process.exitCode === null && app.process.signalCode === null) {
    const exited = new Promise((resolve) => app.process.once('exit', resolve));
    app.process.kill('SIGTERM');
    await exited;
  }
  fs.rmSync(app.stateDir, { recursive: true, force: true });
}

/** Offsets the application committed on `topic`, summed over its partitions: the ticks it has finished. */
async function committed(admin: Admin, groupId: string, topic: string): Promise<number> {
  const offsets = await fetchCommittedOffsets(admin, groupId, topic);
  return [...offsets.values()].reduce((sum, offset) => sum + Math.max(0, offset), 0);
}

async function untilCommitted(admin: Admin, groupId: string, topic: string, count: number): Promise<void> {
  const deadline = Date.now() + 600_000;
  while ((await committed(admin, groupId, topic)) < count) {
    if (Date.now() > deadline) throw new Error('Kafka Streams did not catch up in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Ticks/s from the first publish until Kafka Streams has committed (in its exactly-once
 * transactions) the offsets of every tick: the counterpart of the engine's "committed in SQLite".
 */
export async function kafkaStreamsThroughput(
  classpath: string,
  settings: KafkaSettings,
  topic: string,
  ticks: readonly Tick[],
): Promise<number> {
  const bus = new KafkaBus({ settings, topic, partitions: 4, groupId: `${topic}-producer` });
  const admin = createKafkaClient(settings).admin();
  await admin.connect();
  let app: StreamsApp | undefined;
  try {
    await bus.publish([warmUpTick]); // creates the topic, as the engine's run does
    await admin.createTopics({
      topics: INTERVALS.map((i) => ({ topic: `${topic}.candles.${i}`, numPartitions: 4 })),
      waitForLeaders: true,
    });
    app = await startStreamsApp(classpath, settings.brokers.join(','), topic);
    await untilCommitted(admin, app.applicationId, topic, 1);
    const start = performance.now();
    for (let i = 0; i < ticks.length; i += 2_000) await bus.publish(ticks.slice(i, i + 2_000));
    await untilCommitted(admin, app.applicationId, topic, ticks.length + 1);
    return ticks.length / ((performance.now() - start) / 1000);
  } finally {
    if (app) await stopStreamsApp(app);
    await admin.disconnect();
    await bus.close();
  }
}

const warmUpTick: Tick = {
  symbol: 'WARM',
  ts: Date.parse('2024-01-02T15:00:00Z'),
  price: 1,
  volume: 1,
  source: 'simulator',
};
