import type { IncomingMessage } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { dispatch } from '../../engine/api/dispatch.ts';
import { COLUMN_FRAME_COMMANDS, encodeColumnFrame } from '../../engine/api/column-frame.ts';
import type { CommandName, Handlers } from '../../engine/api/contract.ts';
import type { EventHub } from '../../engine/api/event-hub.ts';
import type { ClientMessage, ServerMessage } from '../../engine/api/wire.ts';

const MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * Serves the contract over one WebSocket per client: calls in, results and coalesced events out.
 * Results are JSON text frames, except the number columns of `candles.history` (a binary column frame).
 */
export function attachWebSocketTransport(wss: WebSocketServer, handlers: Handlers, events: EventHub): void {
  const unsubscribe = events.subscribe((event, payload) => {
    const text = JSON.stringify({ type: 'event', event, payload } as ServerMessage);
    for (const client of wss.clients) if (client.readyState === WebSocket.OPEN) client.send(text);
  });
  wss.on('close', unsubscribe);
  wss.on('connection', (socket: WebSocket, _request: IncomingMessage) => {
    socket.on('message', async (data, isBinary) => {
      const message = parse(isBinary ? null : data.toString());
      if (!message) {
        socket.close(1003, 'Expected a JSON call message');
        return;
      }
      const result = await dispatch(handlers, message.name, message.input);
      if (socket.readyState !== WebSocket.OPEN) return;
      if (result.ok && COLUMN_FRAME_COMMANDS.has(message.name as CommandName))
        socket.send(encodeColumnFrame(message.id, result.output as Record<string, unknown>), { binary: true });
      else socket.send(JSON.stringify({ type: 'result', id: message.id, result } as ServerMessage));
    });
  });
}

function parse(text: string | null): ClientMessage | null {
  if (text === null || text.length > MAX_MESSAGE_BYTES) return null;
  try {
    const value = JSON.parse(text) as Partial<ClientMessage>;
    return value.type === 'call' && typeof value.id === 'number' && typeof value.name === 'string'
      ? (value as ClientMessage)
      : null;
  } catch {
    return null;
  }
}
