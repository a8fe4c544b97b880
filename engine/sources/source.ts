import type { FeedHealth } from '../domain/feed-health.ts';
import type { Tick, TickSourceKind } from '../domain/tick.ts';
import type { SourceStatus } from '../domain/source-status.ts';

export type { SourceState, SourceStatus } from '../domain/source-status.ts';

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
