import type { EventHub } from '../api/event-hub.ts';
import type { TickBus } from '../bus/bus.ts';
import type { Candle } from '../domain/candle.ts';
import type { Tick } from '../domain/tick.ts';
import type { Sink } from '../sinks/sink.ts';
import type { TickProcessor } from '../stream/tick-processor.ts';

/** Everything that hears of a committed batch, besides the store that already holds it. */
export interface CommitTargets {
  sinks: readonly Sink[];
  quotes: { apply(ticks: readonly Tick[], candles: readonly Candle[]): void };
  fireAlerts(ticks: readonly Tick[], candles: readonly Candle[]): void;
  findAnomalies(candles: readonly Candle[]): void;
  events: EventHub;
  bus: TickBus;
  /** Asks for a (throttled) watchlist event. */
  watchlistChanged(): void;
}

/**
 * One post-commit listener per target, each contained by the processor under its own name: a sink
 * or an alert that throws costs its own work only, and the status counts it under that name.
 */
export function fanOutCommits(processor: TickProcessor, to: CommitTargets): void {
  const after = processor.onCommitted.bind(processor);
  for (const sink of to.sinks) after((batch) => sink.offer(batch.ticks, batch.candles), sink.name);
  after((batch) => to.quotes.apply(batch.lastTicks, batch.candles), 'quote board');
  after((batch) => to.fireAlerts(batch.lastTicks, batch.candles), 'alerts');
  after((batch) => to.findAnomalies(batch.candles), 'anomalies');
  after((batch) => to.events.publish('candles', batch.candles), 'chart events');
  after((batch) => {
    if (batch.deadLetters.length > 0) to.bus.deadLetter(batch.deadLetters);
  }, 'dead-letter topic');
  after((batch) => {
    if (batch.accepted > 0) to.watchlistChanged();
  }, 'watchlist events');
}
