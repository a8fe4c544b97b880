import type { ProviderId } from '../domain/provider.ts';
import type { SqliteDatabase } from './database.ts';

export interface WatchlistEntry {
  symbol: string;
  position: number;
  addedAt: number;
  /** The real-time feed chosen for it; null: the live source's own. */
  provider: ProviderId | null;
}

export class WatchlistRepo {
  private readonly db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  list(): WatchlistEntry[] {
    return this.db
      .prepare('SELECT symbol, position, added_at AS addedAt, provider FROM watchlist ORDER BY position, symbol')
      .all() as WatchlistEntry[];
  }

  symbols(): string[] {
    return this.list().map((entry) => entry.symbol);
  }

  /** Adds at the end; adding a symbol already there changes nothing. Returns whether it was new. */
  add(symbol: string, now = Date.now()): boolean {
    const next = this.db.prepare('SELECT coalesce(max(position), -1) + 1 AS p FROM watchlist').get() as { p: number };
    return (
      this.db
        .prepare('INSERT INTO watchlist (symbol, position, added_at) VALUES (?, ?, ?) ON CONFLICT (symbol) DO NOTHING')
        .run(symbol, next.p, now).changes > 0
    );
  }

  /**
   * Puts `symbols` on the watchlist the first time an app opens the database, if it is empty then
   * (a replay may have filled the file without one): once, so a watchlist the user emptied stays
   * empty. Returns whether it added them.
   */
  seedOnce(symbols: readonly string[], now = Date.now()): boolean {
    return this.db.transaction(() => {
      const first = this.db
        .prepare("INSERT INTO app_state (key, value) VALUES ('watchlist_seeded', '1') ON CONFLICT (key) DO NOTHING")
        .run().changes;
      if (first === 0 || this.list().length > 0) return false;
      for (const symbol of symbols) this.add(symbol, now);
      return true;
    })();
  }

  /** Each routed symbol's provider. */
  providers(): Map<string, ProviderId> {
    const rows = this.db.prepare('SELECT symbol, provider FROM watchlist WHERE provider IS NOT NULL').all() as Array<{
      symbol: string;
      provider: ProviderId;
    }>;
    return new Map(rows.map((row) => [row.symbol, row.provider]));
  }

  /** Returns whether the symbol is on the watchlist. */
  setProvider(symbol: string, provider: ProviderId | null): boolean {
    return this.db.prepare('UPDATE watchlist SET provider = ? WHERE symbol = ?').run(provider, symbol).changes > 0;
  }

  remove(symbol: string): boolean {
    return this.db.prepare('DELETE FROM watchlist WHERE symbol = ?').run(symbol).changes > 0;
  }

  /** Rewrites positions to follow `order`; symbols it leaves out keep their relative order after it. */
  reorder(order: readonly string[]): void {
    const current = this.symbols();
    const wanted = [...new Set(order)].filter((s) => current.includes(s));
    const rest = current.filter((s) => !wanted.includes(s));
    const update = this.db.prepare('UPDATE watchlist SET position = ? WHERE symbol = ?');
    this.db.transaction(() => [...wanted, ...rest].forEach((symbol, position) => update.run(position, symbol)))();
  }
}
