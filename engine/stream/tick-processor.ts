import { firstIndexNotBefore } from '../base/sorted.ts';
import type { BusBatch, TickConsumer } from '../bus/bus.ts';
import type { Candle } from '../domain/candle.ts';
import { ExchangeDays } from '../domain/exchange-day.ts';
import { INTERVAL_MS, maxWindowMs, type Interval } from '../domain/interval.ts';
import { DEFAULT_FUTURE_SKEW_MS } from '../domain/settings.ts';
import { checkTick, type Tick } from '../domain/tick.ts';
import type { BatchResult, DeadLetter, MarketStore } from '../store/market-store.ts';
import { CandleAggregator } from './candle-aggregator.ts';
import { ContainedListeners, type ListenerFailure } from './contained-listeners.ts';
import { FutureBound } from './future-bound.ts';
import { rollUp } from './candle.ts';
import { Watermark } from './watermark.ts';

export interface ProcessorOptions {
  groupId: string;
  intervals: readonly Interval[];
  outOfOrdernessMs: number;
  allowedLatenessMs: number;
  /** Told each time a post-commit listener throws (to log it); the batch stays committed. */
  onListenerFailure?: (failure: ListenerFailure, error: unknown) => void;
  /** How far ahead of the host clock an event time may be (default DEFAULT_FUTURE_SKEW_MS). */
  futureSkewMs?: number;
  /** The host clock; injected in tests. */
  now?: () => number;
  /** Where the processor says it repaired stored state (default: standard error). */
  warn?: (message: string) => void;
  /** Each symbol's exchange days (New York for all unless given). */
  days?: ExchangeDays;
  /**
   * Runs with a batch's changed candles before the batch is committed, and is waited for: the
   * scale-out publish to the candle topics. If it fails nothing is committed and the batch fails
   * (the bus delivers it again), so a committed batch's candles are always published.
   */
  beforeCommit?: (candles: readonly Candle[]) => Promise<void>;
}

/** What one committed batch changed, for the UI and the other sinks. */
export interface BatchCommitted {
  topic: string;
  partition: number;
  accepted: number;
  late: number;
  invalid: number;
  candles: Candle[];
  lastTicks: Tick[];
  /** Every accepted tick of the batch, in arrival order (the InfluxDB mirror writes them all). */
  ticks: Tick[];
  deadLetters: DeadLetter[];
}

export interface ProcessorCounters {
  accepted: number;
  late: number;
  invalid: number;
}

const MAX_PAYLOAD_KEPT = 4_096;

/** One partition's batch folded into memory, waiting for its commit. */
interface FoldedBatch {
  batch: BusBatch;
  watermark: Watermark;
  accepted: Tick[];
  candles: Candle[];
  deadLetters: DeadLetter[];
  late: number;
  result: BatchResult;
}

/**
 * The engine's consumer: validates ticks, applies the watermark, folds them into candles and
 * commits ticks, candles, dead letters and the partition's next offset in one SQLite transaction.
 */
export class TickProcessor implements TickConsumer {
  readonly groupId: string;
  readonly counters: ProcessorCounters = { accepted: 0, late: 0, invalid: 0 };
  private aggregator: CandleAggregator;
  private readonly watermarks = new Map<string, Watermark>();
  private readonly restored = new Set<string>();
  /** Whether the ticks a crash left out of the stored candles were folded again (recoverCandles). */
  private recovered = false;
  private readonly listeners: ContainedListeners<BatchCommitted>;

  private readonly store: MarketStore;
  private readonly options: ProcessorOptions;
  private readonly future: FutureBound;
  private readonly days: ExchangeDays;

  constructor(store: MarketStore, options: ProcessorOptions) {
    this.store = store;
    this.options = options;
    this.groupId = options.groupId;
    this.days = options.days ?? new ExchangeDays();
    this.aggregator = new CandleAggregator(options.intervals, this.days);
    this.listeners = new ContainedListeners(options.onListenerFailure);
    this.future = new FutureBound(options.futureSkewMs ?? DEFAULT_FUTURE_SKEW_MS, options.now);
  }

