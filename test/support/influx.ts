import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  InfluxSettingsSchema,
  type InfluxSettings,
  type InfluxSettingsInput,
} from '../../engine/domain/influx-settings.ts';
import type { Tick } from '../../engine/domain/tick.ts';
import type { Status } from '../../engine/api/contract.ts';

/** Why InfluxDB tests are skipped, or null when they run. Set MARKET_MONITOR_SKIP_INFLUX=1 to skip them. */
export const INFLUX_SKIP_REASON: string | null =
  process.env.MARKET_MONITOR_SKIP_INFLUX === '1' ? 'MARKET_MONITOR_SKIP_INFLUX=1 is set' : null;

const INFLUXD = process.env.INFLUXD_PATH ?? 'influxd';

export interface TestInflux {
  url: string;
  dataDir: string;
  httpPort: number;
  rpcPort: number;
  /** Stops the server and waits for it to exit; the data stays. */
  stop(): Promise<void>;
  /** Starts it again on the same data directory and ports. */
  start(): Promise<void>;
  /** InfluxQL against /query; the answer's first series, or [] when there is none. */
  query(q: string, db?: string): Promise<InfluxSeries[]>;
  /** Stops the server and deletes its data directory. */
  cleanup(): Promise<void>;
}

export interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

/**
 * A real InfluxDB 1.x (`influxd` from the Debian package) on free loopback ports, with its data,
 * meta and WAL in a fresh temporary directory. Throws with a clear message when influxd is missing,
 * so that CI, which installs it, never passes by skipping.
 */
export async function startTestInflux(): Promise<TestInflux> {
  const probe = spawnSync(INFLUXD, ['version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `influxd (InfluxDB 1.x) is needed for these tests but could not be run (${probe.error?.message ?? probe.stderr}). ` +
        'Install it with `apt-get install influxdb`, set INFLUXD_PATH, or skip with MARKET_MONITOR_SKIP_INFLUX=1.',
    );
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-test-influx-'));
  const httpPort = await freePort();
  const rpcPort = await freePort();
  const config = path.join(dataDir, 'influxdb.conf');
  fs.writeFileSync(config, configText(dataDir, httpPort, rpcPort));
  const url = `http://127.0.0.1:${httpPort}`;
  let child: ChildProcess | undefined;
  let log = '';

  const start = async () => {
    log = '';
    child = spawn(INFLUXD, ['run', '-config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-8_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`influxd exited with ${child.exitCode}:\n${log}`);
      try {
        const res = await fetch(`${url}/ping`);
        if (res.status === 204) return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) throw new Error(`influxd did not answer /ping in 30 s:\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  const query = async (q: string, db?: string): Promise<InfluxSeries[]> => {
    const params = new URLSearchParams({ q, epoch: 'ms' });
    if (db) params.set('db', db);
    const res = await fetch(`${url}/query`, { method: 'POST', body: params });
    const body = (await res.json()) as { results?: Array<{ series?: InfluxSeries[]; error?: string }>; error?: string };
    const first = body.results?.[0];
    if (!res.ok || body.error || first?.error)
      throw new Error(`InfluxQL ${q}: ${body.error ?? first?.error ?? res.status}`);
    return first?.series ?? [];
  };

  try {
    await start();
  } catch (e) {
    await stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  return {
    url,
    dataDir,
    httpPort,
    rpcPort,
    stop,
    start,
    query,
    async cleanup() {
      await stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Everything that would listen elsewhere or phone home is off; only HTTP and the RPC port, on loopback. */
function configText(dir: string, httpPort: number, rpcPort: number): string {
  return `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"

[meta]
  dir = "${path.join(dir, 'meta')}"

[data]
  dir = "${path.join(dir, 'data')}"
  wal-dir = "${path.join(dir, 'wal')}"
  query-log-enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:${httpPort}"
  log-enabled = false
  auth-enabled = false

[monitor]
  store-enabled = false

[continuous_queries]
  enabled = false

[subscriber]
  enabled = false

[logging]
  level = "warn"
`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Mirror settings for a test database: small, fast batches unless the test says otherwise. */
export function testMirrorSettings(url: string, db: string, patch: InfluxSettingsInput = {}): InfluxSettings {
  return InfluxSettingsSchema.parse({ enabled: true, url, db, batchSize: 500, flushIntervalMs: 50, ...patch });
}

export interface StoredTick {
  symbol: string;
  ts: number;
  price: number;
  volume: number;
  side: string | null;
}

/** Every stored tick point, ordered by symbol then time, in the shape of a Tick. */
export async function storedTicks(influx: TestInflux, db: string): Promise<StoredTick[]> {
  const series = await influx.query('SELECT price, volume, side FROM "stock-price-v1" GROUP BY symbol', db);
  return series
    .flatMap((s) =>
      s.values.map(([time, price, volume, side]) => ({
        symbol: s.tags!.symbol!,
        ts: time as number,
        price: price as number,
        volume: volume as number,
        side: side as string | null,
      })),
    )
    .sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : a.ts - b.ts));
}

/** Ticks as the mirror should have stored them, in the order of storedTicks. */
export function expectedTicks(ticks: readonly Tick[]): StoredTick[] {
  return ticks
    .map((t) => ({ symbol: t.symbol, ts: t.ts, price: t.price, volume: t.volume, side: t.side ?? null }))
    .sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : a.ts - b.ts));
}

/** The InfluxDB mirror's entry in the status's list of sinks. */
export const influxSink = (status: Status) => status.sinks.find((sink) => sink.kind === 'influx');
