import { parse as parseSync } from 'csv-parse/sync';
import { MAX_LINE_CHARS, readTextLines } from './text-lines.ts';

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

/** A data row of a CSV file, by its 1-based line number: its fields by column name, or why it is unreadable. */
export type CsvRow = { line: number; row: Record<string, string> } | { line: number; error: string };

/**
 * The data rows of a CSV file as records keyed by lower-case (or mapped) column name. No field of a
 * tick or a bar spans lines, so each line is parsed on its own: a broken quote, a missing or an
 * extra field spoil their own line only (it comes back as an error with its reason), never the
 * rows after it.
 */
export async function* readCsvRows(file: string, mapping: ColumnMapping = {}): AsyncGenerator<CsvRow> {
  let columns: string[] | undefined;
  for await (const { line, text } of readTextLines(file)) {
    if (text !== undefined && text.trim() === '') continue;
    const fields = text === undefined ? new Error(`longer than ${MAX_LINE_CHARS} characters`) : csvFields(text);
    if (!columns) {
      if (fields instanceof Error) throw new Error(`The header of ${file} is unreadable: ${fields.message}`);
      columns = mapHeader(fields, mapping);
    } else if (fields instanceof Error) yield { line, error: fields.message };
    else if (fields.length !== columns.length)
      yield { line, error: `${fields.length} fields where the header has ${columns.length}` };
    else yield { line, row: Object.fromEntries(columns.map((name, i) => [name, fields[i]!])) };
  }
}

export async function readHeader(file: string): Promise<string[]> {
  for await (const { text } of readTextLines(file)) {
    if (text !== undefined && text.trim() === '') continue;
    const fields = text === undefined ? new Error(`longer than ${MAX_LINE_CHARS} characters`) : csvFields(text);
    if (fields instanceof Error) throw new Error(`The header of ${file} is unreadable: ${fields.message}`);
    return fields;
  }
  throw new Error(`${file} is empty`);
}

/** The trimmed fields of one CSV line (RFC 4180 quoting), or what is wrong with it. */
export function csvFields(text: string): string[] | Error {
  // Most lines quote nothing: a split says the same as the parser, many times faster.
  if (!text.includes('"')) return text.split(',').map((field) => field.trim());
  try {
    const records = parseSync(text, { trim: true, relax_column_count: true }) as string[][];
    return records.length === 1 ? records[0]! : new Error('more than one record on one line');
  } catch (error) {
    return new Error(describeCsvError(error));
  }
}

function describeCsvError(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'CSV_QUOTE_NOT_CLOSED') return 'a quote is not closed';
  if (code === 'CSV_INVALID_CLOSING_QUOTE' || code === 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE')
    return 'text follows a closing quote';
  return error instanceof Error ? error.message : String(error);
}

/** ISO-8601 (with a space or a T) or epoch milliseconds. */
export function parseTimestamp(text: string): number {
  const trimmed = text.trim();
  if (/^\d{9,}$/.test(trimmed)) return Number(trimmed);
  const ms = Date.parse(trimmed.replace(' ', 'T'));
  if (Number.isNaN(ms)) throw new Error(`"${text}" is neither an ISO-8601 time nor epoch milliseconds`);
  return ms;
}
