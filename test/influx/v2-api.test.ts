// The InfluxDB 2.x API, against a recorded exchange that follows the v2 documentation
// (POST /api/v2/write?org=&bucket=&precision=, Authorization: Token, 204 on success, JSON
// {code, message} errors, Retry-After on 429; GET /health; GET /api/v2/buckets). InfluxDB 2 is not
// packaged for Debian, so this small server stands in for it; everything else runs for real.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InfluxSettingsSchema } from '../../engine/domain/influx-settings.ts';
import type { Tick } from '../../engine/domain/tick.ts';
import { InfluxMirror } from '../../engine/sinks/influx/mirror.ts';
import { tickLine } from '../../engine/sinks/influx/series.ts';
import { testInfluxConnection } from '../../engine/sinks/influx/test-connection.ts';
import { openDatabase, type SqliteDatabase } from '../../engine/store/database.ts';
import { until } from '../unit/helpers.ts';

const TOKEN = 'mm-test-token==';
const ORG = 'Market Org';
const BUCKET = 'ticks/raw';

interface Received {
  at: number;
  lines: string[];
  status: number;
}

type Reply = { status: number; headers?: Record<string, string>; body?: unknown };

const UNAUTHORIZED: Reply = { status: 401, body: { code: 'unauthorized', message: 'unauthorized access' } };
const NO_CONTENT: Reply = { status: 204 };

/** A stand-in for influxd 2.x: checks each write request as the docs describe it and answers from a script. */
class RecordedInflux2 {
  readonly received: Received[] = [];
  readonly problems: string[] = [];
  script: Reply[] = [];
  private readonly server = http.createServer((req, res) => this.handle(req, res));

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url!, 'http://x');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'GET' && url.pathname === '/health') {
        return send(res, {
          status: 200,
          body: {
            name: 'influxdb',
            message: 'ready for queries and writes',
            status: 'pass',
            checks: [],
            version: 'v2.7.11',
            commit: 'fbf5d4ab5e',
          },
        });
      }
      if (req.method === 'GET' && url.pathname === '/api/v2/buckets') {
        if (req.headers.authorization !== `Token ${TOKEN}`) return send(res, UNAUTHORIZED);
        const found = url.searchParams.get('org') === ORG && url.searchParams.get('name') === BUCKET;
        return send(res, {
          status: 200,
          body: {
            links: { self: '/api/v2/buckets?descending=false&limit=20&offset=0' },
            buckets: found ? [{ id: '0f2e1d', orgID: '9a8b7c', name: BUCKET, type: 'user', retentionRules: [] }] : [],
          },
        });
      }
      if (req.method !== 'POST' || url.pathname !== '/api/v2/write') {
        return send(res, { status: 404, body: { code: 'not found', message: 'path not found' } });
      }
      const expectParam = (key: string, value: string) => {
        if (url.searchParams.get(key) !== value)
          this.problems.push(`${key}=${url.searchParams.get(key)}, expected ${value}`);
      };
      expectParam('org', ORG);
      expectParam('bucket', BUCKET);
      expectParam('precision', 'ms');
      if (req.headers['content-encoding'] !== 'gzip')
        this.problems.push(`content-encoding ${req.headers['content-encoding']}`);
      if (!/^text\/plain/.test(req.headers['content-type'] ?? ''))
        this.problems.push(`content-type ${req.headers['content-type']}`);
      const lines = gunzipSync(Buffer.concat(chunks)).toString('utf8').split('\n');
      const reply = req.headers.authorization === `Token ${TOKEN}` ? (this.script.shift() ?? NO_CONTENT) : UNAUTHORIZED;
      this.received.push({ at: Date.now(), lines, status: reply.status });
      send(res, reply);
    });
  }
}

function send(res: http.ServerResponse, reply: Reply): void {
  const body = reply.body === undefined ? '' : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    ...(body ? { 'Content-Type': 'application/json; charset=utf-8' } : {}),
    'X-Influxdb-Build': 'OSS',
    'X-Influxdb-Version': 'v2.7.11',
    ...reply.headers,
  });
  res.end(body);
}

function ticks(count: number, from = 1_772_000_000_000): Tick[] {
  return Array.from({ length: count }, (_, i) => ({
    symbol: i % 2 ? 'AAPL' : 'MSFT',
    ts: from + i,
    price: 100 + i / 8,
    volume: i,
    side: 'buy' as const,
    source: 'simulator' as const,
  }));
}

