import { stringify } from 'csv-stringify/sync';
import type { Column, Row } from '../analyses/analysis.ts';

/**
 * RFC 4180 CSV with a header row; times as ISO-8601 UTC, numbers at full precision, so the same
 * rows always give the same bytes.
 */
export function toCsv(columns: readonly Column[], rows: readonly Row[]): string {
  const records = rows.map((row) => columns.map((column) => cell(column, row[column.key])));
  return stringify([columns.map((c) => c.header), ...records], { record_delimiter: '\r\n' });
}

function cell(column: Column, value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if ((column.kind === 'time' || column.kind === 'day') && typeof value === 'number')
    return new Date(value).toISOString();
  return String(value);
}
