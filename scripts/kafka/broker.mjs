// A real single-node Apache Kafka broker (KRaft: broker and controller in one JVM, no ZooKeeper)
// on 127.0.0.1, for the tests and for `npm run kafka:local`.
//
// The jars come from Maven Central through tools/kafka/pom.xml (Maven copies them into a cache
// folder once); the broker is `java -cp '<lib>/*' kafka.Kafka server.properties`.
//
// Restarting: startKafkaBroker() accepts a dataDir that already holds a formatted broker (it
// detects <dataDir>/kraft/meta.properties and then does not format again), so starting twice on the
// same dataDir keeps all topics, messages and committed offsets. restartKafkaBroker(prev) is a
// convenience for exactly that: it stops `prev` if it still runs and starts a broker on prev's
// dataDir and ports.
//
// Plain JavaScript with node builtins only; kafkajs (a dependency of the project) is imported
// lazily for the readiness check, with a fallback to the broker's log when it cannot be imported.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';

export const POM_PATH = fileURLToPath(new URL('../../tools/kafka/pom.xml', import.meta.url));

/** Kafka version, read from the pom so that the pom is the only place to change it. */
export const KAFKA_VERSION = (() => {
  const m = /<kafka\.version>\s*([^<\s]+)\s*<\/kafka\.version>/.exec(fs.readFileSync(POM_PATH, 'utf8'));
  if (!m) throw new Error(`No <kafka.version> in ${POM_PATH}`);
  return m[1];
})();

export const DEFAULT_CACHE_DIR =
  process.env.MARKET_MONITOR_KAFKA_CACHE ??
  path.join(os.homedir(), '.cache', 'market-monitor', `kafka-${KAFKA_VERSION}`);

const HOST = '127.0.0.1';
const STAMP = '.resolved';
const READY_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 20_000;

// ---------------------------------------------------------------------------------------------
// Jars

/**
 * Makes sure the broker's jars are in `<cacheDir>/lib` and returns that folder. Runs Maven only
 * when the folder is missing or was resolved from a different pom (a stamp file holds the pom's
 * hash). Maven writes into a temporary folder that is renamed into place, so an interrupted or
 * concurrent run never leaves a half-filled lib folder behind.
 */
export async function ensureKafkaJars({ cacheDir = DEFAULT_CACHE_DIR } = {}) {
  const libDir = path.join(cacheDir, 'lib');
  const pomHash = createHash('sha256').update(fs.readFileSync(POM_PATH)).digest('hex');
  const stampFile = path.join(libDir, STAMP);
  if (readText(stampFile)?.trim() === pomHash) return libDir;

  await fsp.mkdir(cacheDir, { recursive: true });
  // One Maven run at a time per cache (parallel test workers); the others wait for its result.
  const release = await lock(path.join(cacheDir, 'lib.lock'));
  try {
    if (readText(stampFile)?.trim() === pomHash) return libDir;
    return await resolveJars({ cacheDir, libDir, pomHash });
  } finally {
    await release();
  }
}

async function resolveJars({ cacheDir, libDir, pomHash }) {
  const tmpDir = path.join(cacheDir, `lib.tmp-${process.pid}-${Date.now()}`);
  const mvn = process.env.MVN ?? 'mvn';
  const args = ['-B', '-q', '-f', POM_PATH, 'dependency:copy-dependencies', `-DoutputDirectory=${tmpDir}`];
  const { code, output, error } = await run(mvn, args, { cwd: path.dirname(POM_PATH) });
  if (error || code !== 0) {
    await fsp.rm(tmpDir, { recursive: true, force: true });
    const why = error ? `could not run ${mvn}: ${error.message} (install Maven, or set MVN)` : `exit code ${code}`;
    throw new Error(
      `Resolving the Kafka ${KAFKA_VERSION} jars with Maven failed (${why}).\n` +
        `Command: ${mvn} ${args.join(' ')}\n${tail(output, 40)}`,
    );
  }
  if (!fs.existsSync(path.join(tmpDir, `kafka_2.13-${KAFKA_VERSION}.jar`))) {
    await fsp.rm(tmpDir, { recursive: true, force: true });
    throw new Error(`Maven succeeded but ${tmpDir} holds no kafka_2.13-${KAFKA_VERSION}.jar.\n${tail(output, 40)}`);
  }
  await fsp.writeFile(path.join(tmpDir, STAMP), pomHash + '\n');

  await fsp.rm(libDir, { recursive: true, force: true }); // an outdated one
  await fsp.rename(tmpDir, libDir);
  return libDir;
}

