import type { Candle } from '../domain/candle.ts';
import type { SinkStatus } from '../domain/sink-status.ts';
import type { Tick } from '../domain/tick.ts';

export type { SinkState, SinkStatus } from '../domain/sink-status.ts';

/**
 * Where committed ticks and candles are mirrored to. `offer` runs on the consumer's path right
 * after each transaction, so it never waits and never throws for a failure of its own target:
 * it queues, sends in the background, and tells its trouble through `status()`.
 */
export interface Sink {
  readonly kind: string;
  readonly name: string;
  offer(ticks: readonly Tick[], candles: readonly Candle[]): void;
  status(): SinkStatus;
  /** Sends what it can within its grace period; what it cannot waits where the sink keeps it. */
  close(): Promise<void>;
}
