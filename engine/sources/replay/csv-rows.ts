import fs from 'node:fs';
import { parse } from 'csv-parse';

/** The file formats replay understands, recognised by their header row. */
export type ReplayFormat = 'ticks' | 'bars';

const TICK_COLUMNS = ['symbol', 'timestamp', 'price', 'volume'];
const BAR_COLUMNS = ['datetime', 'open', 'high', 'low', 'close', 'volume'];

export function detectFormat(header: readonly string[]): ReplayFormat {
  const names = header.map((h) => h.trim().toLowerCase());
  if (TICK_COLUMNS.every((c) => names.includes(c))) return 'ticks';
  if (BAR_COLUMNS.every((c) => names.includes(c))) return 'bars';
  throw new Error(
    `Unrecognised CSV header "${header.join(',')}": expected symbol,timestamp,price,volume[,side] (ticks) or Datetime,Open,High,Low,Close,Adj Close,Volume (yfinance bars)`,
  );
}

/** Rows of a CSV file as records keyed by lower-case column name, with their 1-based line number. */
export async function* readCsvRows(file: string): AsyncGenerator<{ line: number; row: Record<string, string> }> {
  const parser = fs.createReadStream(file).pipe(
    parse({
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
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
