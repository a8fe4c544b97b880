import type { Candle } from '../../domain/candle.ts';
import { INTERVAL_MS, type Interval } from '../../domain/interval.ts';
import { ClosedWindow } from '../indicators/closed-window.ts';
import type { Anomaly } from './anomaly.ts';

export interface AnomalyOptions {
  /** The candles watched; a daily interval has no sessions to gap between. */
  interval: Exclude<Interval, '1d'>;
  /** Bars in the rolling window behind the return z-score and the average volume. */
  window: number;
  /** |z| of a bar's return at or above this is an anomaly. */
  zThreshold: number;
  /** Volume at or above this multiple of the window's average is a spike. */
  volumeMultiple: number;
  /** |open / previous session's close - 1| at or above this is a gap. */
  gapThreshold: number;
}

export const DEFAULT_ANOMALY_OPTIONS: AnomalyOptions = {
  interval: '1m',
  window: 20,
  zThreshold: 3,
  volumeMultiple: 3,
  gapThreshold: 0.02,
};

interface SymbolState {
  /** Candles not final yet, by start. */
  pending: Map<number, Candle>;
  returns: ClosedWindow;
  volumes: ClosedWindow;
  last: { close: number; session: number } | null;
  /** Start of the last candle judged. */
  lastStart: number;
  /** The bus partition the symbol's ticks come from: its watermark is the one that makes them final. */
  partition: number;
}

/**
 * Finds anomalies in candles once they are final: when the partition's late boundary (watermark
 * minus allowed lateness) has passed their end, no tick can amend them any more. Each candle is
 * judged once, on the values it keeps for good, whatever the batch boundaries were, and judging it
 * again after a restart gives the same answer. The price is a delay of the allowed lateness.
 */
export class AnomalyDetector {
  readonly options: AnomalyOptions;
  private readonly symbols = new Map<string, SymbolState>();
  private readonly sessionOf: (candle: Candle) => number;
  private readonly history: (symbol: string) => readonly Candle[];

  /**
   * `history` gives the newest stored candles of a symbol at the watched interval, oldest first:
   * read once per symbol, so that after a restart the rolling windows are full again at once.
   */
  constructor(
    options: AnomalyOptions,
    sessionOf: (candle: Candle) => number,
    history: (symbol: string) => readonly Candle[] = () => [],
  ) {
    this.options = options;
    this.sessionOf = sessionOf;
    this.history = history;
  }

  /**
   * Candles changed by one committed batch, and the late boundary of its partition after it: the
   * anomalies of every candle of that partition's symbols that became final, oldest first per symbol.
   */
  onCommitted(candles: readonly Candle[], finalBefore: number, partition = 0): Anomaly[] {
    for (const candle of candles) {
      if (candle.interval !== this.options.interval) continue;
      const state = this.state(candle.symbol, partition);
      // Final candles are judged once: this one was, before a restart read it back.
      if (candle.start > state.lastStart) state.pending.set(candle.start, candle);
    }
    const found: Anomaly[] = [];
    const size = INTERVAL_MS[this.options.interval];
    for (const state of this.symbols.values()) {
      if (state.partition !== partition || state.pending.size === 0) continue;
      const closed = [...state.pending.values()]
        .filter((c) => c.start + size <= finalBefore)
        .sort((a, b) => a.start - b.start);
      for (const candle of closed) {
        state.pending.delete(candle.start);
        this.judge(state, candle, found);
      }
    }
    return found;
  }

  private judge(state: SymbolState, candle: Candle, found: Anomaly[]): void {
    const { window, zThreshold, volumeMultiple, gapThreshold, interval } = this.options;
    const session = this.sessionOf(candle);
    const base = { symbol: candle.symbol, interval, start: candle.start };
    const last = state.last;
    if (last && session !== last.session && last.close > 0) {
      const gap = candle.open / last.close - 1;
      if (Math.abs(gap) >= gapThreshold)
        found.push({
          ...base,
          kind: 'gap',
          value: gap,
          threshold: gapThreshold,
          baseline: last.close,
          window: 1,
          message: `${candle.symbol} opened the session ${pct(gap)} from the previous close ${last.close}`,
        });
    }
    if (last && last.close > 0) {
      const ret = candle.close / last.close - 1;
      const r = state.returns;
      const sd = r.full && r.length > 1 ? Math.sqrt(r.m2 / (r.length - 1)) : 0;
      if (sd > 0) {
        const z = (ret - r.mean) / sd;
        if (Math.abs(z) >= zThreshold)
          found.push({
            ...base,
            kind: 'return-z',
            value: z,
            threshold: zThreshold,
            baseline: r.mean,
            window,
            message: `${candle.symbol} moved ${pct(ret)} in one ${interval} bar: z = ${z.toFixed(2)} over ${window} bars`,
          });
      }
      r.push(ret);
    }
    const v = state.volumes;
    if (v.full && v.mean > 0) {
      const ratio = candle.volume / v.mean;
      if (ratio >= volumeMultiple)
        found.push({
          ...base,
          kind: 'volume-spike',
          value: ratio,
          threshold: volumeMultiple,
          baseline: v.mean,
          window,
          message: `${candle.symbol} traded ${ratio.toFixed(1)}x its ${window}-bar average volume`,
        });
    }
    v.push(candle.volume);
    state.last = { close: candle.close, session };
    state.lastStart = candle.start;
  }

  private state(symbol: string, partition: number): SymbolState {
    let state = this.symbols.get(symbol);
    if (!state) {
      state = {
        pending: new Map(),
        returns: new ClosedWindow(this.options.window),
        volumes: new ClosedWindow(this.options.window),
        last: null,
        lastStart: Number.NEGATIVE_INFINITY,
        partition,
      };
      this.symbols.set(symbol, state);
      // Stored candles come back as pending: those already final are judged again, with the same
      // result (the store keeps each anomaly once); the first ones only refill the windows.
      for (const candle of this.history(symbol)) state.pending.set(candle.start, candle);
    }
    return state;
  }
}

function pct(x: number): string {
  return `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}%`;
}