  /**
   * Runs `listener` after each committed batch. It runs after the transaction, so its failure is
   * no failure of the batch: it is counted under `name` (see listenerFailures) and the bus goes on.
   */
  onCommitted(listener: (event: BatchCommitted) => void, name = 'post-commit listener'): () => void {
    return this.listeners.add(name, listener);
  }

  /** The post-commit listeners that threw, how often, and their last error. */
  listenerFailures(): ListenerFailure[] {
    return this.listeners.failureList();
  }

  resumeOffset(topic: string, partition: number): number | undefined {
    return this.store.checkpoint(this.groupId, topic, partition)?.nextOffset;
  }

  async onBatch(batch: BusBatch): Promise<void> {
    await this.onBatches([batch]);
  }

  /**
   * Batches of several partitions (one delivery round of the bus), committed in one transaction:
   * all stored or none. Each partition keeps its own watermark, checkpoint and committed event.
   */
  async onBatches(batches: readonly BusBatch[]): Promise<void> {
    if (batches.every((b) => b.records.length === 0)) return;
    let folded: FoldedBatch[];
    try {
      // Inside the try: a fold that fails after another batch's fold must not leave that one in memory.
      folded = batches.filter((b) => b.records.length > 0).map((b) => this.fold(b));
      const candles = folded.flatMap((f) => f.candles);
      if (this.options.beforeCommit && candles.length > 0) await this.options.beforeCommit(candles);
      this.store.commitBatches(folded.map((f) => f.result));
    } catch (error) {
      this.forgetUncommittedState();
      throw error;
    }
    for (const f of folded) this.committed(f);
  }

  /** Validates the batch's records and folds the good ones into the open windows, in memory only. */
  private fold(batch: BusBatch): FoldedBatch {
    const watermark = this.watermark(batch.topic, batch.partition);
    const futureLimit = this.future.limit();
    const accepted: Tick[] = [];
    const deadLetters: DeadLetter[] = [];
    let late = 0;
    for (const record of batch.records) {
      const tick = record.error ?? checkTick(record.value);
      if (typeof tick === 'string') {
        deadLetters.push(this.deadLetter(batch, record.offset, `invalid: ${tick}`, record.value));
      } else if (tick.ts > futureLimit) {
        deadLetters.push(this.deadLetter(batch, record.offset, this.future.describe(tick.ts, futureLimit), tick));
      } else if (watermark.isLate(tick.ts)) {
        late++;
        const lateBy = watermark.lateBefore - tick.ts;
        deadLetters.push(this.deadLetter(batch, record.offset, `late: ${lateBy} ms past the allowed lateness`, tick));
      } else {
        watermark.observe(tick.ts);
        this.aggregator.add(tick);
        accepted.push(tick);
      }
    }
    // Drained per batch, so each partition's event carries the candles its own ticks changed.
    const candles = this.aggregator.drainChanged();
    const lastOffset = batch.records[batch.records.length - 1]!.offset;
    const result: BatchResult = {
      ticks: accepted,
      candles,
      deadLetters,
      checkpoint: {
        consumerGroup: this.groupId,
        topic: batch.topic,
        partition: batch.partition,
        nextOffset: lastOffset + 1,
        maxEventTs: Number.isFinite(watermark.maxSeen) ? watermark.maxSeen : null,
      },
      fromOffset: batch.records[0]!.offset,
    };
    return { batch, watermark, accepted, candles, deadLetters, late, result };
  }

  /** After the commit: closes what the watermark passed, counts, and tells the listeners. */
  private committed({ batch, watermark, accepted, candles, deadLetters, late }: FoldedBatch): void {
    this.aggregator.evict(new Set(accepted.map((t) => t.symbol)), watermark.lateBefore);
    this.counters.accepted += accepted.length;
    this.counters.late += late;
    this.counters.invalid += deadLetters.length - late;
    const event: BatchCommitted = {
      topic: batch.topic,
      partition: batch.partition,
      accepted: accepted.length,
      late,
      invalid: deadLetters.length - late,
      candles,
      lastTicks: lastTickPerSymbol(accepted),
      ticks: accepted,
      deadLetters,
    };
    this.listeners.emit(event);
  }

