import type { Candle } from '../../domain/candle.ts';
import type { InfluxSettings } from '../../domain/influx-settings.ts';
import type { Tick } from '../../domain/tick.ts';
import type { SqliteDatabase } from '../../store/database.ts';
import { backoffDelay, type BackoffOptions } from '../../base/backoff.ts';
import { LineProtocolError } from './line-protocol.ts';
import { candleLine, tickLine } from './series.ts';
import { SpillStore } from './spill.ts';
import { describe, writeEndpoint, writeLines, type InfluxEndpoint } from './writer.ts';
import { sleep } from '../../base/sleep.ts';
import type { Sink, SinkState, SinkStatus } from '../sink.ts';

/** The mirror's status is a sink's (kept under its old name for its own tests and callers). */
export type MirrorStatus = SinkStatus;

export interface MirrorOptions {
  settings: InfluxSettings;
  /** Holds the spill table; the mirror uses it only from its own calls, never concurrently. */
  db: SqliteDatabase;
  backoff?: BackoffOptions;
  random?: () => number;
}

export const INFLUX_SINK = { kind: 'influx', name: 'InfluxDB mirror' } as const;

/** Consecutive failed attempts after which the state reads "failing" rather than "retrying". */
const FAILING_AFTER = 3;
const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000 };

interface Batch {
  lines: string[];
  /** Set when the lines are a spilled chunk, which stays in SQLite until the server took it. */
  spillId?: number;
}

/**
 * Mirrors committed ticks and candles to InfluxDB. `offer` only encodes and queues, so the engine
 * never waits for InfluxDB; one request at a time goes out, oldest lines first, so a newer version of
 * a candle is never overwritten by an older one.
 *
 * Order of what waits: the batch in flight, then SQLite's chunks, then memory. Memory spills whole
 * into SQLite when it passes `memoryLines`, so everything in memory is always newer than the spill.
 */
export class InfluxMirror implements Sink {
  readonly kind = INFLUX_SINK.kind;
  readonly name = INFLUX_SINK.name;
  private readonly settings: InfluxSettings;
  private readonly endpoint: InfluxEndpoint;
  private readonly spill: SpillStore;
  private readonly backoff: BackoffOptions;
  private readonly random: () => number;
  private memory: string[] = [];
  private inFlight: Batch | undefined;
  private counters = { dropped: 0, written: 0 };
  private state: SinkState = 'ok';
  private retryError: string | undefined;
  private dropError: string | undefined;
  private failures = 0;
  private pumping: Promise<void> | undefined;
  private closed = false;
  private readonly abort = new AbortController();
  private wake: (() => void) | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(options: MirrorOptions) {
    this.settings = options.settings;
    this.endpoint = writeEndpoint(options.settings);
    this.spill = new SpillStore(options.db);
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.random = options.random ?? Math.random;
    this.timer = setInterval(() => this.kick(true), options.settings.flushIntervalMs);
    this.timer.unref();
    // Lines spilled by an earlier run go out first.
    if (this.spill.count > 0) this.kick(false);
  }

  /** Queues the committed batch's lines; never throws and never waits. */
  offer(ticks: readonly Tick[], candles: readonly Candle[]): void {
    if (this.closed) return;
    for (const tick of ticks) this.push(tickLine, tick);
    for (const candle of candles) this.push(candleLine, candle);
    if (this.memory.length > this.settings.memoryLines) this.spillMemory();
    if (this.memory.length >= this.settings.batchSize) this.kick(false);
  }

  status(): SinkStatus {
    const status: SinkStatus = {
      ...INFLUX_SINK,
      state: this.state,
      target: describeTarget(this.settings),
      buffered:
        this.memory.length + (this.inFlight && this.inFlight.spillId === undefined ? this.inFlight.lines.length : 0),
      spilled: this.spill.count,
      dropped: this.counters.dropped,
      written: this.counters.written,
    };
    const lastError = this.state === 'ok' ? this.dropError : this.retryError;
    if (lastError !== undefined) status.lastError = lastError;
    return status;
  }

