import type { CallResult, EventName, EventPayload } from './contract.ts';

export type EventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/**
 * The engine as a transport sees it: commands in (checked by the contract where the engine runs),
 * answers and coalesced events out. The engine may run in the same thread as the transport or in
 * another; the transports (WebSocket, Electron IPC) are the same either way.
 */
export interface EngineEndpoint {
  /** `name` is whatever the transport received: an unknown command is refused where the engine runs. */
  call(name: unknown, input: unknown): Promise<CallResult>;
  subscribe(listener: EventListener): () => void;
}
