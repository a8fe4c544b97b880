import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import { commands } from '../../engine/api/contract.ts';
import type { ServerMessage } from '../../engine/api/wire.ts';
import { startHeadlessHost, type HeadlessHost } from '../../main/headless/server.ts';
import { MAX_MESSAGE_BYTES } from '../../main/headless/ws-transport.ts';
import { rendererDir } from '../../main/paths.ts';
import { clientFrame, connectRawWebSocket, serverCloseCode } from '../support/raw-websocket.ts';
import { expectCandlesEqualRecomputation } from '../support/recompute.ts';

/**
 * Commands a fuzzer may call with any input. Left out: those that reach beyond this machine
 * (a Kafka or InfluxDB connection test) or restart the pipeline with another source.
 */
const FUZZED_COMMANDS = Object.keys(commands).filter(
  (name) => !['settings.update', 'kafka.testConnection', 'influx.testConnection'].includes(name),
);

type Outgoing =
  | { kind: 'text'; text: string; call: boolean }
  | { kind: 'fragments'; parts: string[]; call: boolean }
  | { kind: 'binary'; bytes: Uint8Array }
  | { kind: 'oversized' };

const callText = fc
  .record({
    id: fc.integer({ min: 1, max: 1_000_000 }),
    name: fc.oneof(fc.constantFrom(...FUZZED_COMMANDS), fc.string({ maxLength: 20 })),
    input: fc.oneof(fc.constant({}), fc.jsonValue({ maxDepth: 3 }), fc.object({ maxDepth: 2 })),
  })
  .map((call) => JSON.stringify({ type: 'call', ...call }));

const outgoing: fc.Arbitrary<Outgoing> = fc.oneof(
  { weight: 6, arbitrary: callText.map((text) => ({ kind: 'text' as const, text, call: true })) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(callText, fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 3 }))
      .map(([text, cuts]) => ({ kind: 'fragments' as const, parts: splitAt(text, cuts), call: true })),
  },
  // Not calls: malformed JSON, JSON of another shape.
  { weight: 1, arbitrary: fc.string({ maxLength: 80 }).map((text) => ({ kind: 'text' as const, text, call: false })) },
  {
    weight: 1,
    arbitrary: fc
      .jsonValue({ maxDepth: 2 })
      .map((v) => ({ kind: 'text' as const, text: JSON.stringify(v), call: false })),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ kind: 'binary' as const, bytes })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'oversized' as const }) },
);

function splitAt(text: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((c) => Math.min(c, text.length)))].sort((a, b) => a - b);
  const parts = points.map((p, i) => text.slice(i === 0 ? 0 : points[i - 1], p));
  return [...parts, text.slice(points.at(-1))];
}

function isCall(text: string): boolean {
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    return (
      v !== null && typeof v === 'object' && v.type === 'call' && typeof v.id === 'number' && typeof v.name === 'string'
    );
  } catch {
    return false;
  }
}

function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

const PING_ID = 0;
const ping = JSON.stringify({ type: 'call', id: PING_ID, name: 'status.get', input: {} });

