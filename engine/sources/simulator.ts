import type { Side, Tick } from '../domain/tick.ts';
import { SeededRandom, hashSeed } from './random.ts';
import type { SourceStatus, TickSource } from './source.ts';

/** A trading year of 252 sessions of 6.5 hours, in milliseconds: the unit of drift and volatility. */
const TRADING_YEAR_MS = 252 * 6.5 * 3_600_000;
/** Simulated prices move as much in one real second as real ones do in a trading minute, so charts look alive. */
const MARKET_SPEEDUP = 60;

interface SymbolModel {
  random: SeededRandom;
  price: number;
  drift: number;
  volatility: number;
  lastTs: number;
}

export interface SimulatorOptions {
  seed: number;
  ticksPerSecond: number;
  /** Event-time clock; injected in tests. */
  now?: () => number;
  /** Milliseconds between emitted batches. */
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

  private readonly options: SimulatorOptions;

  constructor(options: SimulatorOptions) {
    this.options = options;
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
      this.emitting = this.emitting.then(() => emit(this.generateDue())).catch(() => undefined);
    }, this.options.emitEveryMs ?? 100);
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
    const state = this.timer ? (this.paused ? 'paused' : 'live') : 'stopped';
    return { kind: 'simulator', state, message: `Simulated market, ${this.options.ticksPerSecond} ticks/s` };
  }

  /** The ticks owed since the last call at the configured rate, spread evenly over that span. */
  generateDue(): Tick[] {
    const now = this.now();
    const elapsed = Math.max(0, now - this.lastEmit);
    this.owed += (elapsed / 1000) * this.options.ticksPerSecond;
    const count = Math.floor(this.owed);
    this.owed -= count;
    const from = this.lastEmit;
    this.lastEmit = now;
    if (this.symbols.length === 0) return [];
    const ticks: Tick[] = [];
    for (let i = 1; i <= count; i++) {
      const symbol = this.symbols[this.picker.int(this.symbols.length)]!;
      ticks.push(this.trade(symbol, Math.round(from + (elapsed * i) / count)));
    }
    return ticks;
  }

  /** One trade of `symbol` at event time `ts`. */
  trade(symbol: string, ts: number): Tick {
    const model = this.model(symbol, ts);
    const dt = (Math.max(0, ts - model.lastTs) * MARKET_SPEEDUP) / TRADING_YEAR_MS;
    const z = model.random.normal();
    const previous = model.price;
    model.price *= Math.exp(
      (model.drift - (model.volatility * model.volatility) / 2) * dt + model.volatility * Math.sqrt(dt) * z,
    );
    model.lastTs = Math.max(model.lastTs, ts);
    const side: Side =
      model.price > previous
        ? model.random.next() < 0.7
          ? 'buy'
          : 'sell'
        : model.random.next() < 0.7
          ? 'sell'
          : 'buy';
    const size = Math.max(1, Math.round(Math.exp(model.random.normal() * 1.1 + 4)));
    return { symbol, ts, price: roundPrice(model.price), volume: size, side, source: 'simulator' };
  }

  private model(symbol: string, ts: number): SymbolModel {
    let model = this.models.get(symbol);
    if (!model) {
      const random = new SeededRandom(hashSeed(this.options.seed, symbol));
      model = {
        random,
        price: firstPrice(random),
        drift: -0.1 + random.next() * 0.35,
        volatility: 0.15 + random.next() * 0.45,
        lastTs: ts,
      };
      this.models.set(symbol, model);
    }
    return model;
  }
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
