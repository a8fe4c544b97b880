import type { Candle } from '../domain/candle.ts';
import { Throttle } from '../base/throttle.ts';
import type { EventName, EventPayload } from './contract.ts';

type Listener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/**
 * At most 20 messages a second per channel. Each candles message redraws every chart that shows one
 * of its series: in Chromium without a GPU, 16 charts redrawn 20 times a second kept 60 frames a
 * second, 30 times a second did not (51), and a page behind on its frames is late with every tick.
 */
export const EVENT_FRAME_MS = 50;

/** Channels where each message matters (rare, and not a newer state of the same thing, or one per symbol): never merged. */
const EVERY_MESSAGE: ReadonlySet<EventName> = new Set<EventName>(['notice', 'alert', 'anomaly', 'drawings']);

/**
 * Coalesces engine events into at most one message per channel per frame. Candles are merged by
 * series and window (the newest state wins); other channels keep only their latest payload.
 * The first event after a quiet frame goes out on the next turn of the event loop, not a frame
 * later: a committed batch reaches the charts at once, and what that same turn published rides along.
 */
export class EventHub {
  private readonly listeners = new Set<Listener>();
  private candles = new Map<string, Candle>();
  private latest = new Map<EventName, unknown>();
  private queued: Array<[EventName, unknown]> = [];
  private readonly flusher: Throttle;

  constructor(frameMs = EVENT_FRAME_MS) {
    this.flusher = new Throttle(frameMs, () => this.send(), { leading: 'next-turn' });
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish<E extends EventName>(event: E, payload: EventPayload<E>): void {
    if (event === 'candles') {
      for (const candle of payload as Candle[]) {
        this.candles.set(`${candle.symbol}|${candle.interval}|${candle.start}`, candle);
      }
    } else if (EVERY_MESSAGE.has(event)) {
      this.queued.push([event, payload]);
    } else {
      this.latest.set(event, payload);
    }
    this.flusher.request();
  }

  /** Sends what is pending now. */
  flush(): void {
    this.flusher.runNow();
  }

  private send(): void {
    const candles = [...this.candles.values()];
    const latest = this.latest;
    const queued = this.queued;
    this.candles = new Map();
    this.latest = new Map();
    this.queued = [];
    if (candles.length > 0) this.emit('candles', candles);
    for (const [event, payload] of latest) this.emit(event, payload as never);
    for (const [event, payload] of queued) this.emit(event, payload as never);
  }

  close(): void {
    this.flusher.cancel();
    this.listeners.clear();
  }

  private emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const listener of this.listeners) listener(event, payload);
  }
}
