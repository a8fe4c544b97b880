import type { FeedHealth } from '../domain/feed-health.ts';
import type { Tick, TickSourceKind } from '../domain/tick.ts';

export type SourceState = 'starting' | 'live' | 'paused' | 'delayed' | 'rate-limited' | 'offline' | 'stopped' | 'error';

export interface SourceStatus {
  kind: TickSourceKind;
  state: SourceState;
  message: string;
  /** A feed that can stream says whether it does: "streaming", or "polling" and why. */
  mode?: 'streaming' | 'polling';
  why?: string;
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
  /** Per watched symbol, for a source that knows more than its ticks tell (Yahoo). */
  feedOf?(symbol: string): FeedHealth;
}
