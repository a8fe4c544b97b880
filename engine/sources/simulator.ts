import type { SimulatorSessions } from '../domain/settings.ts';
import type { Side, Tick } from '../domain/tick.ts';
import { ExchangeSessions, tradingTimeAt, type SessionPhase, type SessionSpan } from '../domain/trading-sessions.ts';
import { SeededRandom, hashSeed } from './random.ts';
import type { SourceStatus, TickSource } from './source.ts';

/** A trading year of 252 sessions of 6.5 hours, in milliseconds: the unit of drift and volatility. */
const TRADING_YEAR_MS = 252 * 6.5 * 3_600_000;
/** Small batches: at 100 ms, a chart showed trades up to 100 ms after they were stamped. */
const DEFAULT_EMIT_EVERY_MS = 20;
/** Simulated prices move as much in one real second as real ones do in a trading minute, so charts look alive. */
const MARKET_SPEEDUP = 60;
/** One regular session at the simulator's speed, in the years drift and volatility are quoted in. */
const SESSION_YEARS = (6.5 * 3_600_000 * MARKET_SPEEDUP) / TRADING_YEAR_MS;
/**
 * Overnight news moves a stock by about a quarter of a session's variance, so each trading day
 * opens with a jump of that size instead of where the last one closed.
 */
const OVERNIGHT_VARIANCE_SHARE = 0.25;

/** Share of the configured rate and of the usual trade size in each phase: extended hours are thin. */
const PHASE_PACE: Record<SessionPhase, { rate: number; size: number }> = {
  regular: { rate: 1, size: 1 },
  pre: { rate: 0.05, size: 0.3 },
  post: { rate: 0.05, size: 0.3 },
  closed: { rate: 0, size: 1 },
};

const PHASE_NAME: Record<Exclude<SessionPhase, 'closed'>, string> = {
  pre: 'pre-market',
  regular: 'regular session',
  post: 'after-hours',
};

interface SymbolModel {
  random: SeededRandom;
  price: number;
  drift: number;
  volatility: number;
  lastTs: number;
  /** Exchange hours only: the trading clock and the count of opened sessions at the last trade. */
  trading: number;
  session: number;
}

/** Where a symbol's simulated market stood when it last traded: its price and event time. */
export interface ResumePoint {
  price: number;
  ts: number;
}

export interface SimulatorOptions {
  seed: number;
  /**
   * The symbol's newest stored price, if any. A symbol with a history goes on from it, so a
   * restart or a settings save does not send every price back to its seed value (a fake crash
   * written into the charts), and a symbol a replay or Yahoo filled starts where its data ends.
   */
  resumeFrom?: (symbol: string) => ResumePoint | undefined;
  ticksPerSecond: number;
  /** Around the clock (default), or on exchange hours in `timeZone` (New York by default). */
  sessions?: SimulatorSessions;
  timeZone?: string;
  /** Event-time clock; injected in tests. */
  now?: () => number;
  /**
   * Milliseconds between emitted batches (20 unless given). A trade is stamped when it happens but
   * published with its batch, so this is the latency the simulator itself adds to every chart.
   */
  emitEveryMs?: number;
}

/**
 * Geometric Brownian motion per symbol, with trades of a side and a size. Each symbol has its own
 * seeded stream, so a symbol's path depends only on the seed and its own ticks.
 */
export class MarketSimulator implements TickSource {
  readonly kind = 'simulator' as const;
  private readonly models = new Map<string, SymbolModel>();
  private readonly picker: SeededRandom;
  private symbols: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private paused = false;
  private owed = 0;
  private lastEmit = 0;
  private emitting: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  /** Undefined when the market trades around the clock. */
  private readonly sessions: ExchangeSessions | undefined;

  private readonly options: SimulatorOptions;