  /**
   * Brings the stored candles up to the stored ticks. With candles written behind their ticks
   * (MarketStore's writeBehind), a crash can leave ticks committed whose candle versions were not
   * written yet: those stored after the candle mark. They are folded again, in the order they were
   * stored, into their windows as stored, and written with the mark moved past them in one
   * transaction, so none counts twice. Runs before the first batch is folded; the host calls it
   * at start so that the candles are right before any tick comes. Returns the candles it wrote.
   */
  recoverCandles(): Candle[] {
    const candles = this.store.recoverCandles((ticks) => {
      const from = ticks.reduce((min, t) => Math.min(min, t.ts), Infinity);
      const aggregator = new CandleAggregator(this.options.intervals, this.days);
      aggregator.restore(this.store.candlesEndingAfter(from, this.longestWindows()));
      for (const tick of ticks) aggregator.add(tick);
      return aggregator.drainChanged();
    });
    // Only once it is written: a recovery that failed (a full disk) fails its batch and runs again.
    this.recovered = true;
    return candles;
  }

  /** Partitions moved between consumers: whatever this one folded may be stale, so SQLite is read again. */
  onAssignmentChanged(): void {
    this.forgetUncommittedState();
  }

  openWindowCount(): number {
    return this.aggregator.openWindowCount();
  }

  /**
   * History arrived behind the live feed: the backfill stored the symbol's minutes before `stitch`,
   * those from `gapFrom` on where none were stored. Each coarser window that straddles the stitch,
   * or that holds ticks and overlaps that gap, is re-derived from the stored minutes (history
   * before the stitch, ticks after it) in SQLite and among the open windows, so later ticks amend
   * the whole. A recomputation, not an increment: doing it again after a restart or a second
   * backfill counts nothing twice. Minutes are the only common ground of history and ticks, so
   * without the 1m interval such windows keep their live part only.
   */
  mergeHistory(symbol: string, gapFrom: number, stitch: number): Candle[] {
    if (!this.options.intervals.includes('1m')) return [];
    const windows: Array<{ interval: Interval; start: number; end: number }> = [];
    for (const interval of this.options.intervals) {
      if (INTERVAL_MS[interval] <= INTERVAL_MS['1m']) continue;
      for (const start of this.windowsAcrossHistory(symbol, interval, Math.min(gapFrom, stitch), stitch))
        windows.push({ interval, start, end: this.aggregator.boundsOf(symbol, start, interval)[1] });
    }
    if (windows.length === 0) return [];
    // One read of every stored minute the windows span, rather than one per window (hundreds of
    // 5-minute windows in the days a backfill covers).
    const from = windows.reduce((min, w) => Math.min(min, w.start), Infinity);
    const to = windows.reduce((max, w) => Math.max(max, w.end), -Infinity) - 1;
    const limit = Math.floor((to - from) / INTERVAL_MS['1m']) + 1; // every minute the span can hold
    const minutes = this.store.candles({ symbol, interval: '1m', from, to, limit });
    const merged: Candle[] = [];
    for (const { interval, start, end } of windows) {
      const candle = rollUp(minutesIn(minutes, start, end), interval, start);
      if (candle) merged.push(candle);
    }
    this.store.saveCandles(merged);
    this.aggregator.restore(merged);
    return merged;
  }

  /**
   * The symbol's day candles were cut again in another time zone (and stored): its open day windows
   * become the newest of them, so later ticks amend those.
   */
  replaceDays(symbol: string, days: readonly Candle[]): void {
    if (this.options.intervals.includes('1d')) this.aggregator.replace(symbol, '1d', days.slice(-2));
  }

  private windowsAcrossHistory(symbol: string, interval: Interval, gapFrom: number, stitch: number): Set<number> {
    const starts = new Set<number>();
    const [straddling, end] = this.aggregator.boundsOf(symbol, stitch - 1, interval);
    if (end > stitch) starts.add(straddling);
    const from = this.aggregator.boundsOf(symbol, gapFrom, interval)[0];
    for (const stored of this.store.candles({ symbol, interval, from, to: stitch - 1, limit: 100_000 }))
      if (stored.trades > 0) starts.add(stored.start);
    return starts;
  }

