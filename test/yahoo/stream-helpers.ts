import http from 'node:http';
import type { AddressInfo } from 'node:net';
import protobuf from 'protobufjs';
import { WebSocketServer, type WebSocket } from 'ws';
import { PRICING_PROTO } from '../../engine/sources/yahoo/pricing-schema.ts';

/**
 * Real messages of Yahoo's streamer, as public projects keep them in their tests: yfinance's
 * `tests/test_live.py` (BTC-USD), yahoo-finance2's streamer test (AAPL before the open), a pair of
 * AAPL messages of 2020-05-18 from another project's decoder test, and a EURUSD=X message captured
 * 2026-08-13 (bare base64, as the first protocol version sent it).
 */
export const REAL_FRAMES = {
  btcUsd:
    'CgdCVEMtVVNEFYoMuUcYwLCVgIplIgNVU0QqA0NDQzApOAFFPWrEP0iAgOrxvANVx/25R12csrRHZYD8skR9/' +
    '7i0R7ABgIDq8bwD2AEE4AGAgOrxvAPoAYCA6vG8A/IBA0JUQ4ECAAAAwPrjckGJAgAA2P5ZT3tC',
  aaplPreMarket: 'CgRBQVBMFUjhmEMY4Jbi68lnKgNOTVMwCDgARTxEgT5lACBFP9gBBA==',
  aaplRegularPair: [
    'CgRBQVBMFexhnUMYkI6yi8VcKgNOTVMwCDgBRW68EkBItJzfEGXAwuFA2AEE',
    'CgRBQVBMFR9lnUMYoNyyi8VcKgNOTVMwCDgBRYJBE0BI5J7fEGWAj+JA2AEE',
  ],
  eurUsd: 'CghFVVJVU0Q9WBVanpM/GJDhibD/ZyoDQ0NZMA44AUV3Mb49ZQBAjDrYAQg=',
} as const;

const PricingData = protobuf.parse(PRICING_PROTO).root.lookupType('marketmonitor.yahoo.PricingData');

/** The version-2 envelope around a base64 message. */
export function envelope(base64: string): string {
  return JSON.stringify({ type: 'pricing', message: base64 });
}

/** The fields of a decoded message, in protobufjs's camelCase. */
export function decodeFields(base64: string): Record<string, unknown> {
  return PricingData.toObject(PricingData.decode(Buffer.from(base64, 'base64')), { longs: Number });
}

/** Encodes PricingData fields as Yahoo sends them (base64). */
export function pricingFrame(fields: Record<string, unknown>): string {
  return Buffer.from(PricingData.encode(PricingData.fromObject(fields)).finish()).toString('base64');
}

/** A real message with some fields changed (a later time, another volume), in its envelope. */
export function realFrameAt(base64: string, changes: Record<string, unknown>): string {
  return envelope(pricingFrame({ ...decodeFields(base64), ...changes }));
}

/**
 * A local stand-in for streamer.finance.yahoo.com on 127.0.0.1: it keeps each client's
 * subscriptions from the JSON `subscribe` / `unsubscribe` messages, and can send frames, drop every
 * connection, refuse new ones, or cut a connection in the middle of a frame.
 */
export class FakeStreamer {
  readonly connections: WebSocket[] = [];
  /** Every JSON message clients sent, in order. */
  readonly received: unknown[] = [];
  private readonly subscriptions = new Map<WebSocket, Set<string>>();
  private refusing = false;
  private readonly server: http.Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  url = '';

  private constructor() {
    this.server = http.createServer((_req, res) => res.writeHead(404).end());
    this.server.on('upgrade', (req, socket, head) => {
      if (this.refusing) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    });
  }

  static async start(): Promise<FakeStreamer> {
    const streamer = new FakeStreamer();
    await new Promise<void>((resolve) => streamer.server.listen(0, '127.0.0.1', resolve));
    streamer.url = `ws://127.0.0.1:${(streamer.server.address() as AddressInfo).port}/?version=2`;
    return streamer;
  }

  private accept(ws: WebSocket): void {
    this.connections.push(ws);
    this.subscriptions.set(ws, new Set());
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { subscribe?: string[]; unsubscribe?: string[] };
      this.received.push(message);
      const set = this.subscriptions.get(ws)!;
      for (const s of message.subscribe ?? []) set.add(s);
      for (const s of message.unsubscribe ?? []) set.delete(s);
    });
    ws.on('close', () => this.subscriptions.delete(ws));
  }

  /** The symbols the open connections are subscribed to. */
  subscribed(): string[] {
    return [...new Set([...this.subscriptions.values()].flatMap((s) => [...s]))].sort();
  }

  get open(): number {
    return this.subscriptions.size;
  }

  /** Sends a frame to every open connection subscribed to its symbol (or to all, for raw frames). */
  send(frame: string, symbol?: string): void {
    for (const [ws, set] of this.subscriptions) if (!symbol || set.has(symbol)) ws.send(frame);
  }

  dropAll(): void {
    for (const ws of this.subscriptions.keys()) ws.terminate();
  }

  refuse(refusing: boolean): void {
    this.refusing = refusing;
  }

  /** Writes the first bytes of a text frame announcing 100 bytes, then cuts the TCP connection. */
  cutMidFrame(): void {
    for (const ws of this.subscriptions.keys()) {
      const socket = (ws as unknown as { _socket: import('node:net').Socket })._socket;
      socket.write(Buffer.concat([Buffer.from([0x81, 100]), Buffer.from('{"type":"pricing","mess')]));
      socket.destroy();
    }
  }

  async stop(): Promise<void> {
    for (const ws of this.connections) ws.terminate();
    this.wss.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
