import { windowStart } from '../../domain/interval.ts';
import type { Tick } from '../../domain/tick.ts';
import type { SourceState, SourceStatus, TickSource } from '../source.ts';
import { Backoff } from './backoff.ts';
import type { CookieJarFile } from './cookie-jar-file.ts';
import { classifyFailure, type YahooFailure } from './failure.ts';
import { parseQuotes, QuoteTicker, type LiveQuote } from './quote-ticks.ts';
import type { YahooClient, YahooClientFactory } from './yahoo-client.ts';
import { ExtendedCookieJar } from 'yahoo-finance2/lib/cookieJar';

export interface YahooPollIntervals {
  /** While the exchange is in its regular session. */
  regularMs: number;
  /** Pre- and post-market. */
  extendedMs: number;
  /** Closed: prices barely move, so asking often only spends Yahoo's patience. */
  closedMs: number;
}

export const DEFAULT_POLL_INTERVALS: YahooPollIntervals = { regularMs: 5_000, extendedMs: 15_000, closedMs: 60_000 };

export interface YahooSourceOptions {
  client: YahooClientFactory;
  /** Where the session is kept between runs; none keeps it in memory. */
  cookies?: CookieJarFile;
  intervals?: Partial<YahooPollIntervals>;
  backoff?: Backoff;
  now?: () => number;
  /** The event time of a symbol's newest stored tick: the first quote after a restart may repeat it. */
  lastTickTime?: (symbol: string) => number | undefined;
  /**
   * A live run begins for the symbol: its stitch point is fixed, before its first tick. The
   * backfill fills the time between runs, never that between two ticks of one run.
   */
  onLiveRun?: (symbol: string) => void;
  /** The volume of a symbol's stored one-minute candles in [from, to) (QuoteTicker's storedVolume). */
  storedVolume?: (symbol: string, from: number, to: number) => number;
  /**
   * A quote told the symbol's exchange time zone (exchangeTimezoneName), for the first time in
   * this run or differently than before: called before any tick of that quote goes out.
   */
  onTimeZone?: (symbol: string, timeZone: string) => void;
}

interface Failed {
  failure: YahooFailure;
  retryAt: number;
}

/**
 * Live quotes from Yahoo Finance: one batched `quote()` for the whole watchlist per poll, at a pace
 * that follows the market's state, backing off when Yahoo pushes back.
 */
export class YahooSource implements TickSource {
  readonly kind = 'yahoo' as const;
  private readonly options: YahooSourceOptions;
  private readonly intervals: YahooPollIntervals;
  private readonly backoff: Backoff;
  private readonly ticker: QuoteTicker;
  private readonly now: () => number;
  private jar: ExtendedCookieJar;
  private clientValue: YahooClient;
  private symbols: string[] = [];
  /** Per symbol, where the live feed takes over from the history backfill (see liveSince). */
  private readonly since = new Map<string, number>();
  /** The exchange time zone each symbol's quotes told last. */
  private readonly zones = new Map<string, string>();
  /** Those waiting for a symbol's stitch point (see stitchOf). */
  private readonly waiting = new Map<string, Array<(stitch: number | undefined) => void>>();
  private emit: ((ticks: Tick[]) => Promise<void>) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> = Promise.resolve();
  private paused = false;
  private stopped = false;
  private failed: Failed | undefined;
  private lastSuccess: { at: number; quotes: LiveQuote[]; nextMs: number } | undefined;
  private rejected: Array<{ symbol: string; reason: string }> = [];
  private activity: string | undefined;
  /** Why the session could not be kept in its file, if it could not. */
  private sessionNotSaved: string | undefined;
  private resolveFirst!: (status: SourceStatus) => void;
  /** Settles with the status after the first poll attempt: the app warns when Yahoo is unreachable. */
  readonly firstPoll: Promise<SourceStatus> = new Promise((resolve) => (this.resolveFirst = resolve));
  /** Counters for tests and the pipeline view. */
  readonly counters = { polls: 0, failures: 0, ticks: 0, rejectedRows: 0 };

  constructor(options: YahooSourceOptions) {
    this.options = options;
    this.intervals = { ...DEFAULT_POLL_INTERVALS, ...options.intervals };
    this.backoff = options.backoff ?? new Backoff();
    this.now = options.now ?? Date.now;
    this.ticker = new QuoteTicker({
      lastStored: options.lastTickTime,
      liveSince: (symbol) => this.since.get(symbol),
      ...(options.storedVolume ? { storedVolume: options.storedVolume } : {}),
    });
    this.jar = options.cookies?.load() ?? new ExtendedCookieJar();
    this.clientValue = options.client(this.jar);
  }