  /** Resolves once every queued line was written or given up (tests, CLI); rejects after `timeoutMs`. */
  async flush(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.memory.length > 0 || this.inFlight || this.spill.count > 0) {
      if (Date.now() > deadline) throw new Error(`InfluxDB mirror still holds lines after ${timeoutMs} ms`);
      this.kick(true);
      await sleep(10);
    }
  }

  /**
   * Tries for up to `graceMs` to deliver what is queued, then stops and keeps whatever is left in
   * SQLite, where the next run picks it up.
   */
  async close(graceMs = 2_000): Promise<void> {
    if (this.closed) return;
    clearInterval(this.timer);
    if (this.state === 'ok') await this.flush(graceMs).catch(() => undefined);
    this.closed = true;
    this.abort.abort();
    this.wake?.();
    await this.pumping;
    try {
      if (this.inFlight && this.inFlight.spillId === undefined) this.spill.put([this.inFlight.lines], true);
      this.inFlight = undefined;
      this.spillMemory();
    } catch (error) {
      this.fail(`Could not keep unsent lines: ${describe(error)}`, this.memory.length);
    }
  }

  private push<T>(encode: (value: T) => string, value: T): void {
    try {
      this.memory.push(encode(value));
    } catch (error) {
      this.fail(error instanceof LineProtocolError ? error.message : describe(error), 1);
    }
  }

  private spillMemory(): void {
    if (this.memory.length === 0) return;
    const lines = this.memory;
    this.memory = [];
    try {
      const chunks: string[][] = [];
      for (let i = 0; i < lines.length; i += this.settings.batchSize)
        chunks.push(lines.slice(i, i + this.settings.batchSize));
      this.spill.put(chunks);
      const dropped = this.spill.trimTo(this.settings.spillLimitLines, this.inFlight?.spillId);
      if (dropped > 0)
        this.fail(`The spill limit of ${this.settings.spillLimitLines} lines was reached: dropped the oldest`, dropped);
    } catch (error) {
      // A full disk must not stop the engine: the lines are lost, and counted.
      this.fail(`Could not spill to SQLite: ${describe(error)}`, lines.length);
    }
  }

  private fail(message: string, lines: number): void {
    this.counters.dropped += lines;
    this.dropError = message;
  }

  /**
   * Starts sending unless a send is under way. A full batch in memory starts it early; the flush
   * timer (`partial`) also sends a batch that is not full.
   */
  private kick(partial: boolean): void {
    if (this.closed || this.pumping) return;
    this.pumping = this.pump(partial)
      .catch((error: unknown) => {
        // The spill table failed under us (locked past the busy timeout, disk error). Nobody awaits
        // this promise: say so in the status, and the flush timer tries again.
        this.failures++;
        this.state = this.failures >= FAILING_AFTER ? 'failing' : 'retrying';
        this.retryError = `Could not use the spill table: ${describe(error)}`;
      })
      .finally(() => {
        this.pumping = undefined;
      });
  }

  private async pump(partial: boolean): Promise<void> {
    while (!this.closed) {
      const batch = this.next(partial);
      if (!batch) return;
      const outcome = await writeLines(this.endpoint, batch.lines, this.abort.signal);
      if (this.closed) return;
      if (outcome.ok) {
        this.done(batch);
        this.counters.written += batch.lines.length;
        this.failures = 0;
        this.state = 'ok';
        this.retryError = undefined;
      } else if (!outcome.retry) {
        this.done(batch);
        const lost = Math.min(outcome.dropped ?? batch.lines.length, batch.lines.length);
        this.counters.written += batch.lines.length - lost;
        this.fail(`InfluxDB refused ${lost} of ${batch.lines.length} lines: ${outcome.error}`, lost);
      } else {
        this.failures++;
        this.state = this.failures >= FAILING_AFTER ? 'failing' : 'retrying';
        this.retryError = outcome.error;
        await this.pauseUnlessWoken(outcome.retryAfterMs ?? backoffDelay(this.failures, this.backoff, this.random));
      }
    }
  }

  /** The batch to send: the one that failed last time, else the oldest spilled chunk, else memory. */
  private next(partial: boolean): Batch | undefined {
    if (this.inFlight) return this.inFlight;
    const chunk = this.spill.oldest();
    const ready = partial ? this.memory.length > 0 : this.memory.length >= this.settings.batchSize;
    if (chunk) this.inFlight = { lines: chunk.lines, spillId: chunk.id };
    else if (ready) this.inFlight = { lines: this.memory.splice(0, this.settings.batchSize) };
    return this.inFlight;
  }

  private done(batch: Batch): void {
    if (batch.spillId !== undefined) this.spill.remove(batch.spillId);
    this.inFlight = undefined;
  }

  /** A retry's wait, which close() cuts short (through `wake`). */
  private pauseUnlessWoken(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

export function describeTarget(settings: InfluxSettings): string {
  const where =
    settings.version === '2'
      ? `${settings.org}/${settings.bucket}`
      : settings.rp
        ? `${settings.db}/${settings.rp}`
        : settings.db;
  return `InfluxDB ${settings.version}.x ${settings.url} ${where}`;
}

/** What the status lists while the mirror is not switched on. */
export function mirrorOffStatus(): SinkStatus {
  return {
    ...INFLUX_SINK,
    state: 'off',
    target: '',
    buffered: 0,
    spilled: 0,
    dropped: 0,
    written: 0,
    hint: 'For Grafana: Settings → InfluxDB mirror writes the same series to InfluxDB.',
  };
}
