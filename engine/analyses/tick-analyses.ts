import type { Row } from './analysis.ts';
import { periodSql } from './period.ts';
import type { AnalysisQuery } from './query.ts';

/** The stored raw ticks of a time range (what retention has kept), in the order the engine accepted them. */
export const ticks: AnalysisQuery = (db, params) => {
  // The period's bounds are on `start`: a tick's is its event time.
  const period = periodSql(db, params, 't');
  const clauses = [...period.clauses, ...(params.symbol ? ['t.symbol = @symbol'] : [])];
  return db
    .prepare(
      `SELECT symbol, ts, price, volume, side, source FROM (SELECT *, ts AS start FROM ticks) t
       WHERE ${clauses.join(' AND ') || '1'} ORDER BY ts, id LIMIT @limit`,
    )
    .all({ ...period.values, symbol: params.symbol ?? null, limit: params.limit }) as Row[];
};
