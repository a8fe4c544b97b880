import { validateTick, type Tick } from '../../domain/tick.ts';
import type { SourceStatus, TickSource } from '../source.ts';
import { AlreadyStored, type StoredTicks } from './already-stored.ts';
import { barToTicks, isEmptyBar, type Bar } from './bars-to-ticks.ts';
import { detectFormat, mapHeader, parseTimestamp, readCsvRows, readHeader, type ColumnMapping } from './csv-rows.ts';
import { sleep } from '../../base/sleep.ts';

export interface ReplayOptions {
  file: string;
  /** 'max' replays as fast as the engine takes it; N replays N x faster than the recorded event times. */
  speed: 'max' | number;
  /** The symbol of a bar file (yfinance exports do not name it), or of a tick file without a symbol column. */
  symbol?: string;
  /** The file's own column names for the tick fields, for CSVs from elsewhere. */
  columns?: ColumnMapping;
  batchSize?: number;
  /** The replay stops once more rows than this were unreadable or invalid (default DEFAULT_MAX_BAD_ROWS). */
  maxBadRows?: number;
  /** The database the replay fills: ticks it holds already are skipped (see AlreadyStored). */
  stored?: StoredTicks;
}

export const DEFAULT_MAX_BAD_ROWS = 1_000;

export interface ReplayProgress {
  rows: number;
  ticks: number;
  skipped: number;
  /** Of the skipped rows, those unreadable or invalid (the rest are bars without a trade). */
  bad: number;
  /** Ticks of the file the database held already: not replayed again. */
  alreadyStored: number;
  errors: string[];
  done: boolean;
}

const MAX_ERRORS_KEPT = 20;

/** Plays a CSV of ticks or yfinance bars through the pipeline, once. */
export class ReplaySource implements TickSource {
  readonly kind = 'replay' as const;
  readonly progress: ReplayProgress = {
    rows: 0,
    ticks: 0,
    skipped: 0,
    bad: 0,
    alreadyStored: 0,
    errors: [],
    done: false,
  };
  private readonly options: ReplayOptions;
  private paused = false;
  private stopped = false;
  private failure: string | undefined;
  private finished!: Promise<void>;

  constructor(options: ReplayOptions) {
    this.options = options;
  }

  /** Resolves when the whole file has been handed to the bus. */
  get done(): Promise<void> {
    return this.finished;
  }

  setSymbols(): void {
    // A replay plays what the file holds, whatever the watchlist says.
  }

  start(emit: (ticks: Tick[]) => Promise<void>): void {
    this.finished = this.run(emit).catch((error: unknown) => {
      this.failure = error instanceof Error ? error.message : String(error);
    });
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.finished;
  }

  status(): SourceStatus {
    const { rows, ticks, skipped, bad, alreadyStored } = this.progress;
    const empty = skipped - bad;
    const why = [bad ? `${bad} unreadable or invalid` : '', empty ? `${empty} bars without a trade` : '']
      .filter(Boolean)
      .join(', ');
    const stored = alreadyStored ? `, ${alreadyStored} already stored` : '';
    const summary = `${rows} rows, ${ticks} ticks${stored}${skipped ? `, ${skipped} rows skipped (${why})` : ''}`;
    if (this.failure) return { kind: 'replay', state: 'error', message: `Replay failed: ${this.failure}` };
    if (this.progress.done) return { kind: 'replay', state: 'stopped', message: `Replay finished: ${summary}` };
    return {
      kind: 'replay',
      state: this.paused ? 'paused' : 'live',
      message: `Replaying ${this.options.file}: ${summary}`,
    };
  }

