import type { Candle } from '../../domain/candle.ts';
import { INTERVAL_MS, type Interval } from '../../domain/interval.ts';
import { ClosedWindow } from '../indicators/closed-window.ts';
import type { Anomaly } from '../../domain/anomaly.ts';

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

/**
 * Stored candles of a symbol at the watched interval, oldest first: the newest `count` that start
 * before `before`, and every one from `before` on.
 */
export type StoredCandles = (symbol: string, before: number, count: number) => readonly Candle[];

interface SymbolState {
  /** Candles not final yet, by start. */
  pending: Map<number, Candle>;
  returns: ClosedWindow;
  volumes: ClosedWindow;
  last: { close: number; session: number } | null;
  /** Start of the last candle judged. */
  lastStart: number;
  /** The symbol's newest event time: no tick older than it minus `finalAfterMs` can still be accepted. */
  maxTs: number;
}

/**
 * Finds anomalies in candles once they are final. A tick is accepted only if it is no older than
 * its partition's newest event time minus the out-of-orderness bound and the allowed lateness
 * (`finalAfterMs`); the symbol's own newest event time is never ahead of its partition's, so a
 * candle ending before it minus `finalAfterMs` can change no more. Each candle is judged once, on
 * the values it keeps for good: the same answer whatever the batching, late amendments or restarts,
 * and whatever partition or bus the symbol came through. The price is a delay of `finalAfterMs`.
 */
export class AnomalyDetector {
  readonly options: AnomalyOptions;
  private readonly symbols = new Map<string, SymbolState>();
  private readonly sessionOf: (candle: Candle) => number;
  private readonly history: StoredCandles;
  private readonly finalAfterMs: number;

  /**
   * `history` reads back stored candles the first time a symbol is seen, so that after a restart
   * the rolling windows are full at once and candles that were not final yet still get judged.
   */
  constructor(
    options: AnomalyOptions,
    sessionOf: (candle: Candle) => number,
    finalAfterMs: number,
    history: StoredCandles = () => [],
  ) {
    this.options = options;
    this.finalAfterMs = finalAfterMs;
    this.sessionOf = sessionOf;
    this.history = history;
  }

  /** Candles changed by one committed batch: the anomalies of those that became final, oldest first per symbol. */
  onCommitted(candles: readonly Candle[]): Anomaly[] {
    const watched = candles.filter((c) => c.interval === this.options.interval);
    const touched = new Set<SymbolState>();
    for (const candle of watched) {
      const state = this.symbols.get(candle.symbol) ?? this.seed(candle.symbol, watched);
      if (candle.closeTs > state.maxTs) state.maxTs = candle.closeTs;
      // Final candles are judged once: this one was, before a restart read it back.
      if (candle.start > state.lastStart) state.pending.set(candle.start, candle);
      touched.add(state);
    }
    const found: Anomaly[] = [];
    const size = INTERVAL_MS[this.options.interval];
    for (const state of touched) {
      const finalBefore = state.maxTs - this.finalAfterMs;
      const final = [...state.pending.values()]
        .filter((c) => c.start + size <= finalBefore)
        .sort((a, b) => a.start - b.start);
      for (const candle of final) {
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

  /**
   * A symbol seen for the first time: what the store holds of it comes back as pending, from
   * enough final bars before this batch to fill the windows (plus those that may not have been
   * final when the engine stopped) to everything stored after. Candles judged before the restart
   * are judged again with the same result; the store keeps each anomaly once.
   */
  private seed(symbol: string, batch: readonly Candle[]): SymbolState {
    const state: SymbolState = {
      pending: new Map(),
      returns: new ClosedWindow(this.options.window),
      volumes: new ClosedWindow(this.options.window),
      last: null,
      lastStart: Number.NEGATIVE_INFINITY,
      maxTs: Number.NEGATIVE_INFINITY,
    };
    this.symbols.set(symbol, state);
    const before = Math.min(...batch.filter((c) => c.symbol === symbol).map((c) => c.start));
    const notFinal = Math.ceil(this.finalAfterMs / INTERVAL_MS[this.options.interval]) + 1;
    for (const candle of this.history(symbol, before, this.options.window + 1 + notFinal)) {
      state.pending.set(candle.start, candle);
      if (candle.closeTs > state.maxTs) state.maxTs = candle.closeTs;
    }
    return state;
  }
}

function pct(x: number): string {
  return `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}%`;
}
