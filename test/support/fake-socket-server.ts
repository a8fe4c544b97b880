import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/** What a client's JSON message asks of its subscriptions, in a provider's protocol. */
export type ReadSubscription = (message: unknown) => { subscribe?: string[]; unsubscribe?: string[] };

/**
 * A local stand-in for a provider's streaming server on 127.0.0.1: it keeps each client's
 * subscriptions as the protocol's messages change them, and can send frames, drop every
 * connection, refuse new ones with an HTTP status, or cut a connection in the middle of a frame.
 */
export class FakeSocketServer {
  readonly connections: WebSocket[] = [];
  /** Every JSON message clients sent, in order. */
  readonly received: unknown[] = [];
  /** The request path and query of every handshake, in order (a key travels in it). */
  readonly handshakes: string[] = [];
  private readonly subscriptions = new Map<WebSocket, Set<string>>();
  private refusal: number | undefined;
  private readonly server: http.Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly read: ReadSubscription;
  /** Sent to each new connection as it opens (a provider's snapshot). */
  onConnect: ((ws: WebSocket) => void) | undefined;
  url = '';

  protected constructor(read: ReadSubscription) {
    this.read = read;
    this.server = http.createServer((_req, res) => res.writeHead(404).end());
    this.server.on('upgrade', (req, socket, head) => {
      this.handshakes.push(req.url ?? '');
      const refusal = this.refusalFor(req.url ?? '');
      if (refusal !== undefined) {
        socket.end(`HTTP/1.1 ${refusal} Refused\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    });
  }

  /** The HTTP status a handshake to this URL is refused with, if it is. */
  protected refusalFor(_url: string): number | undefined {
    return this.refusal;
  }

  protected async listen(path: string): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  private accept(ws: WebSocket): void {
    this.connections.push(ws);
    this.subscriptions.set(ws, new Set());
    ws.on('message', (data) => {
      const message: unknown = JSON.parse(String(data));
      this.received.push(message);
      const { subscribe = [], unsubscribe = [] } = this.read(message);
      const set = this.subscriptions.get(ws)!;
      for (const s of subscribe) set.add(s);
      for (const s of unsubscribe) set.delete(s);
    });
    ws.on('close', () => this.subscriptions.delete(ws));
    this.onConnect?.(ws);
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

  /** Refuses new connections with this HTTP status (503 for `true`), or (false) accepts them again. */
  refuse(refusing: boolean | number): void {
    this.refusal = refusing === false ? undefined : refusing === true ? 503 : refusing;
  }

  /** Writes the first bytes of a text frame announcing 100 bytes, then cuts the TCP connection. */
  cutMidFrame(start = '{"type":"pricing","mess'): void {
    for (const ws of this.subscriptions.keys()) {
      const socket = (ws as unknown as { _socket: import('node:net').Socket })._socket;
      socket.write(Buffer.concat([Buffer.from([0x81, 100]), Buffer.from(start)]));
      socket.destroy();
    }
  }

  async stop(): Promise<void> {
    for (const ws of this.connections) ws.terminate();
    this.wss.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
