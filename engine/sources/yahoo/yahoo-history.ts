import type { ExchangeDays } from '../../domain/exchange-day.ts';
import type { Interval } from '../../domain/interval.ts';
import { backfillSymbol, mergeHorizon, type BackfillRange } from './backfill.ts';
import { profileNeedsFetch, refreshCompanyProfiles } from './company-profile.ts';
import type { BackfillCandleStore, CompanyProfileStore } from './history-stores.ts';
import type { YahooClient } from './yahoo-client.ts';

export interface YahooHistoryOptions {
  /** The live source's current client (it changes when Yahoo refuses a session). */
  client: () => YahooClient;
  /** Where the live feed takes over for a symbol (the backfill's cutoff), once known; undefined if not watched. */
  stitchOf: (symbol: string) => Promise<number | undefined>;
  companies: CompanyProfileStore;
  candles: BackfillCandleStore;
  intervals: readonly Interval[];
  now?: () => number;
  /** Overrides the default plan (tests). */
  ranges?: (cutoff: number) => readonly BackfillRange[];
  /** A symbol's profile or history was stored: the UI may show it. */
  onStored?: (symbol: string, what: 'profile' | 'history') => void;
  /**
   * A symbol's backfill is over: its minutes before `stitch` are stored. The stream engine merges
   * them into the windows with ticks from `gapFrom` on: the first minute this backfill stored, or
   * the last five days (`mergeHorizon`) if later, which also covers a backfill killed before its merge.
   */
  onBackfilled?: (symbol: string, gapFrom: number, stitch: number) => void;
  /** What the work queue is doing, for the source's status line; undefined when idle. */
  onActivity?: (activity: string | undefined) => void;
  /** The exchange days daily bars are cut into (New York for all unless given). */
  days?: ExchangeDays;
  /** A chart's meta told the symbol's exchange time zone: called before its bars become candles. */
  onTimeZone?: (symbol: string, timeZone: string) => void;
}

/**
 * The slow half of the Yahoo source: company profiles (refreshed daily) and history backfill for
 * each symbol the feed watches. One job at a time, so it never competes with the live quotes for
 * more than one of the client's request slots.
 */
export class YahooHistory {
  private readonly options: YahooHistoryOptions;
  private readonly now: () => number;
  private readonly queued: string[] = [];
  /** Symbols whose profile aged past a day: refreshed between backfill jobs. */
  private readonly staleProfiles = new Set<string>();
  private readonly done = new Set<string>();
  /** The symbols of the latest watch(). */
  private watched: readonly string[] = [];
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly stopping: Promise<undefined>;
  private signalStop!: () => void;
  private refreshTimer: NodeJS.Timeout | undefined;
  /** Failures of the last jobs (the newest 100), for tests; the newest also stays in the status line. */
  readonly failures: string[] = [];
  /** How many failures were recorded in all (the list above keeps the newest 100). */
  private failedTotal = 0;
  /** What went wrong last in the current round of work, shown once the queue is idle. */
  private lastProblem: string | undefined;

  constructor(options: YahooHistoryOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.stopping = new Promise((resolve) => (this.signalStop = () => resolve(undefined)));
    // Profiles age out after a day; checking hourly keeps them within the day's refresh.
    this.refreshTimer = setInterval(() => this.refreshProfiles(), 3_600_000);
    this.refreshTimer.unref?.();
  }

  /**
   * The symbols watched now: queues profile and backfill for those not handled since they were
   * last added. One removed and added again is handled again: the live feed missed what traded
   * in between, and its new stitch point is later.
   */
  watch(symbols: readonly string[]): void {
    this.watched = [...symbols];
    for (const symbol of this.done) if (!symbols.includes(symbol)) this.done.delete(symbol);
    this.queued.splice(0, this.queued.length, ...this.queued.filter((s) => symbols.includes(s)));
    for (const symbol of symbols) {
      if (this.done.has(symbol) || this.queued.includes(symbol)) continue;
      this.queued.push(symbol);
    }
    this.kick();
  }

  /**
   * Backfills the watched symbols again (a scheduled job) and resolves with this round's failures.
   * Safe to repeat: a backfill writes only windows no stored candle holds, up to the live feed's start.
   */
  async backfillAgain(): Promise<{ symbols: string[]; failures: string[] }> {
    const before = this.failedTotal;
    const symbols = [...this.watched];
    for (const symbol of symbols) this.done.delete(symbol);
    this.watch(symbols);
    await this.idle();
    const count = Math.min(this.failedTotal - before, this.failures.length);
    const failures = count > 0 ? this.failures.slice(-count) : [];
    // Stopped (the app closing, the source changing) before the round was done: it is not up to date.
    const unfinished = symbols.filter((symbol) => !this.done.has(symbol));
    if (this.stopped && unfinished.length > 0)
      failures.push(`history of ${unfinished.join(', ')} not backfilled: the feed stopped first`);
    return { symbols, failures };
  }

