import type { SqliteDatabase } from '../store/database.ts';
import type { AnalysisDefinition, AnalysisParams, Row } from './analysis.ts';
import { periodSql } from './period.ts';

/** How an analysis computes its rows from the store. */
export type AnalysisQuery = (db: SqliteDatabase, params: AnalysisParams) => Row[];

/** A named query over the store with a fixed set of columns: shown as a table, exported as CSV. */
export interface Analysis extends AnalysisDefinition {
  run: AnalysisQuery;
}

/** SQL for the usual filters on the candles table, with its parameters. */
export function candleFilter(db: SqliteDatabase, params: AnalysisParams, interval = params.interval, alias = 'c') {
  const period = periodSql(db, params, alias);
  const clauses = [`${alias}.interval = @interval`, ...period.clauses];
  if (params.symbol) clauses.push(`${alias}.symbol = @symbol`);
  return {
    where: clauses.join(' AND '),
    values: {
      ...period.values,
      interval,
      symbol: params.symbol ?? null,
      limit: params.limit,
    },
  };
}
