import type { CallResult, EventName } from '../../engine/api/contract.ts';

/** From the host to the engine's thread. */
export type HostMessage = { type: 'call'; id: number; name: string; input: unknown } | { type: 'close' };

/** From the engine's thread to the host. */
export type ThreadMessage =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; result: CallResult }
  | { type: 'event'; event: EventName; payload: unknown }
  | { type: 'closed' };
