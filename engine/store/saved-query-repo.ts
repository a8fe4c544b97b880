import type { SqliteDatabase } from './database.ts';

export interface SavedQuery {
  id: number;
  name: string;
  sql: string;
  updatedAt: number;
}

/** The SQL console's saved queries: saving under a name already there replaces its text. */
export class SavedQueryRepo {
  private readonly db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  list(): SavedQuery[] {
    return this.db
      .prepare('SELECT id, name, sql, updated_at AS updatedAt FROM saved_queries ORDER BY name COLLATE NOCASE, id')
      .all() as SavedQuery[];
  }

  save(name: string, sql: string, now = Date.now()): void {
    this.db
      .prepare(
        `INSERT INTO saved_queries (name, sql, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET sql = excluded.sql, updated_at = excluded.updated_at`,
      )
      .run(name, sql, now);
  }

  /** Returns whether there was such a query. */
  remove(id: number): boolean {
    return this.db.prepare('DELETE FROM saved_queries WHERE id = ?').run(id).changes > 0;
  }
}
