/**
 * The messages that carry the contract over a byte stream (the WebSocket bridge): JSON text frames,
 * except the answers of COLUMN_FRAME_COMMANDS, which come as binary column frames (column-frame.ts).
 */
import type { CallResult, EventName, EventPayload } from './contract.ts';

export type ClientMessage = { type: 'call'; id: number; name: string; input: unknown };

export type ServerMessage =
  | { type: 'result'; id: number; result: CallResult }
  | { [E in EventName]: { type: 'event'; event: E; payload: EventPayload<E> } }[EventName];
