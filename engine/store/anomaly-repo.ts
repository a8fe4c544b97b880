import type { Anomaly } from '../domain/anomaly.ts';
import type { SqliteDatabase } from './database.ts';

const COLUMNS = 'symbol, interval, start, kind, value, threshold, baseline, window_bars AS window, message';

/** Anomalies as found, each (symbol, interval, candle, kind) once. */
export class AnomalyRepo {
  private readonly insert;
  private readonly db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.db = db;
    this.insert = db.prepare(`
      INSERT OR IGNORE INTO anomalies (symbol, interval, start, kind, value, threshold, baseline, window_bars, message)
      VALUES (@symbol, @interval, @start, @kind, @value, @threshold, @baseline, @window, @message)`);
  }

  /** Stores the anomalies not stored yet (a restart judges some candles again) and returns those. */
  record(anomalies: readonly Anomaly[]): Anomaly[] {
    if (anomalies.length === 0) return [];
    return this.db.transaction(() => anomalies.filter((a) => this.insert.run(a).changes > 0))();
  }

  recent(limit: number, symbol?: string): Anomaly[] {
    return this.db
      .prepare(
        `SELECT ${COLUMNS} FROM anomalies WHERE (@symbol IS NULL OR symbol = @symbol) ORDER BY start DESC, id DESC LIMIT @limit`,
      )
      .all({ symbol: symbol ?? null, limit }) as Anomaly[];
  }
}