  /** The client of the current session, shared with company info, backfill and search. */
  get client(): YahooClient {
    return this.clientValue;
  }

  /**
   * The stitch point between history and live data for a symbol: the start of the minute in which
   * the feed began watching it, as the exchange's clock reads then. Yahoo's data of an exchange
   * that is delayed by 15 minutes (quotes and chart() alike) ends 15 minutes ago, so that is where
   * its live part begins. Live ticks start here; the backfill fills windows that end by here. A
   * quote older than this (the last close, while the market is shut) is history's, not a tick.
   * Known once the symbol's first answer told the delay.
   */
  liveSince(symbol: string): number | undefined {
    return this.since.get(symbol);
  }

  /** The stitch point once it is known; undefined if the symbol stops being watched (or the feed stops) first. */
  stitchOf(symbol: string): Promise<number | undefined> {
    const known = this.since.get(symbol);
    if (known !== undefined || this.stopped || !this.symbols.includes(symbol)) return Promise.resolve(known);
    return new Promise((resolve) => this.waiting.set(symbol, [...(this.waiting.get(symbol) ?? []), resolve]));
  }

  setSymbols(symbols: readonly string[]): void {
    for (const gone of this.symbols.filter((s) => !symbols.includes(s))) {
      this.ticker.forget(gone);
      this.since.delete(gone);
      this.settleStitch(gone, undefined);
    }
    const added = symbols.some((s) => !this.symbols.includes(s));
    this.symbols = [...symbols];
    // A new symbol should show a price within seconds, not after a long closed-market wait.
    if (added && this.emit && !this.failed && !this.paused) this.schedule(0);
  }

  start(emit: (ticks: Tick[]) => Promise<void>): void {
    this.emit = emit;
    this.schedule(0);
  }

  pause(): void {
    this.paused = true;
    clearTimeout(this.timer);
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.schedule(this.failed ? Math.max(0, this.failed.retryAt - this.now()) : 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const symbol of [...this.waiting.keys()]) this.settleStitch(symbol, undefined);
    await this.polling;
  }

  status(): SourceStatus {
    const { state, message } = this.describe();
    const notSaved = this.sessionNotSaved ? ` · Yahoo session not saved: ${this.sessionNotSaved}` : '';
    return { kind: 'yahoo', state, message: (this.activity ? `${message} · ${this.activity}` : message) + notSaved };
  }

  /** Background work (profiles, backfill) shown after the feed's own state. */
  setActivity(activity: string | undefined): void {
    this.activity = activity;
  }

  /** One poll now, whatever the schedule says (tests, and the first poll). */
  pollNow(): Promise<void> {
    clearTimeout(this.timer);
    this.polling = this.polling.then(() => this.poll());
    return this.polling;
  }

