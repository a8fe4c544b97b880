import type { Tick, TickSourceKind } from '../domain/tick.ts';

export type SourceState = 'starting' | 'live' | 'paused' | 'delayed' | 'rate-limited' | 'offline' | 'stopped' | 'error';

export interface SourceStatus {
  kind: TickSourceKind;
  state: SourceState;
  message: string;
}

/** Where ticks come from. The producer hands what it emits to the bus. */
export interface TickSource {
  readonly kind: TickSourceKind;
  /** The symbols to produce; takes effect at once. */
  setSymbols(symbols: readonly string[]): void;
  start(emit: (ticks: Tick[]) => Promise<void>): void;
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
  status(): SourceStatus;
}
