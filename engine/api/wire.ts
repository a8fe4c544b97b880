/** The messages that carry the contract over a byte stream (the WebSocket bridge). */
import type { CallResult, EventName, EventPayload } from './contract.ts';

export type ClientMessage = { type: 'call'; id: number; name: string; input: unknown };

export type ServerMessage =
  | { type: 'result'; id: number; result: CallResult }
  | { [E in EventName]: { type: 'event'; event: E; payload: EventPayload<E> } }[EventName];
