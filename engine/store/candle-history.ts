import type { Interval } from '../domain/interval.ts';
import type { SqliteDatabase } from './database.ts';
import { candleQueryParams, type CandleQuery } from './market-store.ts';

/**
 * The newest candles of a series, oldest first, as one array per field: the candles `candles.list`
 * returns for the same query, turned sideways, with the fields a chart draws (OHLCV, plus turnover
 * for VWAP). Trade counts, side volumes and open/close event times stay with `candles.list`: every
 * column is another 800 KB per 100,000 candles to read, send and receive.
 * The columns are Float64Arrays: they cross the WebSocket as they are laid out in memory (a column
 * frame), Electron's IPC clones them in one copy, and the page reads them without building arrays of
 * 100,000 numbers (float64 holds every value a candle stores exactly).
 */
export interface CandleColumns {
  symbol: string;
  interval: Interval;
  /** The exchange time zone the symbol's day candles start in. */
  timeZone?: string;
  start: Float64Array<ArrayBuffer>;
  open: Float64Array<ArrayBuffer>;
  high: Float64Array<ArrayBuffer>;
  low: Float64Array<ArrayBuffer>;
  close: Float64Array<ArrayBuffer>;
  volume: Float64Array<ArrayBuffer>;
  turnover: Float64Array<ArrayBuffer>;
}

/** The field names of CandleColumns that hold arrays, in the order the query selects them. */
export const CANDLE_COLUMN_FIELDS = [
  'start',
  'open',
  'high',
  'low',
  'close',
  'volume',
  'turnover',
] as const satisfies readonly (keyof CandleColumns)[];

/**
 * The newest `limit` candles in range, newest first (the primary key (symbol, interval, start) is
 * walked backwards, so SQLite neither sorts nor reads past the limit); read as raw arrays.
 */
const SQL = `SELECT start, open, high, low, close, volume, turnover
  FROM candles WHERE symbol = ? AND interval = ? AND start >= ? AND start <= ?
  ORDER BY start DESC LIMIT ?`;

type Row = [number, number, number, number, number, number, number];

/** Reads candle history in columns with one prepared statement per database. */
export class CandleHistory {
  private readonly query;

  constructor(db: SqliteDatabase) {
    this.query = db.prepare(SQL).raw(true);
  }

  columns(query: CandleQuery): CandleColumns {
    const rows = this.query.all(...candleQueryParams(query)) as Row[];
    const n = rows.length;
    const cols = CANDLE_COLUMN_FIELDS.map(() => new Float64Array(n));
    // Rows come newest first: the newest goes last, so the columns are oldest first.
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      for (let f = 0; f < row.length; f++) cols[f]![n - 1 - i] = row[f]!;
    }
    const out = { symbol: query.symbol, interval: query.interval } as CandleColumns;
    CANDLE_COLUMN_FIELDS.forEach((field, f) => (out[field] = cols[f]!));
    return out;
  }
}