  constructor(options: SimulatorOptions) {
    this.options = options;
    this.sessions = options.sessions === 'exchange' ? new ExchangeSessions(options.timeZone) : undefined;
    this.picker = new SeededRandom(hashSeed(options.seed, '#picker'));
    this.now = options.now ?? Date.now;
    this.lastEmit = this.now();
  }

  setSymbols(symbols: readonly string[]): void {
    this.symbols = [...symbols];
  }

  start(emit: (ticks: Tick[]) => Promise<void>): void {
    this.lastEmit = this.now();
    this.timer = setInterval(() => {
      if (this.paused) return;
      // Emits stay in order: the next batch waits for the bus to take the previous one.
      this.emitting = this.emitting
        .then(() => {
          const ticks = this.generateDue();
          return ticks.length > 0 ? emit(ticks) : undefined;
        })
        .catch(() => undefined);
    }, this.options.emitEveryMs ?? DEFAULT_EMIT_EVERY_MS);
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.lastEmit = this.now();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.emitting;
  }

  status(): SourceStatus {
    // A market shut for the night is still running, as Yahoo's is: 'live', and the message says so.
    const state = this.timer ? (this.paused ? 'paused' : 'live') : 'stopped';
    return { kind: 'simulator', state, message: this.describe() };
  }

  private describe(): string {
    const rate = `Simulated market, ${this.options.ticksPerSecond} ticks/s`;
    if (!this.sessions) return rate;
    const span = this.sessions.spanAt(this.now());
    const place = this.sessions.place;
    const until = this.sessions.formatLocal(span.end).replace(/^\S+ /, '');
    switch (span.phase) {
      case 'closed':
        return `Simulated market closed — opens ${this.sessions.formatLocal(span.end)} ${place} time (pre-market)`;
      case 'regular':
        return `${rate} — ${PHASE_NAME.regular} (${place}) until ${until}`;
      default:
        return `${rate} — ${PHASE_NAME[span.phase]} (${place}), thin trading until ${until}`;
    }
  }

  /** The ticks owed since the last call at the rate of the hour, spread evenly over that span. */
  generateDue(): Tick[] {
    const now = this.now();
    const from = this.lastEmit;
    this.lastEmit = now;
    return this.sessions ? this.generateInSessions(from, now, this.sessions) : this.generateAroundTheClock(from, now);
  }

  private generateAroundTheClock(from: number, now: number): Tick[] {
    const elapsed = Math.max(0, now - from);
    const count = this.owe(elapsed, 1);
    if (this.symbols.length === 0) return [];
    const ticks: Tick[] = [];
    for (let i = 1; i <= count; i++) {
      ticks.push(this.trade(this.pickSymbol(), Math.round(from + (elapsed * i) / count)));
    }
    return ticks;
  }

  /**
   * The span is cut where a phase ends, each piece at its phase's rate. A piece's ticks stay inside
   * [start, end): one at the closing instant would already belong to the next phase.
   */
  private generateInSessions(from: number, now: number, sessions: ExchangeSessions): Tick[] {
    const ticks: Tick[] = [];
    for (let start = from; start < now;) {
      const span = sessions.spanAt(start);
      const end = Math.min(span.end, now);
      const count = this.owe(end - start, PHASE_PACE[span.phase].rate);
      for (let i = 1; i <= count && this.symbols.length > 0; i++) {
        ticks.push(this.trade(this.pickSymbol(), Math.floor(start + ((end - start) * (i - 0.5)) / count)));
      }
      start = end;
    }
    return ticks;
  }

  /** Adds `ms` at `share` of the configured rate to what is owed and takes the whole ticks out. */
  private owe(ms: number, share: number): number {
    this.owed += (ms / 1000) * this.options.ticksPerSecond * share;
    const count = Math.floor(this.owed);
    this.owed -= count;
    return count;
  }

  private pickSymbol(): string {
    return this.symbols[this.picker.int(this.symbols.length)]!;
  }