  /**
   * The batch folded into memory was not stored: drop all in-memory state so that the redelivered
   * batch starts again from what SQLite holds, and counts each tick once.
   */
  private forgetUncommittedState(): void {
    this.aggregator = new CandleAggregator(this.options.intervals, this.days);
    this.watermarks.clear();
    this.restored.clear();
  }

  /** The partition's watermark, restored with its open windows from the last checkpoint the first time it is seen. */
  private watermark(topic: string, partition: number): Watermark {
    const key = `${topic}#${partition}`;
    let watermark = this.watermarks.get(key);
    if (!watermark) {
      watermark = new Watermark(this.options.outOfOrdernessMs, this.options.allowedLatenessMs);
      const saved = this.store.checkpoint(this.groupId, topic, partition);
      const restored = saved?.maxEventTs == null ? undefined : this.plausible(saved.maxEventTs);
      if (saved?.maxEventTs != null && restored !== saved.maxEventTs) {
        const to = restored === undefined ? 'nothing' : new Date(restored).toISOString();
        (this.options.warn ?? console.warn)(
          `The watermark stored for ${topic} partition ${partition} (${new Date(saved.maxEventTs).toISOString()}) is from the future; it restarts from the newest plausible event time stored (${to}).`,
        );
      }
      if (restored !== undefined) watermark.restore(restored);
      this.watermarks.set(key, watermark);
      this.restoreOpenWindows(topic);
    }
    return watermark;
  }

  /**
   * Reopens, once per topic, every stored window that a tick of any partition could still amend:
   * those ending after the earliest partition's late boundary. Reopening too many costs memory only.
   * A consumer new to this database (another bus, another group) has no checkpoint of its own, but
   * the windows others left open are there all the same: without them its first tick in such a
   * window would overwrite the stored candle. So it starts from the newest event time anyone stored.
   */
  private restoreOpenWindows(topic: string): void {
    if (this.restored.has(topic)) return;
    this.restored.add(topic);
    if (!this.recovered) this.recoverCandles();
    const saved = this.store
      .checkpoints(this.groupId, topic)
      .map((c) => (c.maxEventTs == null ? undefined : this.plausible(c.maxEventTs)))
      .filter((ts) => ts !== undefined);
    const latest = this.store.latestEventTime();
    const earliest = saved.length > 0 ? Math.min(...saved) : latest === undefined ? undefined : this.plausible(latest);
    if (earliest === undefined) return;
    const lateBefore = earliest - this.options.outOfOrdernessMs - this.options.allowedLatenessMs;
    this.aggregator.restore(this.store.candlesEndingAfter(lateBefore, this.longestWindows()));
  }

  /** Each interval's longest window (a day can be 25 hours). */
  private longestWindows(): Record<Interval, number> {
    return Object.fromEntries(this.options.intervals.map((i) => [i, maxWindowMs(i)])) as Record<Interval, number>;
  }

  /**
   * A stored event time, or, if it lies beyond the plausibility bound (a far-future tick stored
   * before the bound existed), the newest plausible event time the candles hold instead. Without
   * this a database poisoned once would refuse every real tick of the partition for good.
   */
  private plausible(eventTime: number): number | undefined {
    const limit = this.future.limit();
    return eventTime <= limit ? eventTime : this.store.latestEventTimeUpTo(limit);
  }

  private deadLetter(batch: BusBatch, offset: number, reason: string, value: unknown): DeadLetter {
    let payload: string;
    try {
      payload = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
    } catch {
      payload = String(value);
    }
    return {
      at: Date.now(),
      topic: batch.topic,
      partition: batch.partition,
      offset,
      reason,
      payload: payload.slice(0, MAX_PAYLOAD_KEPT),
    };
  }
}

function lastTickPerSymbol(ticks: readonly Tick[]): Tick[] {
  const last = new Map<string, Tick>();
  for (const tick of ticks) last.set(tick.symbol, tick);
  return [...last.values()];
}

/** The minutes (ascending by start) whose start lies in [start, end). */
function minutesIn(minutes: readonly Candle[], start: number, end: number): Candle[] {
  const before = (bound: number) => firstIndexNotBefore(minutes.length, (i) => minutes[i]!.start < bound);
  return minutes.slice(before(start), before(end));
}
