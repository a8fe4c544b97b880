#!/usr/bin/env node
// `npm run kafka:local [-- --port 9092] [-- --data DIR]`: a local single-node Kafka broker for the
// app, on 127.0.0.1. The first run fetches the jars with Maven (needs Java 17+ and Maven); the data
// survives restarts (default ~/.cache/market-monitor/kafka-data). Ctrl+C stops it cleanly.
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureKafkaJars, isPortFree, startKafkaBroker, KAFKA_VERSION } from './kafka/broker.mjs';

const usage =
  'Usage: node scripts/kafka-local.mjs [--port 9092] [--controller-port N] [--data DIR] [--partitions N]\n' +
  '       node scripts/kafka-local.mjs --jars-only   (fetch the jars with Maven and exit; for CI)';
let values;
try {
  ({ values } = parseArgs({
    options: {
      port: { type: 'string' },
      'controller-port': { type: 'string' },
      data: { type: 'string' },
      partitions: { type: 'string' },
      'jars-only': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (e) {
  console.error(`${e.message}\n${usage}`);
  process.exit(2);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}

const int = (name, v) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0 || n > 65535) {
    console.error(`--${name} must be a port/count, got ${JSON.stringify(v)}\n${usage}`);
    process.exit(2);
  }
  return n;
};

const dataDir = path.resolve(values.data ?? path.join(os.homedir(), '.cache', 'market-monitor', 'kafka-data'));
let port = int('port', values.port);
if (port === undefined && (await isPortFree(9092))) port = 9092;
const controllerPort = int('controller-port', values['controller-port']);
const partitions = int('partitions', values.partitions);

try {
  process.stdout.write(`Kafka ${KAFKA_VERSION}: checking jars (the first run downloads them with Maven)...\n`);
  const libDir = await ensureKafkaJars({});
  if (values['jars-only']) {
    console.log(`Kafka ${KAFKA_VERSION} jars are in ${libDir}`);
    process.exit(0);
  }
  process.stdout.write(`Starting the broker (data in ${dataDir})...\n`);
  const broker = await startKafkaBroker({ dataDir, port, controllerPort, partitions });
  console.log(`Kafka broker ready at ${broker.brokers[0]} (Ctrl+C to stop)`);
  console.log(`Log: ${broker.logFile}`);

  let stopping = false;
  const stop = async (signal) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the broker...`);
    await broker.stop();
    console.log('Kafka broker stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  broker.exited.then(({ code, signal }) => {
    if (stopping) return;
    console.error(`The Kafka broker exited on its own (code ${code}, signal ${signal}); see ${broker.logFile}`);
    process.exit(1);
  });
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
}
