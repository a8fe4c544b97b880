import { Sma } from '../stream/indicators/sma.ts';
import { candleFilter, type Analysis, type Row } from './analysis.ts';

export const CROSSOVER_FAST = 20;
export const CROSSOVER_SLOW = 50;

/**
 * Where the fast SMA of closes crosses the slow one, per stock: bullish when it rises above,
 * bearish when it falls below. Touching without crossing is not a crossover.
 */
export const maCrossovers: Analysis = {
  name: 'ma-crossovers',
  title: 'Moving-average crossovers',
  description: `Candles where the ${CROSSOVER_FAST}-bar SMA of closes crosses the ${CROSSOVER_SLOW}-bar SMA.`,
  columns: [
    { key: 'symbol', header: 'symbol', kind: 'text' },
    { key: 'start', header: 'start', kind: 'time' },
    { key: 'direction', header: 'direction', kind: 'text' },
    { key: 'close', header: 'close', kind: 'number' },
    { key: 'fast', header: `sma${CROSSOVER_FAST}`, kind: 'number' },
    { key: 'slow', header: `sma${CROSSOVER_SLOW}`, kind: 'number' },
  ],
  run(db, params) {
    const f = candleFilter(params);
    const candles = db
      .prepare(`SELECT symbol, start, close FROM candles c WHERE ${f.where} ORDER BY symbol, start`)
      .iterate(f.values) as IterableIterator<{ symbol: string; start: number; close: number }>;
    const rows: Row[] = [];
    let symbol = '';
    let fast = new Sma(CROSSOVER_FAST);
    let slow = new Sma(CROSSOVER_SLOW);
    let side = 0;
    for (const c of candles) {
      if (c.symbol !== symbol) {
        symbol = c.symbol;
        fast = new Sma(CROSSOVER_FAST);
        slow = new Sma(CROSSOVER_SLOW);
        side = 0;
      }
      const a = fast.update(c.close);
      const b = slow.update(c.close);
      if (a === null || b === null || a === b) continue;
      const now = a > b ? 1 : -1;
      if (side !== 0 && now !== side)
        rows.push({
          symbol,
          start: c.start,
          direction: now > 0 ? 'bullish' : 'bearish',
          close: c.close,
          fast: a,
          slow: b,
        });
      side = now;
    }
    return rows.slice(0, params.limit);
  },
};

/** Anomalies the engine found, with their evidence; every interval the detector watched. */
export const anomalies: Analysis = {
  name: 'anomalies',
  title: 'Anomalies',
  description: 'Return z-scores, volume spikes and session gaps found in closed candles, with their evidence.',
  columns: [
    { key: 'symbol', header: 'symbol', kind: 'text' },
    { key: 'interval', header: 'interval', kind: 'text' },
    { key: 'start', header: 'start', kind: 'time' },
    { key: 'kind', header: 'kind', kind: 'text' },
    { key: 'value', header: 'value', kind: 'number' },
    { key: 'threshold', header: 'threshold', kind: 'number' },
    { key: 'baseline', header: 'baseline', kind: 'number' },
    { key: 'window', header: 'window_bars', kind: 'integer' },
    { key: 'message', header: 'message', kind: 'text' },
  ],
  run(db, params) {
    // Not filtered by interval: the detector watches one interval, whatever the request's default.
    const clauses = ['start >= @from', 'start <= @to', ...(params.symbol ? ['symbol = @symbol'] : [])];
    return db
      .prepare(
        `SELECT symbol, interval, start, kind, value, threshold, baseline, window_bars AS window, message
         FROM anomalies WHERE ${clauses.join(' AND ')} ORDER BY start, symbol, kind LIMIT @limit`,
      )
      .all({
        from: params.from ?? Number.MIN_SAFE_INTEGER,
        to: params.to ?? Number.MAX_SAFE_INTEGER,
        symbol: params.symbol ?? null,
        limit: params.limit,
      }) as Row[];
  },
};