describe('InfluxDB 2.x API (recorded exchange)', () => {
  let server: RecordedInflux2;
  let url: string;
  let db: SqliteDatabase;
  const mirrors: InfluxMirror[] = [];

  const settings = (patch: Record<string, unknown> = {}) =>
    InfluxSettingsSchema.parse({
      enabled: true,
      version: '2',
      url,
      org: ORG,
      bucket: BUCKET,
      token: TOKEN,
      flushIntervalMs: 50,
      batchSize: 100,
      ...patch,
    });
  const mirror = (patch: Record<string, unknown> = {}) => {
    const m = new InfluxMirror({ settings: settings(patch), db, backoff: { baseMs: 10, maxMs: 20 } });
    mirrors.push(m);
    return m;
  };

  beforeAll(async () => {
    db = openDatabase(':memory:');
  });

  afterEach(async () => {
    for (const m of mirrors.splice(0)) await m.close(0);
    await server.close();
    db.prepare('DELETE FROM influx_spill').run();
  });

  afterAll(() => db.close());

  const startServer = async () => {
    server = new RecordedInflux2();
    url = await server.start();
  };

  it('writes gzip line protocol to /api/v2/write with org, bucket, precision=ms and the token', async () => {
    await startServer();
    const m = mirror();
    const sent = ticks(250);
    m.offer(sent, []);
    await m.flush();
    expect(server.problems).toEqual([]);
    expect(server.received.map((r) => r.lines.length)).toEqual([100, 100, 50]);
    expect(server.received.flatMap((r) => r.lines)).toEqual(sent.map(tickLine));
    expect(m.status()).toMatchObject({
      state: 'ok',
      written: 250,
      dropped: 0,
      target: `InfluxDB 2.x ${url} ${ORG}/${BUCKET}`,
    });
  });

  it('waits as long as Retry-After says after a 429, then sends the same lines once', async () => {
    await startServer();
    server.script = [
      { status: 429, headers: { 'Retry-After': '1' }, body: { code: 'too many requests', message: 'org over quota' } },
    ];
    const m = mirror();
    const sent = ticks(40);
    m.offer(sent, []);
    await until(() => m.status().state === 'retrying', 'the 429 to be seen');
    expect(m.status().lastError).toBe('429 too many requests: org over quota');
    await m.flush();
    const [first, second, ...rest] = server.received;
    expect(rest).toEqual([]);
    expect(first!.status).toBe(429);
    expect(second!.status).toBe(204);
    // The backoff alone would have retried after 20 ms at most.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
    expect(second!.lines).toEqual(sent.map(tickLine));
    expect(m.status()).toMatchObject({ state: 'ok', written: 40, dropped: 0 });
  });

  it('keeps retrying with backoff through 503s and says "failing" after three in a row', async () => {
    await startServer();
    const unavailable: Reply = { status: 503, body: { code: 'unavailable', message: 'service unavailable' } };
    server.script = [unavailable, unavailable, unavailable, unavailable];
    const m = mirror();
    m.offer(ticks(10), []);
    await until(() => m.status().state === 'failing', 'three failures');
    await m.flush();
    expect(server.received.map((r) => r.status)).toEqual([503, 503, 503, 503, 204]);
    expect(m.status()).toMatchObject({ state: 'ok', written: 10, dropped: 0 });
  });

  it('holds the lines on 401 and delivers them once the token is right, through the SQLite spill', async () => {
    await startServer();
    const wrong = mirror({ token: 'expired' });
    const sent = ticks(30);
    wrong.offer(sent, []);
    await until(() => wrong.status().state === 'failing', 'the token to be refused repeatedly');
    expect(wrong.status()).toMatchObject({
      written: 0,
      dropped: 0,
      buffered: 30,
      lastError: '401 unauthorized: unauthorized access',
    });
    await wrong.close(0);
    expect(wrong.status().spilled).toBe(30);

    // What saving corrected settings does: a new mirror on the same database.
    const right = mirror();
    await right.flush();
    expect(right.status()).toMatchObject({ state: 'ok', written: 30, spilled: 0 });
    expect(server.received.filter((r) => r.status === 204).flatMap((r) => r.lines)).toEqual(sent.map(tickLine));
  });

  it('gives up a batch the server calls malformed (400), counts it, and goes on with the next', async () => {
    await startServer();
    server.script = [{ status: 400, body: { code: 'invalid', message: "unable to parse 'x': missing fields" } }];
    const m = mirror({ batchSize: 5 });
    m.offer(ticks(10), []);
    await m.flush();
    expect(server.received.map((r) => r.status)).toEqual([400, 204]);
    expect(m.status()).toMatchObject({ state: 'ok', written: 5, dropped: 5 });
    expect(m.status().lastError).toBe(
      "InfluxDB refused 5 of 5 lines: 400 invalid: unable to parse 'x': missing fields",
    );
  });

  it('tests the connection through /health and the bucket list', async () => {
    await startServer();
    expect(await testInfluxConnection(settings())).toEqual({
      ok: true,
      version: 'v2.7.11',
      message: `InfluxDB v2.7.11 answered; bucket "${BUCKET}" of "${ORG}" is there`,
    });
    expect(await testInfluxConnection(settings({ token: 'nope' }))).toEqual({
      ok: false,
      version: 'v2.7.11',
      message: 'InfluxDB v2.7.11 refused the token: unauthorized: unauthorized access',
    });
    const missing = await testInfluxConnection(settings({ bucket: 'other' }));
    expect(missing.ok).toBe(false);
    expect(missing.message).toMatch(/has no bucket "other"/);
    // A 1.x server (or anything else) at the address is named as not being 2.x.
    const v1 = await testInfluxConnection(settings({ version: '1', db: 'x' }));
    expect(v1).toEqual({ ok: false, message: expect.stringMatching(/\/ping answered 404 .*not InfluxDB 1\.x/) });
  });
});
