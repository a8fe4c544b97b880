import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import { BackfillCandles } from '../../engine/store/backfill-candles.ts';
import { CANDLE_COLUMN_FIELDS } from '../../engine/store/candle-history.ts';
import type { WatchItem } from '../../engine/api/contract.ts';
import { decodeColumnFrame } from '../../engine/api/column-frame.ts';
import { EVENT_FRAME_MS } from '../../engine/api/event-hub.ts';
import type { ServerMessage } from '../../engine/api/wire.ts';
import { startHeadlessHost, type HeadlessHost } from '../../main/headless/server.ts';
import { rendererDir } from '../../main/paths.ts';

function openSocket(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

function call(
  ws: WebSocket,
  id: number,
  name: string,
  input: unknown,
): Promise<Extract<ServerMessage, { type: 'result' }>> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData, isBinary: boolean) => {
      const message = isBinary
        ? ({ type: 'result', ...decodeColumnFrame(data as Buffer) } as ServerMessage)
        : (JSON.parse(data.toString()) as ServerMessage);
      if (message.type === 'result' && message.id === id) {
        ws.off('message', onMessage);
        resolve(message);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ type: 'call', id, name, input }));
  });
}

describe('headless host', () => {
  let app: MarketMonitor;
  let host: HeadlessHost;
  let wsUrl: string;

  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-host-'));
    app = await MarketMonitor.open({
      dbPath: path.join(dir, 'a.db'),
      overrides: { source: { simulator: { ticksPerSecond: 500 } } },
    });
    host = await startHeadlessHost({ app, port: 0, host: '127.0.0.1', staticDir: rendererDir() });
    wsUrl = host.url.replace('http', 'ws') + 'api';
  });

  afterAll(async () => {
    await host?.close();
    await app?.close();
  });

  it('serves the renderer with a strict Content-Security-Policy', async () => {
    const response = await fetch(host.url);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<div id="root">');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('carries commands and their validation errors over the WebSocket', async () => {
    const ws = await openSocket(wsUrl);
    const added = await call(ws, 1, 'watchlist.add', { symbol: 'ibm' });
    expect(added.result.ok && (added.result.output as WatchItem[]).map((i) => i.symbol)).toContain('IBM');
    const refused = await call(ws, 2, 'watchlist.add', { symbol: 'not a symbol' });
    expect(refused.result).toMatchObject({
      ok: false,
      error: { code: 'invalid-input', fields: { symbol: expect.any(String) } },
    });
    const unknown = await call(ws, 3, 'drop.tables', {});
    expect(unknown.result).toMatchObject({ ok: false, error: { code: 'unknown-command' } });
    ws.close();
  });

  it('sends candles.history as a binary column frame equal to candles.list, and its refusals as JSON', async () => {
    const ws = await openSocket(wsUrl);
    // A series no live source writes to, so both answers see the same rows.
    const symbol = 'HISTX';
    new BackfillCandles(app.db).fillMissing(
      Array.from({ length: 30 }, (_, i) => {
        const close = 50 + Math.sin(i) / 3;
        return {
          symbol,
          interval: '1m' as const,
          start: 1_700_000_000_000 + i * 60_000,
          open: close - 0.1,
          high: close + 0.2,
          low: close - 0.3,
          close,
          volume: 5 + i,
          turnover: (5 + i) * close,
          trades: 0,
          buyVolume: 0,
          sellVolume: 0,
          openTs: 1_700_000_000_000 + i * 60_000,
          closeTs: 1_700_000_000_000 + i * 60_000 + 59_999,
        };
      }),
    );
    const query = { symbol, interval: '1m', limit: 20 };
    const binary: boolean[] = [];
    // Events (status, candles of the simulated symbols) may arrive between the answers: only answers count.
    ws.on('message', (data, isBinary) => {
      if (isBinary || (JSON.parse(data.toString()) as ServerMessage).type === 'result') binary.push(isBinary);
    });
    const list = await call(ws, 10, 'candles.list', query);
    const history = await call(ws, 11, 'candles.history', query);
    expect(binary).toEqual([false, true]);
    if (!list.result.ok || !history.result.ok) throw new Error('expected answers');
    const candles = list.result.output as unknown as Array<Record<string, number>>;
    const columns = history.result.output as unknown as Record<string, Float64Array>;
    expect(candles).toHaveLength(20);
    expect(Object.keys(columns).sort()).toEqual([...CANDLE_COLUMN_FIELDS, 'interval', 'symbol', 'timeZone'].sort());
    // The zone its day bars start in, for the chart's dates (no suffix, no feed: New York).
    expect((columns as unknown as { timeZone: string }).timeZone).toBe('America/New_York');
    for (const field of CANDLE_COLUMN_FIELDS) expect(Array.from(columns[field]!)).toEqual(candles.map((c) => c[field]));
    const refused = await call(ws, 12, 'candles.history', { symbol, interval: '2m' });
    expect(refused.result).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    ws.close();
  });

  it('pushes coalesced candle events: at most one candles message per frame', async () => {
    app.addSymbol('EVT');
    const ws = await openSocket(wsUrl);
    const arrivals: number[] = [];
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as ServerMessage;
      if (message.type === 'event' && message.event === 'candles') arrivals.push(performance.now());
    });
    const listenMs = 1_500;
    await new Promise((resolve) => setTimeout(resolve, listenMs));
    ws.close();
    expect(arrivals.length).toBeGreaterThan(3);
    // No more messages than frames in the time listened (one extra for the frame already open).
    expect(arrivals.length).toBeLessThanOrEqual(Math.ceil(listenMs / EVENT_FRAME_MS) + 1);
    const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]!);
    // Timers and the socket add jitter of a few milliseconds on a busy machine; uncoalesced events
    // (one per tick) would arrive back to back, far inside half a frame.
    expect(Math.min(...gaps)).toBeGreaterThan(EVENT_FRAME_MS / 2);
  });

  it('refuses a WebSocket from another origin', async () => {
    await expect(openSocket(wsUrl, { Origin: 'https://evil.example' })).rejects.toThrow(/403/);
  });

  it('refuses to bind beyond loopback without a token, and requires the token when given', async () => {
    await expect(startHeadlessHost({ app, port: 0, host: '0.0.0.0', staticDir: rendererDir() })).rejects.toThrow(
      /token/,
    );
    const guarded = await startHeadlessHost({
      app,
      port: 0,
      host: '127.0.0.1',
      staticDir: rendererDir(),
      token: 's3cret',
    });
    try {
      const bare = guarded.url.split('?')[0]!;
      expect((await fetch(bare)).status).toBe(401);
      expect((await fetch(guarded.url)).status).toBe(200);
      await expect(openSocket(`${bare.replace('http', 'ws')}api`)).rejects.toThrow(/403/);
      const ws = await openSocket(`${bare.replace('http', 'ws')}api?token=s3cret`);
      ws.close();
    } finally {
      await guarded.close();
    }
  });
});