  /** One trade of `symbol` at event time `ts`. */
  trade(symbol: string, ts: number): Tick {
    const span = this.sessions?.spanAt(ts);
    const model = this.model(symbol, ts, span);
    const previous = model.price;
    if (span) openingGap(model, span);
    const dt = (this.elapsed(model, ts, span) * MARKET_SPEEDUP) / TRADING_YEAR_MS;
    const z = model.random.normal();
    model.price *= Math.exp(
      (model.drift - (model.volatility * model.volatility) / 2) * dt + model.volatility * Math.sqrt(dt) * z,
    );
    const side: Side =
      model.price > previous
        ? model.random.next() < 0.7
          ? 'buy'
          : 'sell'
        : model.random.next() < 0.7
          ? 'sell'
          : 'buy';
    const usualSize = Math.exp(model.random.normal() * 1.1 + 4);
    const size = Math.max(1, Math.round(span ? usualSize * PHASE_PACE[span.phase].size : usualSize));
    return { symbol, ts, price: roundPrice(model.price), volume: size, side, source: 'simulator' };
  }

  /** Milliseconds the price has moved for since the symbol's last trade: trading time only on exchange hours. */
  private elapsed(model: SymbolModel, ts: number, span: SessionSpan | undefined): number {
    const since = Math.max(0, ts - model.lastTs);
    model.lastTs = Math.max(model.lastTs, ts);
    if (!span) return since;
    const trading = tradingTimeAt(span, ts);
    const tradingSince = Math.max(0, trading - model.trading);
    model.trading = Math.max(model.trading, trading);
    return tradingSince;
  }

  private model(symbol: string, ts: number, span: SessionSpan | undefined): SymbolModel {
    let model = this.models.get(symbol);
    if (!model) {
      // The symbol's character (drift, volatility) comes from the seed alone, whether it resumes or not.
      const random = new SeededRandom(hashSeed(this.options.seed, symbol));
      const seedPrice = firstPrice(random);
      const drift = -0.1 + random.next() * 0.35;
      const volatility = 0.15 + random.next() * 0.45;
      const resume = this.options.resumeFrom?.(symbol);
      model = {
        // A resumed symbol draws from a stream of its own resume point, so each run after a restart
        // does not repeat the first run's moves; the same stored state still gives the same path.
        random: resume ? new SeededRandom(hashSeed(this.options.seed, `${symbol}@${resume.ts}`)) : random,
        price: resume?.price ?? seedPrice,
        drift,
        volatility,
        // The market stood still while nothing simulated it: the price moves from here, not by the
        // hours the app was shut (that would be a jump of many simulated weeks).
        lastTs: ts,
        trading: span ? tradingTimeAt(span, ts) : 0,
        session: span?.sessions ?? 0,
      };
      this.models.set(symbol, model);
    }
    return model;
  }
}

/**
 * The jump at a symbol's first trade of a new trading day, one overnight's worth for each day that
 * opened since its last trade, so a symbol's path does not depend on whether it traded in between.
 * Mean-preserving: the gap adds variance, not drift.
 */
function openingGap(model: SymbolModel, span: SessionSpan): void {
  const opened = span.sessions - model.session;
  if (opened <= 0) return;
  model.session = span.sessions;
  const variance = opened * OVERNIGHT_VARIANCE_SHARE * model.volatility * model.volatility * SESSION_YEARS;
  model.price *= Math.exp(Math.sqrt(variance) * model.random.normal() - variance / 2);
}

/** Where a simulated symbol's price starts: the first draw of its own random stream. */
function firstPrice(random: SeededRandom): number {
  return 10 + random.next() * 490;
}

/** The price a symbol starts at under this seed, so its made-up profile (52-week range...) fits it. */
export function simulatedStartPrice(seed: number, symbol: string): number {
  return firstPrice(new SeededRandom(hashSeed(seed, symbol)));
}

function roundPrice(price: number): number {
  return Math.round(price * 10_000) / 10_000;
}