  private async run(emit: (ticks: Tick[]) => Promise<void>): Promise<void> {
    const header = mapHeader(await readHeader(this.options.file), this.options.columns);
    // A tick file without a symbol column is one symbol's: the one given with --symbol.
    const format = detectFormat(this.options.symbol && !header.includes('symbol') ? [...header, 'symbol'] : header);
    if (format === 'bars' && !this.options.symbol)
      throw new Error('A bar file does not name its symbol: give it with --symbol');
    const batchSize = this.options.batchSize ?? 2_000;
    const batch: Tick[] = [];
    let clock: { eventStart: number; wallStart: number } | undefined;
    const alreadyStored = this.options.stored ? new AlreadyStored(this.options.stored) : undefined;
    try {
      for await (const read of format === 'ticks' ? this.tickRows() : this.barRows()) {
        if (this.stopped) break;
        const ticks = alreadyStored ? read.filter((tick) => !alreadyStored.has(tick)) : read;
        this.progress.alreadyStored += read.length - ticks.length;
        while (this.paused && !this.stopped) await sleep(50);
        if (typeof this.options.speed === 'number' && ticks.length > 0) {
          clock ??= { eventStart: ticks[0]!.ts, wallStart: Date.now() };
          const due = clock.wallStart + (ticks[0]!.ts - clock.eventStart) / this.options.speed;
          if (due > Date.now() + 5) {
            if (batch.length) await emit(batch.splice(0));
            await sleep(due - Date.now());
          }
        }
        batch.push(...ticks);
        this.progress.ticks += read.length;
        if (batch.length >= batchSize) await emit(batch.splice(0));
      }
    } catch (error) {
      // Rows read before the failure (too many bad rows, a read error) still reach the bus.
      if (batch.length) await emit(batch.splice(0));
      throw error;
    }
    if (batch.length) await emit(batch);
    this.progress.done = true;
  }

  private async *tickRows(): AsyncGenerator<Tick[]> {
    for await (const csvRow of readCsvRows(this.options.file, this.options.columns)) {
      this.progress.rows++;
      if ('error' in csvRow) {
        this.skip(csvRow.line, csvRow.error);
        continue;
      }
      const { line, row } = csvRow;
      try {
        const result = validateTick({
          symbol: row.symbol ?? this.options.symbol,
          ts: parseTimestamp(row.timestamp ?? ''),
          price: Number(row.price),
          volume: Number(row.volume),
          ...(row.side ? { side: row.side.toLowerCase() } : {}),
          source: 'replay',
        });
        if (!result.ok) throw new Error(result.reason);
        yield [result.tick];
      } catch (error) {
        this.skip(line, error);
      }
    }
  }

  /**
   * yfinance files do not state the bar length, so each bar waits for the next one: the length is the
   * smallest step seen between rows (larger steps are gaps between sessions).
   */
  private async *barRows(): AsyncGenerator<Tick[]> {
    let pending: Bar | undefined;
    let barMs = Number.POSITIVE_INFINITY;
    const release = (bar: Bar) => barToTicks(this.options.symbol!, bar, Number.isFinite(barMs) ? barMs : 60_000);
    for await (const csvRow of readCsvRows(this.options.file, this.options.columns)) {
      this.progress.rows++;
      if ('error' in csvRow) {
        this.skip(csvRow.line, csvRow.error);
        continue;
      }
      const { line, row } = csvRow;
      let bar: Bar;
      try {
        bar = parseBar(row);
      } catch (error) {
        this.skip(line, error);
        continue;
      }
      if (pending && bar.start > pending.start) barMs = Math.min(barMs, bar.start - pending.start);
      if (isEmptyBar(bar)) {
        this.progress.skipped++;
        if (pending) yield release(pending);
        pending = undefined;
        continue;
      }
      if (pending) yield release(pending);
      pending = bar;
    }
    if (pending) yield release(pending);
  }

  /** A bad row is skipped like a bad value, up to a limit: past it the file is likely not what it seems. */
  private skip(line: number, error: unknown): void {
    const reason = `line ${line}: ${error instanceof Error ? error.message : String(error)}`;
    this.progress.skipped++;
    this.progress.bad++;
    if (this.progress.errors.length < MAX_ERRORS_KEPT) this.progress.errors.push(reason);
    const limit = this.options.maxBadRows ?? DEFAULT_MAX_BAD_ROWS;
    if (this.progress.bad > limit) {
      throw new Error(`stopped after more than ${limit} bad rows (the last, ${reason}); raise --max-bad-rows to go on`);
    }
  }
}

function parseBar(row: Record<string, string>): Bar {
  const bar: Bar = {
    start: parseTimestamp(row.datetime ?? ''),
    open: Number(row.open),
    high: Number(row.high),
    low: Number(row.low),
    close: Number(row.close),
    volume: Number(row.volume),
  };
  if (![bar.open, bar.high, bar.low, bar.close, bar.volume].every(Number.isFinite) || bar.volume < 0) {
    throw new Error('a price or the volume is not a non-negative number');
  }
  return bar;
}
