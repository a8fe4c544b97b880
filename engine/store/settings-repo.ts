import type { SqliteDatabase } from './database.ts';

/** Raw settings as stored: one JSON value per top-level key. Validation belongs to the settings schema. */
export class SettingsRepo {
  private readonly db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  readAll(): Record<string, unknown> {
    const rows = this.db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[];
    const out: Record<string, unknown> = {};
    for (const row of rows) {
      try {
        out[row.key] = JSON.parse(row.value);
      } catch {
        // A value that no longer parses is ignored so the defaults apply; the row is left for inspection.
      }
    }
    return out;
  }

  writeAll(values: Record<string, unknown>): void {
    const put = this.db.prepare(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    this.db.transaction(() => {
      for (const [key, value] of Object.entries(values)) put.run(key, JSON.stringify(value));
    })();
  }
}