  /** Resolves when the queue is empty (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.signalStop();
    clearInterval(this.refreshTimer);
    this.queued.length = 0;
    await this.idle();
  }

  /** Queues the profiles that are missing or older than a day; runs hourly. */
  refreshProfiles(): void {
    for (const symbol of this.done) {
      if (profileNeedsFetch(this.options.companies.get(symbol), this.now())) this.staleProfiles.add(symbol);
    }
    this.kick();
  }

  /**
   * Starts the work queue unless it runs or is empty. `running` is cleared only after it was set:
   * a drain with nothing to do finishes before the assignment, and would leave it set for good.
   */
  private kick(): void {
    if (this.running || this.stopped || (this.queued.length === 0 && this.staleProfiles.size === 0)) return;
    this.running = this.drain()
      // Nothing awaits the queue: a rejection would end the host. It is reported like a failed job.
      .catch((error: unknown) => {
        const message = messageOf(error);
        this.failed(`queue: ${message}`, `History work stopped: ${message}`);
        this.options.onActivity?.(this.lastProblem);
      })
      .finally(() => {
        this.running = undefined;
        this.kick();
      });
  }

  private async drain(): Promise<void> {
    this.lastProblem = undefined;
    try {
      while (!this.stopped && (this.queued.length > 0 || this.staleProfiles.size > 0)) {
        if (this.staleProfiles.size > 0) {
          const stale = [...this.staleProfiles];
          this.staleProfiles.clear();
          await this.fetchProfiles(stale);
          continue;
        }
        const symbol = this.queued.shift()!;
        await this.fetchProfiles([symbol]);
        if (this.stopped) break;
        // Removed while its backfill ran: a later add must find it not done.
        if ((await this.backfill(symbol)) && this.watched.includes(symbol)) this.done.add(symbol);
      }
    } finally {
      this.options.onActivity?.(this.lastProblem);
    }
  }

  private async fetchProfiles(symbols: string[]): Promise<void> {
    this.options.onActivity?.(`Company info for ${symbols.join(', ')}`);
    const result = await refreshCompanyProfiles(this.options.client(), this.options.companies, symbols, this.now());
    for (const symbol of result.updated) this.options.onStored?.(symbol, 'profile');
    for (const { symbol, error } of result.failed)
      this.failed(`profile ${symbol}: ${error}`, `Company info for ${symbol} unavailable: ${error}`);
  }

  /** False when the symbol stopped being watched before its stitch point was known. */
  private async backfill(symbol: string): Promise<boolean> {
    // A delayed exchange's history ends where its first quote says, not now: waiting leaves no gap.
    // Only a failing quote poll makes this wait long, and the feed's status line says so.
    const cutoff = await Promise.race([this.options.stitchOf(symbol), this.stopping]);
    if (cutoff === undefined) return false;
    const ranges = this.options.ranges?.(cutoff);
    const result = await backfillSymbol(this.options.client(), this.options.candles, symbol, {
      cutoff,
      intervals: this.options.intervals,
      ...(ranges ? { ranges } : {}),
      ...(this.options.days ? { days: this.options.days } : {}),
      ...(this.options.onTimeZone ? { onTimeZone: this.options.onTimeZone } : {}),
      onProgress: ({ done, total }) => this.options.onActivity?.(`Backfilling ${symbol}: ${done} of ${total} ranges`),
      // A settings save or shutdown waits on stop(): it should not wait for every range to time out.
      stopped: () => this.stopped,
    });
    for (const { range, error } of result.failed)
      this.failed(`history ${symbol} ${range.interval}: ${error}`, `History of ${symbol} incomplete: ${error}`);
    if (result.candles > 0) this.options.onStored?.(symbol, 'history');
    try {
      this.options.onBackfilled?.(symbol, Math.min(result.gapFrom ?? cutoff, mergeHorizon(cutoff)), cutoff);
    } catch (error) {
      // The database busy, say: the user hears of it, and the symbol's next backfill merges again.
      const message = messageOf(error);
      this.failed(`merge ${symbol}: ${message}`, `History of ${symbol} not merged: ${message}`);
      return false;
    }
    return true;
  }

  private failed(record: string, forUser: string): void {
    this.failures.push(record);
    this.failedTotal += 1;
    if (this.failures.length > 100) this.failures.shift();
    this.lastProblem = forUser;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
