import { Sma } from '../stream/indicators/sma.ts';
import type { Row } from './analysis.ts';
import { CROSSOVER_FAST, CROSSOVER_SLOW } from './catalog.ts';
import { periodSql } from './period.ts';
import { candleFilter, type AnalysisQuery } from './query.ts';

export { CROSSOVER_FAST, CROSSOVER_SLOW };

/**
 * Where the fast SMA of closes crosses the slow one, per stock: bullish when it rises above,
 * bearish when it falls below. Touching without crossing is not a crossover.
 */
export const maCrossovers: AnalysisQuery = (db, params) => {
  const f = candleFilter(db, params);
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
};

/** Anomalies the engine found, with their evidence; every interval the detector watched. */
export const anomalies: AnalysisQuery = (db, params) => {
  // Not filtered by interval: the detector watches one interval, whatever the request's default.
  const period = periodSql(db, params, 'a');
  const clauses = [...period.clauses, ...(params.symbol ? ['a.symbol = @symbol'] : [])];
  return db
    .prepare(
      `SELECT symbol, interval, start, kind, value, threshold, baseline, window_bars AS window, message
       FROM anomalies a WHERE ${clauses.join(' AND ') || '1'} ORDER BY start, symbol, kind LIMIT @limit`,
    )
    .all({
      ...period.values,
      symbol: params.symbol ?? null,
      limit: params.limit,
    }) as Row[];
};
