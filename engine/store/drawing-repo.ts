import { DrawingSpecSchema, type Drawing, type DrawingSpec } from '../domain/drawing.ts';
import type { SqliteDatabase } from './database.ts';

interface Row {
  id: number;
  symbol: string;
  createdAt: number;
  spec: string;
}

/** The drawings of each symbol, shown in every chart panel of it. */
export class DrawingRepo {
  private readonly db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  list(symbol: string): Drawing[] {
    const rows = this.db
      .prepare('SELECT id, symbol, created_at AS createdAt, spec FROM drawings WHERE symbol = ? ORDER BY id')
      .all(symbol) as Row[];
    // A row another version wrote in a shape this one cannot read is left alone, not shown.
    return rows.flatMap((row) => {
      const spec = DrawingSpecSchema.safeParse(JSON.parse(row.spec));
      return spec.success ? [{ id: row.id, symbol: row.symbol, createdAt: row.createdAt, spec: spec.data }] : [];
    });
  }

  get(id: number): Drawing | undefined {
    const row = this.db.prepare('SELECT symbol FROM drawings WHERE id = ?').get(id) as { symbol: string } | undefined;
    return row ? this.list(row.symbol).find((d) => d.id === id) : undefined;
  }

  add(symbol: string, spec: DrawingSpec, now = Date.now()): number {
    return Number(
      this.db
        .prepare('INSERT INTO drawings (symbol, spec, created_at) VALUES (?, ?, ?)')
        .run(symbol, JSON.stringify(spec), now).lastInsertRowid,
    );
  }

  /** Returns the symbol it belongs to, or undefined when there is no such drawing. */
  update(id: number, spec: DrawingSpec): string | undefined {
    const drawing = this.get(id);
    if (!drawing) return undefined;
    this.db.prepare('UPDATE drawings SET spec = ? WHERE id = ?').run(JSON.stringify(spec), id);
    return drawing.symbol;
  }

  /** Returns the symbol it belonged to, or undefined when there was no such drawing. */
  remove(id: number): string | undefined {
    const drawing = this.get(id);
    if (drawing) this.db.prepare('DELETE FROM drawings WHERE id = ?').run(id);
    return drawing?.symbol;
  }
}
