import { z } from 'zod';
import { IntervalSchema } from '../domain/interval.ts';
import { SymbolSchema } from '../domain/symbol.ts';
import type { SqliteDatabase } from '../store/database.ts';

/** A time given as epoch milliseconds or ISO-8601 text. */
export const TimeSchema = z.union([z.number().int(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') return value;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    ctx.addIssue({
      code: 'custom',
      message: `"${value}" is not a time: use ISO-8601 (2024-05-01 or 2024-05-01T14:30:00Z) or epoch milliseconds`,
    });
    return z.NEVER;
  }
  return ms;
});

export const AnalysisParamsSchema = z
  .object({
    symbol: SymbolSchema.optional(),
    interval: IntervalSchema.default('1d'),
    from: TimeSchema.optional(),
    to: TimeSchema.optional(),
    limit: z.number().int().min(1).max(1_000_000).default(100_000),
  })
  .strict()
  .refine((p) => p.from === undefined || p.to === undefined || p.from <= p.to, {
    message: '"from" must not be after "to"',
    path: ['from'],
  });

export type AnalysisParams = z.output<typeof AnalysisParamsSchema>;
export type AnalysisParamsInput = z.input<typeof AnalysisParamsSchema>;

/**
 * `day` is the start of an exchange day: an instant in CSV, a date on screen. `integer` is a count
 * or a rank (int64 in Parquet); `number` may have a fraction (a double).
 */
export type ColumnKind = 'time' | 'day' | 'number' | 'integer' | 'percent' | 'text';

export interface Column {
  key: string;
  header: string;
  kind: ColumnKind;
}

export type Row = Record<string, string | number | null>;

/** A named query over the store with a fixed set of columns: shown as a table, exported as CSV. */
export interface Analysis {
  name: string;
  title: string;
  description: string;
  columns: Column[];
  run(db: SqliteDatabase, params: AnalysisParams): Row[];
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