/** Sends the messages, then a ping; resolves with every answer and how the connection ended. */
async function exchange(url: string, messages: readonly Outgoing[]) {
  const ws = await openSocket(url);
  ws.on('error', () => {}); // the server may end a connection mid-send
  const results: Array<Extract<ServerMessage, { type: 'result' }>> = [];
  const ended = new Promise<{ pinged: boolean; closeCode?: number }>((resolve) => {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return; // candles.history's column frame
      const message = JSON.parse(data.toString()) as ServerMessage;
      if (message.type !== 'result') return;
      results.push(message);
      if (message.id === PING_ID) resolve({ pinged: true });
    });
    ws.on('close', (code) => resolve({ pinged: false, closeCode: code }));
  });
  for (const message of messages) {
    if (ws.readyState !== WebSocket.OPEN) break;
    if (message.kind === 'text') ws.send(message.text);
    else if (message.kind === 'binary') ws.send(message.bytes, { binary: true });
    else if (message.kind === 'oversized') ws.send('x'.repeat(MAX_MESSAGE_BYTES + 1));
    else message.parts.forEach((part, i) => ws.send(part, { fin: i === message.parts.length - 1 }));
  }
  if (ws.readyState === WebSocket.OPEN) ws.send(ping);
  const end = await ended;
  ws.terminate();
  return { ...end, results };
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('fuzzing the WebSocket API', () => {
  let app: MarketMonitor;
  let host: HeadlessHost;
  let wsUrl: string;

  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-ws-fuzz-'));
    app = await MarketMonitor.open({
      dbPath: path.join(dir, 'a.db'),
      overrides: { source: { simulator: { ticksPerSecond: 200 } } },
      starterSymbols: ['AAPL', 'MSFT'],
    });
    host = await startHeadlessHost({ app, port: 0, host: '127.0.0.1', staticDir: rendererDir() });
    wsUrl = host.url.replace('http', 'ws') + 'api';
  });

  afterAll(async () => {
    await host?.close();
    await app?.close();
  });

  it('answers every call, closes a connection only for what is not a call, and stays up', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(outgoing, { maxLength: 8 }), async (messages) => {
        const firstBad = messages.findIndex(
          (m) => !(m.kind === 'text' || m.kind === 'fragments') || !isCall(textOf(m)),
        );
        const { pinged, closeCode, results } = await exchange(wsUrl, messages);
        if (firstBad === -1) expect(pinged).toBe(true);
        else {
          expect(pinged).toBe(false);
          expect(closeCode).toBe(messages[firstBad]!.kind === 'oversized' ? 1009 : 1003);
        }
        const sentIds = new Set(
          messages.filter((m) => m.kind !== 'binary' && m.kind !== 'oversized').map((m) => idOf(m)),
        );
        for (const { id, result } of results) {
          expect(id === PING_ID || sentIds.has(id)).toBe(true);
          expect(typeof result.ok).toBe('boolean');
          if (!result.ok) expect(['unknown-command', 'invalid-input', 'failed']).toContain(result.error.code);
        }
      }),
      { numRuns: 40, interruptAfterTimeLimit: 30_000 },
    );
    await until(() => host.clients().count === 0, 'every fuzzing client to be gone');
  }, 120_000);

  it.each([
    ['a continuation frame with nothing to continue', clientFrame('{}', 0x0), 1002],
    ['a frame with a reserved opcode', clientFrame('{}', 0x3), 1002],
    ['a ping longer than a control frame may be', clientFrame(Buffer.alloc(200), 0x9), 1002],
    ['a text frame that is not UTF-8', clientFrame(Buffer.from([0xff, 0xfe, 0xfd]), 0x1), 1007],
    ['a frame without the mask clients must set', Buffer.from([0x81, 0x02, 0x7b, 0x7d]), 1002],
    ['a frame with RSV1 set and no extension agreed', Buffer.from([0xc1, ...clientFrame('{}').subarray(1)]), 1002],
  ])('closes a client that sends %s with %i, and serves the others', async (_what, frame, code) => {
    const socket = await connectRawWebSocket(wsUrl);
    const closed = serverCloseCode(socket);
    socket.write(frame);
    expect(await closed).toBe(code);
    socket.destroy();
    expect((await exchange(wsUrl, [])).pinged).toBe(true);
  });

  it('serves many connections at once and survives clients that vanish mid-handshake', async () => {
    const { port } = new URL(wsUrl);
    // Half a request, then a reset: the upgrade socket errors while the host still holds it.
    await Promise.all(
      Array.from(
        { length: 50 },
        () =>
          new Promise<void>((resolve) => {
            const socket = net.connect(Number(port), '127.0.0.1', () => {
              socket.write('GET /api HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n');
              socket.resetAndDestroy();
              resolve();
            });
            socket.on('error', () => resolve());
          }),
      ),
    );
    const answers = await Promise.all(Array.from({ length: 100 }, () => exchange(wsUrl, [])));
    expect(answers.every((a) => a.pinged)).toBe(true);
    await until(() => host.clients().count === 0, 'every client to be gone');
  }, 120_000);

  it('leaves every stored candle equal to a recomputation from the stored ticks', async () => {
    app.setPaused(true);
    await app.drain();
    expect(app.store.tickCount()).toBeGreaterThan(0);
    expectCandlesEqualRecomputation(app.db);
  });
});

function textOf(message: Outgoing): string {
  return message.kind === 'text' ? message.text : message.kind === 'fragments' ? message.parts.join('') : '';
}

function idOf(message: Outgoing): number | undefined {
  try {
    return (JSON.parse(textOf(message)) as { id?: number }).id;
  } catch {
    return undefined;
  }
}
