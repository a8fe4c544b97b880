import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import type { ServerMessage } from '../../engine/api/wire.ts';
import { BackfillCandles } from '../../engine/store/backfill-candles.ts';
import { startHeadlessHost, type HeadlessHost } from '../../main/headless/server.ts';
import { MAX_MESSAGE_BYTES } from '../../main/headless/ws-transport.ts';
import { rendererDir } from '../../main/paths.ts';
import { ROOT } from '../support/cli.ts';
import { clientFrame, connectRawWebSocket } from '../support/raw-websocket.ts';

const SLOW_LIMIT = 1024 * 1024;
const SERIES = 'SLOWX';
const SERIES_CANDLES = 5_000;
/** A history whose answer (about 20 MB of JSON) is more than the kernel's socket buffers take. */
const LARGE = 'LARGEX';
const LARGE_CANDLES = 60_000;

function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.once('close', (code) => resolve(code)));
}

async function ping(url: string): Promise<boolean> {
  const ws = await openSocket(url);
  const answer = new Promise<ServerMessage>((resolve) =>
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as ServerMessage;
      if (message.type === 'result') resolve(message);
    }),
  );
  ws.send(JSON.stringify({ type: 'call', id: 1, name: 'watchlist.list', input: {} }));
  const message = await answer;
  ws.close();
  return message.type === 'result' && message.result.ok;
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the headless host facing hostile clients', () => {
  let app: MarketMonitor;
  let host: HeadlessHost;
  let wsUrl: string;

  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-hostile-'));
    app = await MarketMonitor.open({
      dbPath: path.join(dir, 'a.db'),
      overrides: { source: { simulator: { ticksPerSecond: 200 } } },
    });
    const t0 = 1_700_000_000_000;
    const series = (symbol: string, length: number) =>
      Array.from({ length }, (_, i) => ({
        symbol,
        interval: '1m' as const,
        start: t0 + i * 60_000,
        open: 10,
        high: 11,
        low: 9,
        close: 10.5,
        volume: i,
        turnover: i * 10,
        trades: 0,
        buyVolume: 0,
        sellVolume: 0,
        openTs: t0 + i * 60_000,
        closeTs: t0 + i * 60_000 + 59_999,
      }));
    new BackfillCandles(app.db).fillMissing([...series(SERIES, SERIES_CANDLES), ...series(LARGE, LARGE_CANDLES)]);
    host = await startHeadlessHost({
      app,
      port: 0,
      host: '127.0.0.1',
      staticDir: rendererDir(),
      maxBufferedBytes: SLOW_LIMIT,
    });
    wsUrl = host.url.replace('http', 'ws') + 'api';
  });

  afterAll(async () => {
    await host?.close();
    await app?.close();
  });

  it('closes a client that sends a frame over the limit with 1009, and serves the others', async () => {
    const bystander = await openSocket(wsUrl);
    const offender = await openSocket(wsUrl);
    const code = closed(offender);
    offender.send('x'.repeat(MAX_MESSAGE_BYTES + 1));
    expect(await code).toBe(1009);
    expect(bystander.readyState).toBe(WebSocket.OPEN);
    expect(await ping(wsUrl)).toBe(true);
    const left = closed(bystander);
    bystander.close();
    await left;
  });

  it('keeps a client whose one large answer is still draining while events follow it', async () => {
    await until(() => host.clients().count === 0, 'earlier clients to leave');
    const reader = await connectRawWebSocket(wsUrl);
    reader.pause(); // reads later: the answer, larger than the limit, waits in the host meanwhile
    await until(() => host.clients().count === 1, 'the client to be counted');
    reader.write(
      clientFrame(
        JSON.stringify({
          type: 'call',
          id: 1,
          name: 'candles.list',
          input: { symbol: LARGE, interval: '1m', limit: LARGE_CANDLES },
        }),
      ),
    );
    await until(() => host.clients().bufferedBytes > SLOW_LIMIT, 'the answer to wait in the host');
    // The simulator's events go out every 50 ms: several come while the answer drains.
    const events = new Promise<void>((resolve) => {
      let seen = 0;
      const off = app.events.subscribe(() => {
        if (++seen < 4) return;
        off();
        resolve();
      });
    });
    await events;
    expect(host.clients().count).toBe(1);
    let received = 0;
    reader.on('data', (chunk: Buffer) => (received += chunk.length));
    reader.resume();
    await until(() => host.clients().bufferedBytes < SLOW_LIMIT, 'the answer to drain');
    expect(host.clients().count).toBe(1);
    reader.destroy();
  });

  it('drops a client that never reads, holding no more than its limit for it', async () => {
    await until(() => host.clients().count === 0, 'earlier clients to leave');
    const before = 0;
    const slow = await connectRawWebSocket(wsUrl);
    slow.pause(); // never reads again
    await until(() => host.clients().count === before + 1, 'the slow client to be counted');
    const call = (id: number) =>
      JSON.stringify({
        type: 'call',
        id,
        name: 'candles.list',
        input: { symbol: SERIES, interval: '1m', limit: 5_000 },
      });
    const oneAnswer = Buffer.byteLength(
      JSON.stringify({
        type: 'result',
        id: 1,
        result: { ok: true, output: app.store.candles({ symbol: SERIES, interval: '1m', limit: 5_000 }) },
      }),
    );
    // Far more than socket buffers hold: without a limit all of it would wait in the host's memory.
    const calls = Math.ceil((64 * 1024 * 1024) / oneAnswer);
    for (let id = 1; id <= calls; id++) slow.write(clientFrame(call(id)));
    let mostBuffered = 0;
    await until(() => {
      const { count, bufferedBytes } = host.clients();
      mostBuffered = Math.max(mostBuffered, bufferedBytes);
      return count === before;
    }, 'the slow client to be dropped');
    expect(mostBuffered).toBeLessThanOrEqual(SLOW_LIMIT + 2 * oneAnswer);
    slow.destroy();
    expect(await ping(wsUrl)).toBe(true);
  });
});

describe('market-monitor serve facing an oversized frame', () => {
  it('keeps running: the client is closed with 1009 and the next one is served', { timeout: 120_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-serve-'));
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'bin', 'market-monitor.mjs'), 'serve', '--port', '0', '--db', path.join(dir, 'a.db')],
      { cwd: ROOT },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let stdout = '';
        child.stdout.on('data', (d) => {
          stdout += d;
          const match = /serving (http:\/\/\S+)/.exec(stdout);
          if (match) resolve(match[1]!);
        });
        void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
      });
      const wsUrl = url.replace('http', 'ws') + 'api';
      const offender = await openSocket(wsUrl);
      const code = closed(offender);
      offender.send('x'.repeat(MAX_MESSAGE_BYTES + 1));
      expect(await code).toBe(1009);
      expect(await ping(wsUrl)).toBe(true);
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stderr).not.toContain('Max payload');
  });
});
