import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import sirv from 'sirv';
import { WebSocketServer } from 'ws';
import type { EngineEndpoint } from '../../engine/api/endpoint.ts';
import { inThreadEndpoint } from '../../engine/app/in-thread-endpoint.ts';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import { isAllowedOrigin, isLoopback, securityHeaders } from './security.ts';
import { MAX_MESSAGE_BYTES, attachWebSocketTransport } from './ws-transport.ts';

export interface HeadlessHostOptions {
  /** The app in this thread, or an endpoint to it in another (`startEngineWorker`). */
  app: MarketMonitor | EngineEndpoint;
  /** 0 picks a free port. */
  port: number;
  host: string;
  /** The built renderer (vite build output). */
  staticDir: string;
  /** Required when bound to a non-loopback address: clients pass it as ?token=. */
  token?: string;
  /** How many unsent bytes a WebSocket client may leave before it is dropped (tests lower it). */
  maxBufferedBytes?: number;
}

export interface HeadlessHost {
  url: string;
  /** The WebSocket clients connected now, and the bytes waiting to be sent to them. */
  clients(): { count: number; bufferedBytes: number };
  close(): Promise<void>;
}

export const API_PATH = '/api';

/** HTTP for the renderer and a WebSocket for the contract, on one port. */
export async function startHeadlessHost(options: HeadlessHostOptions): Promise<HeadlessHost> {
  if (!isLoopback(options.host) && !options.token) {
    throw new Error(`Refusing to serve on ${options.host} without --token: anyone on the network could drive the app.`);
  }
  if (!fs.existsSync(path.join(options.staticDir, 'index.html'))) {
    throw new Error(
      `The renderer is not built (${options.staticDir}/index.html is missing): run "npm run build:renderer".`,
    );
  }
  const serveStatic = sirv(options.staticDir, { single: true, etag: true, dev: false });
  const headers = securityHeaders();
  const server = http.createServer((req, res) => {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    if (!authorized(req, options.token)) {
      res.writeHead(401, { 'Content-Type': 'text/plain' }).end('A valid ?token= is required');
      return;
    }
    // The page's own asset and WebSocket requests carry no query: a strict same-site cookie stands in for it.
    if (options.token)
      res.setHeader(
        'Set-Cookie',
        `${TOKEN_COOKIE}=${encodeURIComponent(options.token)}; HttpOnly; SameSite=Strict; Path=/`,
      );
    serveStatic(req, res, () => {
      res.writeHead(404).end();
    });
  });
  // A client's malformed request or reset must end that client only, never the host.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    else socket.destroy();
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  wss.on('error', () => {}); // errors of the upgrade itself; each client socket has its own listener
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    if (
      pathname !== API_PATH ||
      !authorized(req, options.token) ||
      !isAllowedOrigin(req.headers.origin, req.headers.host)
    ) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  const engine = options.app instanceof MarketMonitor ? inThreadEndpoint(options.app) : options.app;
  attachWebSocketTransport(wss, engine, {
    ...(options.maxBufferedBytes !== undefined ? { maxBufferedBytes: options.maxBufferedBytes } : {}),
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${hostForUrl}:${port}/${options.token ? `?token=${encodeURIComponent(options.token)}` : ''}`;
  return {
    url,
    clients: () => {
      let bufferedBytes = 0;
      for (const client of wss.clients) bufferedBytes += client.bufferedAmount;
      return { count: wss.clients.size, bufferedBytes };
    },
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const TOKEN_COOKIE = 'mm-token';

function authorized(req: http.IncomingMessage, token: string | undefined): boolean {
  if (!token) return true;
  if (new URL(req.url ?? '/', 'http://x').searchParams.get('token') === token) return true;
  const cookies = (req.headers.cookie ?? '').split(';').map((c) => c.trim());
  return cookies.includes(`${TOKEN_COOKIE}=${encodeURIComponent(token)}`);
}
