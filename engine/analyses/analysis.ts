import { z } from 'zod';
import { IntervalSchema } from '../domain/interval.ts';
import { SymbolSchema } from '../domain/symbol.ts';

/** One end of an analysis period: an instant, or an exchange date taken whole in each symbol's zone. */
export type PeriodBound = { at: number } | { date: string };

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A time given as epoch milliseconds or ISO-8601 text. A date alone (2024-05-01) is an exchange
 * date: the whole day in each symbol's zone, so "to 2024-05-01" includes that day.
 */
export const TimeSchema = z.union([z.number().int(), z.string()]).transform((value, ctx): PeriodBound => {
  if (typeof value === 'number') return { at: value };
  const text = value.trim();
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) {
    ctx.addIssue({
      code: 'custom',
      message: `"${value}" is not a time: use ISO-8601 (2024-05-01 or 2024-05-01T14:30:00Z) or epoch milliseconds`,
    });
    return z.NEVER;
  }
  return DATE_ONLY.test(text) ? { date: text } : { at: ms };
});

/** Where a bound lies for comparing two of them: a date by its UTC midnight. */
const boundOrder = (b: PeriodBound) => ('at' in b ? b.at : Date.parse(b.date));

export const AnalysisParamsSchema = z
  .object({
    symbol: SymbolSchema.optional(),
    interval: IntervalSchema.default('1d'),
    from: TimeSchema.optional(),
    to: TimeSchema.optional(),
    limit: z.number().int().min(1).max(1_000_000).default(100_000),
  })
  .strict()
  .refine((p) => p.from === undefined || p.to === undefined || boundOrder(p.from) <= boundOrder(p.to), {
    message: '"from" must not be after "to"',
    path: ['from'],
  });

export type AnalysisParams = z.output<typeof AnalysisParamsSchema>;
export type AnalysisParamsInput = z.input<typeof AnalysisParamsSchema>;

/**
 * `day` is an exchange day: in a row of one symbol the start of its day (midnight in its zone), in
 * a row of many stocks the UTC midnight of the date. An instant in CSV, a date on screen. `integer`
 * is a count or a rank (int64 in Parquet); `number` may have a fraction (a double).
 */
export type ColumnKind = 'time' | 'day' | 'number' | 'integer' | 'percent' | 'text';

export interface Column {
  key: string;
  header: string;
  kind: ColumnKind;
}

export type Row = Record<string, string | number | null>;

/**
 * What an analysis is, without how it is computed: a named table with a fixed set of columns,
 * shown on screen and exported as CSV. Pure, so the contract (and the renderer) can carry it;
 * the SQL is in `query.ts` and the query modules.
 */
export interface AnalysisDefinition {
  name: string;
  title: string;
  description: string;
  columns: Column[];
}