/** A lock directory; one older than 15 minutes is taken to be left over by a killed process. */
async function lock(dir) {
  const deadline = Date.now() + 20 * 60_000;
  for (;;) {
    try {
      await fsp.mkdir(dir);
      return () => fsp.rm(dir, { recursive: true, force: true });
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      const age = Date.now() - ((await fsp.stat(dir).catch(() => null))?.mtimeMs ?? Date.now());
      if (age > 15 * 60_000) await fsp.rm(dir, { recursive: true, force: true });
      else if (Date.now() > deadline)
        throw new Error(`Timed out waiting for ${dir} (another Maven run?); delete it if stale.`, { cause: e });
      else await sleep(500);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Broker

/** Live brokers of this process: killed if the process exits without stopping them. */
const live = new Set();
let exitHookInstalled = false;

/**
 * Starts a broker and resolves once a kafkajs admin client can describe the cluster.
 *
 * @param {object} [opts]
 * @param {string} [opts.dataDir]         Holds server.properties, the log4j2 config and the data
 *                                        (kraft/). Created if missing; a temporary folder if omitted.
 *                                        Formatted only when kraft/meta.properties is absent.
 * @param {number} [opts.port]            Client (PLAINTEXT) port; a free one if omitted.
 * @param {number} [opts.controllerPort]  KRaft controller port; a free one if omitted.
 * @param {string} [opts.logDir]          Where server.log goes; default <dataDir>/logs.
 * @param {number} [opts.partitions]      num.partitions for topics created without a count (1).
 * @param {string} [opts.cacheDir]        Jar cache (see ensureKafkaJars).
 * @param {string} [opts.libDir]          Use these jars instead of ensureKafkaJars().
 * @param {number} [opts.timeoutMs]       Readiness timeout (90 s).
 * @param {Record<string,string|number|boolean>} [opts.config]  Extra server.properties entries.
 * @param {{mechanism: string, name: string, password: string}[]} [opts.scramUsers]  SCRAM credentials
 *                                        written when the storage is formatted.
 */
export async function startKafkaBroker(opts = {}) {
  const libDir = opts.libDir ?? (await ensureKafkaJars({ cacheDir: opts.cacheDir }));
  const ownDataDir = !opts.dataDir;
  const dataDir = path.resolve(opts.dataDir ?? (await fsp.mkdtemp(path.join(os.tmpdir(), 'mm-kafka-'))));
  try {
    return await start(opts, libDir, dataDir);
  } catch (e) {
    if (ownDataDir) await fsp.rm(dataDir, { recursive: true, force: true });
    throw e;
  }
}

async function start(opts, libDir, dataDir) {
  const logDir = path.resolve(opts.logDir ?? path.join(dataDir, 'logs'));
  const kraftDir = path.join(dataDir, 'kraft');
  await fsp.mkdir(logDir, { recursive: true });
  await fsp.mkdir(kraftDir, { recursive: true });

  const port = opts.port ?? (await freePort());
  const controllerPort = opts.controllerPort ?? (await freePort([port]));
  for (const p of [port, controllerPort]) {
    if (!(await isPortFree(p))) throw new Error(`Kafka cannot start: port ${HOST}:${p} is in use.`);
  }

  const propsFile = path.join(dataDir, 'server.properties');
  const log4jFile = path.join(dataDir, 'log4j2.properties');
  const logFile = path.join(logDir, 'server.log');
  const stdoutFile = path.join(logDir, 'stdout.log');
  const props = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    listeners: `PLAINTEXT://${HOST}:${port},CONTROLLER://${HOST}:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${HOST}:${port}`,
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    // Dynamic quorum (KIP-853, formatted with --standalone); a later start may use another
    // controller port on the same data.
    'controller.quorum.bootstrap.servers': `${HOST}:${controllerPort}`,
    'log.dirs': kraftDir,
    'num.partitions': opts.partitions ?? 1,
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    'auto.create.topics.enable': false,
    'delete.topic.enable': true,
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    'group.initial.rebalance.delay.ms': 0,
    // Small footprint: one JVM on a small machine.
    'num.network.threads': 2,
    'num.io.threads': 2,
    'background.threads': 2,
    'num.recovery.threads.per.data.dir': 1,
    'log.cleaner.threads': 1,
    'log.cleaner.dedupe.buffer.size': 8 * 1024 * 1024,
    'log.segment.bytes': 16 * 1024 * 1024,
    'log.retention.hours': 168,
    ...opts.config,
  };
  await fsp.writeFile(
    propsFile,
    Object.entries(props)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n',
  );
  await fsp.writeFile(log4jFile, log4jConfig(logFile));

  const java = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const cp = path.join(libDir, '*');
  const jvm = [
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1', // C1 only: starts faster; plenty for tests and a local broker
    '-Xshare:auto',
    '-Djava.awt.headless=true',
    '-Djava.net.preferIPv4Stack=true',
    `-Dlog4j2.configurationFile=${log4jFile}`,
    `-Dkafka.logs.dir=${logDir}`,
    '-cp',
    cp,
  ];

  let clusterId = readProperties(path.join(kraftDir, 'meta.properties'))['cluster.id'];
  if (!clusterId) {
    clusterId = randomClusterId();
    const fmt = await run(java, [
      '-Xmx256m',
      ...jvm,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      propsFile,
      '--standalone',
      // SCRAM users exist from the first start (kafkajs cannot create them through the admin API).
      ...(opts.scramUsers ?? []).flatMap((u) => [
        '--add-scram',
        `${u.mechanism}=[name=${u.name},password=${u.password}]`,
      ]),
    ]);
    if (fmt.error || fmt.code !== 0) {
      const why = fmt.error
        ? `could not run ${java}: ${fmt.error.message} (install Java 17+, or set JAVA_HOME)`
        : `exit code ${fmt.code}`;
      throw new Error(`Formatting Kafka storage in ${kraftDir} failed (${why}):\n${tail(fmt.output, 40)}`);
    }
  }

  const out = fs.openSync(stdoutFile, 'a');
  const child = spawn(java, ['-Xmx512m', '-Xms256m', ...jvm, 'kafka.Kafka', propsFile], {
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  let spawnError = null;
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (e) => {
      spawnError = e; // java not found: there will be no 'exit'
      resolve({ code: null, signal: null });
    });
  });
  live.add(child);
  exited.then(() => live.delete(child));
  installExitHook();

  const brokers = [`${HOST}:${port}`];
  const logTail = () =>
    `--- ${logFile} (tail) ---\n${tail(readText(logFile) ?? '', 40)}\n--- ${stdoutFile} (tail) ---\n${tail(readText(stdoutFile) ?? '', 20)}`;

  let stopping = null;
  const handle = {
    brokers,
    port,
    controllerPort,
    dataDir,
    logDir,
    logFile,
    clusterId,
    pid: child.pid,
    /** The options that start this broker again on the same data and ports (see restartKafkaBroker). */
    options: { ...opts, libDir, dataDir, logDir, port, controllerPort },
    exited,
    /** SIGTERM (a clean shutdown), SIGKILL if the broker has not exited after 20 s. */
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
    /** SIGKILL: a crash, for tests of what survives one. */
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };

  try {
    await waitUntilReady({
      brokers,
      exited,
      timeoutMs: opts.timeoutMs ?? READY_TIMEOUT_MS,
      logFile,
      getSpawnError: () => spawnError,
    });
  } catch (e) {
    handle.kill();
    await exited;
    const why = spawnError
      ? `could not run ${java}: ${spawnError.message} (install Java 17+, or set JAVA_HOME)`
      : e.message;
    throw new Error(`Kafka ${KAFKA_VERSION} broker on ${brokers[0]} did not start: ${why}\n${logTail()}`, { cause: e });
  }
  return handle;
}

/** Stops `prev` if it is still running, then starts a broker on its dataDir and ports. */
export async function restartKafkaBroker(prev, overrides = {}) {
  await prev.stop();
  return startKafkaBroker({ ...prev.options, ...overrides });
}

async function waitUntilReady({ brokers, exited, timeoutMs, logFile, getSpawnError }) {
  let exit = null;
  exited.then((x) => (exit = x));
  const deadline = Date.now() + timeoutMs;
  let Kafka = null;
  let logLevel = null;
  try {
    ({ Kafka, logLevel } = (await import('kafkajs')).default);
  } catch {
    // kafkajs not installed: fall back to the broker's own log line plus an open port.
  }
  let lastError = 'no attempt yet';
  while (Date.now() < deadline) {
    if (getSpawnError()) throw getSpawnError();
    if (exit) throw new Error(`the java process exited (code ${exit.code}, signal ${exit.signal})`);
    try {
      if (Kafka) {
        const admin = new Kafka({
          clientId: 'market-monitor-kafka-ready',
          brokers,
          logLevel: logLevel.NOTHING,
          connectionTimeout: 1000,
          requestTimeout: 3000,
          retry: { retries: 0 },
        }).admin();
        try {
          await admin.connect();
          const cluster = await admin.describeCluster();
          if (cluster.brokers.length > 0) return;
          lastError = 'describeCluster listed no brokers';
        } finally {
          await admin.disconnect().catch(() => {});
        }
      } else if ((readText(logFile) ?? '').includes('Kafka Server started') && (await canConnect(brokers[0]))) {
        return;
      }
    } catch (e) {
      lastError = e?.message ?? String(e);
    }
    await sleep(250);
  }
  throw new Error(`not ready after ${Math.round(timeoutMs / 1000)} s (last error: ${lastError})`);
}

function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

// ---------------------------------------------------------------------------------------------
// Helpers

function log4jConfig(logFile) {
  // One file, INFO, nothing on stdout. Rolled at 10 MB so a long-lived local broker stays small.
  const esc = logFile.replace(/\\/g, '\\\\');
  return [
    'status = error',
    'name = market-monitor-kafka',
    'appender.file.type = RollingFile',
    'appender.file.name = FILE',
    `appender.file.fileName = ${esc}`,
    `appender.file.filePattern = ${esc}.%i`,
    'appender.file.layout.type = PatternLayout',
    'appender.file.layout.pattern = [%d] %p %m (%c)%n',
    'appender.file.policies.type = Policies',
    'appender.file.policies.size.type = SizeBasedTriggeringPolicy',
    'appender.file.policies.size.size = 10MB',
    'appender.file.strategy.type = DefaultRolloverStrategy',
    'appender.file.strategy.max = 3',
    'rootLogger.level = INFO',
    'rootLogger.appenderRef.file.ref = FILE',
    'logger.state.name = state.change.logger',
    'logger.state.level = WARN',
    // The full config dumps (thousands of lines per start).
    'logger.config.name = org.apache.kafka.common.config.AbstractConfig',
    'logger.config.level = WARN',
    '',
  ].join('\n');
}

/** A Kafka Uuid string: 16 random bytes, URL-safe base64 without padding, not starting with '-'. */
function randomClusterId() {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** A port that is free on 127.0.0.1 now (and not in `avoid`). */
export async function freePort(avoid = []) {
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const srv = net.createServer();
      srv.unref();
      srv.once('error', reject);
      srv.listen(0, HOST, () => {
        const { port } = srv.address();
        srv.close(() => resolve(port));
      });
    });
    if (!avoid.includes(port)) return port;
  }
}

export function isPortFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, HOST, () => srv.close(() => resolve(true)));
  });
}

function canConnect(hostPort) {
  const [host, port] = hostPort.split(':');
  return new Promise((resolve) => {
    const s = net.connect(Number(port), host);
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

function run(cmd, args, options = {}) {
  return new Promise((resolve) => {
    let output = '';
    let child;
    try {
      child = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      resolve({ code: null, output, error });
      return;
    }
    const add = (d) => {
      output += d;
      if (output.length > 200_000) output = output.slice(-100_000);
    };
    child.stdout.on('data', add);
    child.stderr.on('data', add);
    child.once('error', (error) => resolve({ code: null, output, error }));
    child.once('close', (code) => resolve({ code, output, error: null }));
  });
}

function readText(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function readProperties(file) {
  const out = {};
  for (const line of (readText(file) ?? '').split(/\r?\n/)) {
    const m = /^\s*([^#!][^=:]*?)\s*[=:]\s*(.*)$/.exec(line);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

function tail(text, lines) {
  // Maven colours its output even with -B on some terminals; strip the escapes.
  return stripVTControlCharacters(text).trimEnd().split('\n').slice(-lines).join('\n');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
