import type { FeedHealth } from '../../domain/feed-health.ts';
import { windowStart } from '../../domain/interval.ts';
import type { Tick } from '../../domain/tick.ts';
import type { SourceState, SourceStatus, TickSource } from '../source.ts';
import { Backoff } from '../../base/backoff.ts';
import type { CookieJarFile } from './cookie-jar-file.ts';
import { classifyFailure, type YahooFailure } from './failure.ts';
import type { StreamQuote } from './pricing-message.ts';
import { parseQuotes, QuoteTicker, type LiveQuote } from './quote-ticks.ts';
import { SymbolFeeds, type FeedContext } from './symbol-feeds.ts';
import type { YahooClient, YahooClientFactory } from './yahoo-client.ts';
import { YahooStream, type YahooStreamOptions } from './yahoo-stream.ts';
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

/** Instruments whose poll and history cover the regular session only. */
const REGULAR_SESSION_TYPES = new Set(['EQUITY', 'ETF', 'MUTUALFUND', 'INDEX', 'OPTION', 'WARRANT']);

export interface YahooStreamSettings extends Omit<YahooStreamOptions, 'onQuote' | 'onState' | 'now'> {
  /** Off: the poll is the only path (Settings > Source). */
  enabled: boolean;
  /** A streaming symbol silent this long while its market is open is polled instead. */
  silenceMs?: number;
}

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
   * Yahoo's price stream as the live path, the poll its fallback and the source of market state
   * (and of volume when the stream lacks it). Absent: polling only, and the status says nothing of
   * streaming (tests on recorded HTTP exchanges).
   */
  stream?: YahooStreamSettings;
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
  readonly counters = { polls: 0, failures: 0, ticks: 0, rejectedRows: 0, streamedTicks: 0 };
  private readonly stream: YahooStream | undefined;
  private readonly feeds = new SymbolFeeds();
  private readonly silenceMs: number;
  private silenceTimer: NodeJS.Timeout | undefined;
  private nextPollAt = 0;
  /** Ticks reach the bus in the order they were made, whichever path made them. */
  private publishing: Promise<void> = Promise.resolve();

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
    this.silenceMs = options.stream?.silenceMs ?? 60_000;
    if (options.stream?.enabled) {
      this.stream = new YahooStream({
        ...options.stream,
        now: this.now,
        onQuote: (quote) => this.streamed(quote),
        onState: (state) => {
          // The stream just failed: the poll takes over now, not at its slow streaming pace.
          if (state.kind === 'down' && this.emit && !this.failed && !this.paused) this.schedule(0);
        },
      });
    }
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

  /**
   * Another provider's first trade of a routed symbol came before Yahoo's first answer for it: the
   * live run begins in this minute. Returns the stitch point, or undefined for an unwatched symbol.
   */
  claimStitch(symbol: string): number | undefined {
    if (!this.since.has(symbol) && this.symbols.includes(symbol) && !this.stopped)
      this.settleStitch(symbol, windowStart(this.now(), '1m'));
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
      this.feeds.forget(gone);
      this.since.delete(gone);
      this.settleStitch(gone, undefined);
    }
    const added = symbols.some((s) => !this.symbols.includes(s));
    this.symbols = [...symbols];
    if (this.emit && !this.paused) this.stream?.setSymbols(this.symbols);
    // A new symbol should show a price within seconds, not after a long closed-market wait.
    if (added && this.emit && !this.failed && !this.paused) this.schedule(0);
  }

  start(emit: (ticks: Tick[]) => Promise<void>): void {
    this.emit = emit;
    this.schedule(0);
    if (!this.stream) return;
    if (!this.paused) this.stream.setSymbols(this.symbols);
    this.silenceTimer = setInterval(() => this.pollSoonIfNeeded(), Math.min(5_000, this.silenceMs / 2));
  }

  pause(): void {
    this.paused = true;
    clearTimeout(this.timer);
    this.stream?.setSymbols([]);
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.stream?.setSymbols(this.symbols);
    this.schedule(this.failed ? Math.max(0, this.failed.retryAt - this.now()) : 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.silenceTimer);
    this.stream?.stop();
    for (const symbol of [...this.waiting.keys()]) this.settleStitch(symbol, undefined);
    await this.polling;
    await this.publishing;
  }

  status(): SourceStatus {
    const { state, message } = this.describe();
    const notSaved = this.sessionNotSaved ? ` · Yahoo session not saved: ${this.sessionNotSaved}` : '';
    const text = (this.activity ? `${message} · ${this.activity}` : message) + notSaved;
    // Paused or stopped, the stream is closed on purpose: the state says so, not a "why".
    if (!this.options.stream || this.paused || this.stopped) return { kind: 'yahoo', state, message: text };
    const mode = this.feedMode();
    return { kind: 'yahoo', state, message: `${mode.text} · ${text}`, ...mode.status };
  }

  /** Where one watched symbol's prices come from now, and why they are stale if they are. */
  feedOf(symbol: string): FeedHealth {
    return this.feeds.health(symbol, this.context());
  }

  /** The feed as a whole: "Streaming", or "Polling (why)" for the symbols that are not streaming. */
  private feedMode(): { text: string; status: Pick<SourceStatus, 'mode' | 'why'> } {
    if (this.symbols.length === 0) return { text: 'Nothing to stream', status: {} };
    const ctx = this.context();
    const polled = this.symbols
      .map((symbol) => ({ symbol, mode: this.feeds.mode(symbol, ctx) }))
      .filter((s) => !s.mode.streaming);
    if (polled.length === 0) return { text: 'Streaming', status: { mode: 'streaming' } };
    const whys = [...new Set(polled.map((s) => s.mode.why!))].join('; ');
    if (polled.length === this.symbols.length)
      return { text: `Polling (${whys})`, status: { mode: 'polling', why: whys } };
    const which = polled.map((s) => s.symbol).join(', ');
    return { text: `Streaming; polling ${which} (${whys})`, status: { mode: 'streaming', why: `${which}: ${whys}` } };
  }

  private context(): FeedContext {
    return {
      now: this.now(),
      stream: this.stream?.state,
      silenceMs: this.silenceMs,
      failed: this.failed,
      paused: this.paused,
      pollEveryMs: this.lastSuccess?.nextMs ?? this.intervals.regularMs,
    };
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
    this.nextPollAt = this.now() + delayMs;
    this.timer = setTimeout(() => void this.pollNow(), delayMs);
  }

  /** A symbol stopped streaming (a silent stream): poll it at its pace, not at the slow streaming one. */
  private pollSoonIfNeeded(): void {
    if (this.failed || this.paused || this.stopped || !this.emit) return;
    const ctx = this.context();
    if (!this.symbols.some((s) => this.feeds.needsPoll(s, ctx))) return;
    if (this.nextPollAt - ctx.now > this.intervals.regularMs) this.schedule(0);
  }

  /** A streamed message becomes a tick through the same ticker as polled rows: volume counts once. */
  private streamed(message: StreamQuote): void {
    if (this.stopped || this.paused || !this.emit) return;
    const hasVolume = message.dayVolume !== undefined;
    this.feeds.streamed(message.symbol, hasVolume, this.now());
    // Before its first poll the symbol has no stitch point: its history is not settled yet.
    const since = this.since.get(message.symbol);
    if (since === undefined) return;
    const feed = this.feeds.get(message.symbol);
    const quoteType = message.quoteType ?? feed.row?.quoteType;
    // A stock's pre- and post-market trades show the feed is alive, but the live feed follows the
    // regular session as the poll (regularMarketPrice) and the backfill (no pre/post bars) do: its
    // candles must not change meaning when it switches between streaming and polling. Futures,
    // currencies and crypto trade around the clock in both.
    if (message.marketHours !== 'REGULAR' && REGULAR_SESSION_TYPES.has(quoteType ?? 'EQUITY')) return;
    if (hasVolume) this.useVolumeOf(message.symbol, 'stream');
    const quote: LiveQuote = {
      symbol: message.symbol,
      regularMarketPrice: message.price,
      regularMarketTime: message.time,
      ...(hasVolume ? { regularMarketVolume: message.dayVolume } : {}),
      quoteType,
      exchangeTimezoneName: feed.row?.exchangeTimezoneName,
    };
    const tick = this.ticker.toTick(quote);
    if (!tick || tick.ts < since) return;
    this.counters.streamedTicks++;
    void this.publish([tick]).catch(() => {
      // The bus refused (it is closing): the poll path reports its own failures; a stream tick has no one to tell.
    });
  }

  private useVolumeOf(symbol: string, path: 'poll' | 'stream'): void {
    const feed = this.feeds.get(symbol);
    if (feed.volumeFeed === path) return;
    feed.volumeFeed = path;
    this.ticker.volumeFeedChanged(symbol);
  }

  private publish(ticks: Tick[]): Promise<void> {
    this.counters.ticks += ticks.length;
    const sent = this.publishing.then(() => this.emit!(ticks));
    this.publishing = sent.catch(() => undefined);
    return sent;
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
      this.feeds.polled(
        asked.filter((s) => this.symbols.includes(s)),
        quotes,
        rejected,
        this.now(),
      );
      this.tellTimeZones(quotes);
      const ctx = this.context();
      const ticks: Tick[] = [];
      for (const quote of quotes) {
        const since = this.since.get(quote.symbol);
        // Removed while the answer was on its way: a baseline kept now would outlive a re-add.
        if (since === undefined) continue;
        const tick = this.ticker.toTick(this.polledQuote(quote, ctx));
        if (tick && tick.ts >= since) ticks.push(tick);
      }
      this.failed = undefined;
      this.backoff.reset();
      const nextMs = this.nextPollMs(quotes);
      this.lastSuccess = { at: this.now(), quotes, nextMs };
      this.saveSession();
      if (ticks.length) await this.publish(ticks);
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

  /** A polled row, without its volume while a healthy stream supplies the symbol's volume. */
  private polledQuote(quote: LiveQuote, ctx: FeedContext): LiveQuote {
    if (!this.stream) return quote;
    const feed = this.feeds.get(quote.symbol);
    const fromStream = feed.streamVolume && this.feeds.mode(quote.symbol, ctx).streaming;
    this.useVolumeOf(quote.symbol, fromStream ? 'stream' : 'poll');
    if (!fromStream) return quote;
    const { regularMarketVolume: _dropped, ...priceOnly } = quote;
    return priceOnly;
  }

  /**
   * The market's pace while any symbol needs the poll; otherwise (everything streams, volume
   * included) the closed-market pace, only to keep market state, delays and symbols current.
   */
  private nextPollMs(quotes: readonly LiveQuote[]): number {
    if (!this.stream) return this.intervalFor(quotes);
    const ctx = this.context();
    return this.symbols.some((s) => this.feeds.needsPoll(s, ctx)) ? this.intervalFor(quotes) : this.intervals.closedMs;
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
