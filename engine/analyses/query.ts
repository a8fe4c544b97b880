import type { SqliteDatabase } from '../store/database.ts';
import type { AnalysisDefinition, AnalysisParams, Row } from './analysis.ts';

/** How an analysis computes its rows from the store. */
export type AnalysisQuery = (db: SqliteDatabase, params: AnalysisParams) => Row[];

/** A named query over the store with a fixed set of columns: shown as a table, exported as CSV. */
export interface Analysis extends AnalysisDefinition {
  run: AnalysisQuery;
}

/** SQL for the usual filters on the candles table, with its parameters. */
export function candleFilter(params: AnalysisParams, interval = params.interval, alias = 'c') {
  const clauses = [`${alias}.interval = @interval`, `${alias}.start >= @from`, `${alias}.start <= @to`];
  if (params.symbol) clauses.push(`${alias}.symbol = @symbol`);
  return {
    where: clauses.join(' AND '),
    values: {
      interval,
      from: params.from ?? Number.MIN_SAFE_INTEGER,
      to: params.to ?? Number.MAX_SAFE_INTEGER,
      symbol: params.symbol ?? null,
      limit: params.limit,
    },
  };
}
