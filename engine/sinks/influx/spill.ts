import type { SqliteDatabase } from '../../store/database.ts';

export interface SpillChunk {
  id: number;
  lines: string[];
}

/**
 * Lines waiting for InfluxDB, in SQLite, as chunks in write order (ascending id). A chunk is at most
 * one request's worth, so it is written and deleted as a unit.
 */
export class SpillStore {
  private readonly db: SqliteDatabase;
  private countValue: number;

  constructor(db: SqliteDatabase) {
    this.db = db;
    this.countValue = (db.prepare('SELECT COALESCE(SUM(count), 0) FROM influx_spill').pluck().get() as number) ?? 0;
  }

  /** Lines held. */
  get count(): number {
    return this.countValue;
  }

  /** Appends chunks after everything held, or before it (`front`) for lines older than the held ones. */
  put(chunks: readonly string[][], front = false): void {
    if (chunks.length === 0) return;
    const insert = this.db.prepare('INSERT INTO influx_spill (id, lines, count) VALUES (?, ?, ?)');
    const edge = this.db
      .prepare(
        front ? 'SELECT COALESCE(MIN(id), 1) FROM influx_spill' : 'SELECT COALESCE(MAX(id), 0) FROM influx_spill',
      )
      .pluck();
    this.db.transaction(() => {
      const start = edge.get() as number;
      chunks.forEach((lines, i) => {
        const id = front ? start - chunks.length + i : start + 1 + i;
        insert.run(id, lines.join('\n'), lines.length);
      });
    })();
    for (const lines of chunks) this.countValue += lines.length;
  }

  /** The oldest chunk, left in place until `remove`. */
  oldest(): SpillChunk | undefined {
    const row = this.db.prepare('SELECT id, lines FROM influx_spill ORDER BY id LIMIT 1').get() as
      { id: number; lines: string } | undefined;
    return row ? { id: row.id, lines: row.lines.split('\n') } : undefined;
  }

  remove(id: number): void {
    const count = this.db.prepare('DELETE FROM influx_spill WHERE id = ? RETURNING count').pluck().get(id) as
      number | undefined;
    this.countValue -= count ?? 0;
  }

  /**
   * Deletes the oldest lines until at most `limit` are held, leaving chunk `keepId` (being written
   * right now) alone; returns how many lines went.
   */
  trimTo(limit: number, keepId = Number.NaN): number {
    let dropped = 0;
    const oldest = this.db.prepare('SELECT id, lines, count FROM influx_spill WHERE id IS NOT ? ORDER BY id LIMIT 1');
    const remove = this.db.prepare('DELETE FROM influx_spill WHERE id = ?');
    const shorten = this.db.prepare('UPDATE influx_spill SET lines = ?, count = ? WHERE id = ?');
    this.db.transaction(() => {
      while (this.countValue - dropped > limit) {
        const row = oldest.get(Number.isNaN(keepId) ? null : keepId) as
          { id: number; lines: string; count: number } | undefined;
        if (!row) break;
        const excess = this.countValue - dropped - limit;
        if (row.count <= excess) {
          remove.run(row.id);
          dropped += row.count;
        } else {
          shorten.run(row.lines.split('\n').slice(excess).join('\n'), row.count - excess, row.id);
          dropped += excess;
        }
      }
    })();
    this.countValue -= dropped;
    return dropped;
  }
}
