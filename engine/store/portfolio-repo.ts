import type { Lot } from '../domain/portfolio.ts';
import type { SqliteDatabase } from './database.ts';

export interface StoredLot extends Lot {
  id: number;
}

const LOT_COLUMNS = 'id, account, symbol, quantity, price, date, fees';

/** The currency positions are valued in until the user picks another. */
export const DEFAULT_BASE_CURRENCY = 'USD';
const BASE_KEY = 'portfolio_base_currency';

/**
 * Accounts and their lots. Lots name their account; adding a lot to an account not there yet
 * creates it, so an import needs no accounts step. Imports run in one transaction: a failed one
 * leaves what was stored as it was.
 */
export class PortfolioRepo {
  private readonly db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  accounts(): string[] {
    const rows = this.db.prepare('SELECT name FROM portfolio_accounts ORDER BY name COLLATE NOCASE').all() as Array<{
      name: string;
    }>;
    return rows.map((r) => r.name);
  }

  addAccount(name: string): void {
    this.db.prepare('INSERT OR IGNORE INTO portfolio_accounts (name) VALUES (?)').run(name);
  }

  /** Renames an account; its lots follow. Refuses a name already taken. */
  renameAccount(from: string, to: string): void {
    if (from === to) return;
    if (this.accounts().includes(to)) throw new Error(`There is already an account named ${to}`);
    this.db.transaction(() => {
      this.db.prepare('INSERT INTO portfolio_accounts (name) VALUES (?)').run(to);
      this.db.prepare('UPDATE portfolio_lots SET account = ? WHERE account = ?').run(to, from);
      this.db.prepare('DELETE FROM portfolio_accounts WHERE name = ?').run(from);
    })();
  }

  /** Removes an account and its lots; returns how many lots went with it. */
  removeAccount(name: string): number {
    return this.db.transaction(() => {
      const lots = this.db.prepare('DELETE FROM portfolio_lots WHERE account = ?').run(name).changes;
      this.db.prepare('DELETE FROM portfolio_accounts WHERE name = ?').run(name);
      return lots;
    })();
  }

  /**
   * The currency totals are shown in. Kept in app_state, not in Settings: the settings schema is
   * strict, and a choice made in the Portfolio view is no pipeline setting to rebuild anything for.
   */
  baseCurrency(): string {
    const value = this.db.prepare('SELECT value FROM app_state WHERE key = ?').pluck().get(BASE_KEY) as
      string | undefined;
    return value ?? DEFAULT_BASE_CURRENCY;
  }

  setBaseCurrency(code: string): void {
    this.db
      .prepare(
        'INSERT INTO app_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      )
      .run(BASE_KEY, code);
  }

  lots(account?: string): StoredLot[] {
    const order = 'ORDER BY account COLLATE NOCASE, symbol, date, id';
    return (
      account === undefined
        ? this.db.prepare(`SELECT ${LOT_COLUMNS} FROM portfolio_lots ${order}`).all()
        : this.db.prepare(`SELECT ${LOT_COLUMNS} FROM portfolio_lots WHERE account = ? ${order}`).all(account)
    ) as StoredLot[];
  }

  addLot(lot: Lot): number {
    this.addAccount(lot.account);
    const r = this.db
      .prepare('INSERT INTO portfolio_lots (account, symbol, quantity, price, date, fees) VALUES (?, ?, ?, ?, ?, ?)')
      .run(lot.account, lot.symbol, lot.quantity, lot.price, lot.date, lot.fees);
    return Number(r.lastInsertRowid);
  }

  /** Returns whether there was such a lot. */
  editLot(id: number, lot: Lot): boolean {
    this.addAccount(lot.account);
    const r = this.db
      .prepare(
        'UPDATE portfolio_lots SET account = ?, symbol = ?, quantity = ?, price = ?, date = ?, fees = ? WHERE id = ?',
      )
      .run(lot.account, lot.symbol, lot.quantity, lot.price, lot.date, lot.fees, id);
    return r.changes > 0;
  }

  /** Returns whether there was such a lot. */
  removeLot(id: number): boolean {
    return this.db.prepare('DELETE FROM portfolio_lots WHERE id = ?').run(id).changes > 0;
  }

  /**
   * Adds the lots in one transaction, after removing the account's lots when `replaceAccount` is
   * given. Any failure rolls all of it back.
   */
  importLots(lots: readonly Lot[], replaceAccount?: string): number {
    return this.db.transaction(() => {
      if (replaceAccount !== undefined)
        this.db.prepare('DELETE FROM portfolio_lots WHERE account = ?').run(replaceAccount);
      for (const lot of lots) this.addLot(lot);
      return lots.length;
    })();
  }
}
