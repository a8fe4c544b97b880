import type { CallResult, EventName, EventPayload } from '../../../engine/api/contract.ts';

/** What the Electron preload exposes on window.marketMonitor: the contract, untyped on the wire. */
export interface MarketMonitorBridge {
  call(name: string, input: unknown): Promise<CallResult>;
  onEvent(listener: <E extends EventName>(event: E, payload: EventPayload<E>) => void): () => void;
}

declare global {
  interface Window {
    marketMonitor?: MarketMonitorBridge;
  }
}
