import type { Column } from '../analyses/analysis.ts';
import { toCsv } from '../export/csv.ts';
import type { SqlResult } from './sql-console.ts';

/** A console result as RFC 4180 CSV, cells as SQLite gave them (keyed by position: names may repeat). */
export function sqlResultCsv(result: Pick<SqlResult, 'columns' | 'rows'>): string {
  const columns: Column[] = result.columns.map((c, i) => ({ key: String(i), header: c.name, kind: 'text' }));
  return toCsv(
    columns,
    result.rows.map((row) => Object.fromEntries(row.map((cell, i) => [String(i), cell]))),
  );
}
