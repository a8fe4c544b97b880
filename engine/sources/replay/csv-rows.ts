import fs from 'node:fs';
import { parse } from 'csv-parse';

/** The file formats replay understands, recognised by their header row. */
export type ReplayFormat = 'ticks' | 'bars';

const TICK_COLUMNS = ['symbol', 'timestamp', 'price', 'volume'];
const BAR_COLUMNS = ['datetime', 'open', 'high', 'low', 'close', 'volume'];

/** The tick fields a column mapping may name, for CSV files with other column names. */
export const MAPPABLE_COLUMNS = ['symbol', 'timestamp', 'price', 'volume', 'side'] as const;
export type ColumnMapping = Partial<Record<(typeof MAPPABLE_COLUMNS)[number], string>>;

/**
 * The header as replay reads it: lower-case, with the file's own names for the tick fields
 * replaced by ours. A mapped name the file lacks is an error that names it.
 */
export function mapHeader(header: readonly string[], mapping: ColumnMapping = {}): string[] {
  const names = header.map((h) => h.trim().toLowerCase());
  const ours = new Map<string, string>();
  for (const [field, theirs] of Object.entries(mapping)) {
    const name = theirs.trim().toLowerCase();
    if (!names.includes(name)) {
      throw new Error(`The column "${theirs}" given for ${field} is not in the header "${header.join(',')}"`);
    }
    ours.set(name, field);
  }
  // A file column that happens to carry one of our names but is not the mapped one steps aside.
  return names.map((n) => ours.get(n) ?? (Object.hasOwn(mapping, n) ? `${n} (unmapped)` : n));
}

export function detectFormat(header: readonly string[]): ReplayFormat {
  const names = header.map((h) => h.trim().toLowerCase());
  if (TICK_COLUMNS.every((c) => names.includes(c))) return 'ticks';
  if (BAR_COLUMNS.every((c) => names.includes(c))) return 'bars';
  throw new Error(
    `Unrecognised CSV header "${header.join(',')}": expected symbol,timestamp,price,volume[,side] (ticks) or Datetime,Open,High,Low,Close,Adj Close,Volume (yfinance bars)`,
  );
}

/** Rows of a CSV file as records keyed by lower-case (or mapped) column name, with their 1-based line number. */
export async function* readCsvRows(
  file: string,
  mapping: ColumnMapping = {},
): AsyncGenerator<{ line: number; row: Record<string, string> }> {
  const parser = fs.createReadStream(file).pipe(
    parse({
      columns: (header: string[]) => mapHeader(header, mapping),
      skip_empty_lines: true,
      trim: true,
      info: true,
    }),
  );
  for await (const { record, info } of parser as AsyncIterable<{
    record: Record<string, string>;
    info: { lines: number };
  }>) {
    yield { line: info.lines, row: record };
  }
}

export async function readHeader(file: string): Promise<string[]> {
  const parser = fs.createReadStream(file).pipe(parse({ to_line: 1, trim: true }));
  for await (const header of parser as AsyncIterable<string[]>) return header;
  throw new Error(`${file} is empty`);
}

/** ISO-8601 (with a space or a T) or epoch milliseconds. */
export function parseTimestamp(text: string): number {
  const trimmed = text.trim();
  if (/^\d{9,}$/.test(trimmed)) return Number(trimmed);
  const ms = Date.parse(trimmed.replace(' ', 'T'));
  if (Number.isNaN(ms)) throw new Error(`"${text}" is neither an ISO-8601 time nor epoch milliseconds`);
  return ms;
}