  private schedule(delayMs: number): void {
    if (this.stopped || this.paused) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.pollNow(), delayMs);
  }

  private async poll(): Promise<void> {
    if (this.stopped || this.paused || !this.emit) return;
    if (this.symbols.length === 0) {
      this.schedule(this.intervals.regularMs);
      return;
    }
    this.counters.polls++;
    const asked = this.symbols;
    try {
      const rows: unknown = await this.clientValue.quote(asked, { return: 'array' }, { validateResult: false });
      const { quotes, rejected } = parseQuotes(rows);
      this.rejected = rejected;
      this.counters.rejectedRows += rejected.length;
      this.fixStitches(asked, quotes);
      this.tellTimeZones(quotes);
      const ticks: Tick[] = [];
      for (const quote of quotes) {
        const since = this.since.get(quote.symbol);
        // Removed while the answer was on its way: a baseline kept now would outlive a re-add.
        if (since === undefined) continue;
        const tick = this.ticker.toTick(quote);
        if (tick && tick.ts >= since) ticks.push(tick);
      }
      this.failed = undefined;
      this.backoff.reset();
      const nextMs = this.intervalFor(quotes);
      this.lastSuccess = { at: this.now(), quotes, nextMs };
      this.saveSession();
      if (ticks.length) {
        this.counters.ticks += ticks.length;
        await this.emit(ticks);
      }
      this.schedule(nextMs);
    } catch (error) {
      if (this.stopped) return;
      this.counters.failures++;
      const failure = classifyFailure(error);
      if (failure.resetSession) this.newSession();
      const delay = this.backoff.next(failure.retryAfterMs);
      this.failed = { failure, retryAt: this.now() + delay };
      this.schedule(delay);
    } finally {
      // The feed's own state: background work (profiles, backfill) is not what the first poll found.
      this.resolveFirst({ kind: 'yahoo', ...this.describe() });
    }
  }

  /**
   * A symbol's first answer fixes its stitch point, taking the exchange's delay into account. One
   * Yahoo did not answer (unknown, or its row refused) gets the current minute: no delay is known.
   */
  private fixStitches(asked: readonly string[], quotes: readonly LiveQuote[]): void {
    const now = this.now();
    for (const quote of quotes) {
      if (this.since.has(quote.symbol) || !this.symbols.includes(quote.symbol)) continue;
      this.settleStitch(quote.symbol, windowStart(now - (quote.exchangeDataDelayedBy ?? 0) * 60_000, '1m'));
    }
    for (const symbol of asked) {
      if (!this.since.has(symbol) && this.symbols.includes(symbol)) this.settleStitch(symbol, windowStart(now, '1m'));
    }
  }

  private tellTimeZones(quotes: readonly LiveQuote[]): void {
    for (const { symbol, exchangeTimezoneName: zone } of quotes) {
      if (!zone || this.zones.get(symbol) === zone) continue;
      this.zones.set(symbol, zone);
      this.options.onTimeZone?.(symbol, zone);
    }
  }

  private settleStitch(symbol: string, stitch: number | undefined): void {
    if (stitch !== undefined) {
      this.since.set(symbol, stitch);
      this.options.onLiveRun?.(symbol);
    }
    for (const resolve of this.waiting.get(symbol) ?? []) resolve(stitch);
    this.waiting.delete(symbol);
  }

  /**
   * Keeps the session for the next run. A file that cannot be written only costs a handshake then:
   * it must not fail the poll, whose quotes (and their volume) would be lost.
   */
  private saveSession(): void {
    try {
      this.options.cookies?.save(this.jar);
      this.sessionNotSaved = undefined;
    } catch (error) {
      this.sessionNotSaved = error instanceof Error ? error.message : String(error);
    }
  }

  /** Yahoo no longer accepts the cookie or crumb: forget them, so the next call shakes hands again. */
  private newSession(): void {
    try {
      this.options.cookies?.clear();
    } catch (error) {
      // Throwing here would reject the poll chain and end polling for good.
      this.sessionNotSaved = error instanceof Error ? error.message : String(error);
    }
    this.jar = new ExtendedCookieJar();
    this.clientValue = this.options.client(this.jar);
  }

  /** The fastest pace any watched exchange asks for. */
  private intervalFor(quotes: readonly LiveQuote[]): number {
    const states = new Set(quotes.map((q) => q.marketState ?? 'REGULAR'));
    if (states.has('REGULAR')) return this.intervals.regularMs;
    if ([...states].some((s) => s.startsWith('PRE') || s.startsWith('POST'))) return this.intervals.extendedMs;
    return this.intervals.closedMs;
  }

  private describe(): { state: SourceState; message: string } {
    if (this.stopped) return { state: 'stopped', message: 'Yahoo Finance stopped' };
    if (this.paused) return { state: 'paused', message: 'Yahoo Finance paused' };
    if (this.failed) {
      const seconds = Math.max(0, Math.ceil((this.failed.retryAt - this.now()) / 1_000));
      const { state, reason } = this.failed.failure;
      const prefix =
        state === 'offline' ? `Offline: ${reason}` : state === 'rate-limited' ? 'Rate-limited' : `Delayed: ${reason}`;
      return { state, message: `${prefix}, retrying in ${seconds} s` };
    }
    if (!this.lastSuccess) return { state: 'starting', message: 'Connecting to Yahoo Finance…' };
    const { quotes, nextMs } = this.lastSuccess;
    const skipped = this.rejected.length
      ? `; skipped ${this.rejected.map((r) => `${r.symbol} (${r.reason})`).join(', ')}`
      : '';
    const delayed = Math.max(0, ...quotes.map((q) => q.exchangeDataDelayedBy ?? 0));
    const open = quotes.some((q) => (q.marketState ?? 'REGULAR') === 'REGULAR');
    const pace = `${quotes.length} symbol${quotes.length === 1 ? '' : 's'} every ${nextMs / 1_000} s`;
    if (delayed > 0) return { state: 'delayed', message: `Delayed ${delayed} min by the exchange: ${pace}${skipped}` };
    if (!open) return { state: 'live', message: `Market closed: ${pace}${skipped}` };
    return { state: 'live', message: `Live: ${pace}${skipped}` };
  }
}
