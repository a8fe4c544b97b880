import type { IncomingMessage } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { COLUMN_FRAME_COMMANDS, encodeColumnFrame } from '../../engine/api/column-frame.ts';
import type { CommandName } from '../../engine/api/contract.ts';
import type { EngineEndpoint } from '../../engine/api/endpoint.ts';
import type { ClientMessage, ServerMessage } from '../../engine/api/wire.ts';

/** The largest frame a client may send; `ws` closes the socket with 1009 beyond it. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * How much may wait unsent for one client. A client that does not read (a stalled tab, a hostile
 * process) would otherwise make the host hold every event and answer for it in memory.
 */
export const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export interface WsTransportOptions {
  maxBufferedBytes?: number;
}

/**
 * Serves the contract over one WebSocket per client: calls in, results and coalesced events out.
 * Results are JSON text frames, except the number columns of `candles.history` (a binary column frame).
 */
export function attachWebSocketTransport(
  wss: WebSocketServer,
  engine: EngineEndpoint,
  options: WsTransportOptions = {},
): void {
  const maxBuffered = options.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
  const send = (socket: WebSocket, data: string | Uint8Array, answer = false) =>
    sendOrDrop(socket, data, maxBuffered, answer);
  const unsubscribe = engine.subscribe((event, payload) => {
    const text = JSON.stringify({ type: 'event', event, payload } as ServerMessage);
    for (const client of wss.clients) send(client, text);
  });
  wss.on('close', unsubscribe);
  wss.on('connection', (socket: WebSocket, _request: IncomingMessage) => {
    // A protocol error (an oversized or malformed frame) or a reset: `ws` has already begun closing
    // the socket with the matching code (1009, 1002, ...). Without a listener the error would end the host.
    socket.on('error', () => {});
    socket.on('message', (data, isBinary) => {
      void answer(socket, data, isBinary).catch(() => socket.terminate());
    });
  });

  async function answer(socket: WebSocket, data: WebSocket.RawData, isBinary: boolean): Promise<void> {
    const message = parse(isBinary ? null : data.toString());
    if (!message) {
      socket.close(1003, 'Expected a JSON call message');
      return;
    }
    const result = await engine.call(message.name, message.input);
    if (result.ok && COLUMN_FRAME_COMMANDS.has(message.name as CommandName))
      send(socket, encodeColumnFrame(message.id, result.output as Record<string, unknown>), true);
    else send(socket, JSON.stringify({ type: 'result', id: message.id, result } as ServerMessage), true);
  }
}

/** The sizes of the answers each socket has been sent and not yet handed to the network. */
const answersInFlight = new WeakMap<WebSocket, number[]>();

/**
 * Sends, unless the client has left more than `maxBuffered` bytes unread: then it is dropped. The
 * largest answer still draining does not count (a 100,000-candle history the client asked for is
 * 6 MB, and the events after it must not end the client); a pile of answers not read does.
 */
function sendOrDrop(socket: WebSocket, data: string | Uint8Array, maxBuffered: number, answer: boolean): void {
  if (socket.readyState !== WebSocket.OPEN) return;
  const draining = answersInFlight.get(socket) ?? [];
  if (socket.bufferedAmount - Math.max(0, ...draining) > maxBuffered) {
    socket.terminate();
    return;
  }
  const binary = typeof data !== 'string';
  if (!answer) {
    socket.send(data, { binary });
    return;
  }
  const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
  answersInFlight.set(socket, [...draining, bytes]);
  socket.send(data, { binary }, () => {
    const left = answersInFlight.get(socket) ?? [];
    const at = left.indexOf(bytes);
    if (at >= 0) left.splice(at, 1);
  });
}

function parse(text: string | null): ClientMessage | null {
  if (text === null || text.length > MAX_MESSAGE_BYTES) return null;
  try {
    const value = JSON.parse(text) as Partial<ClientMessage>;
    return value !== null &&
      typeof value === 'object' &&
      value.type === 'call' &&
      typeof value.id === 'number' &&
      typeof value.name === 'string'
      ? (value as ClientMessage)
      : null;
  } catch {
    return null;
  }
}
