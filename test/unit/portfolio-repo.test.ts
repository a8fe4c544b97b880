import { describe, it, expect } from 'vitest';
import { openDatabase } from '../../engine/store/database.ts';
import { PortfolioRepo } from '../../engine/store/portfolio-repo.ts';
import type { Lot } from '../../engine/domain/portfolio.ts';
import { scratch } from './helpers.ts';

const s = scratch();
const lot = (over: Partial<Lot> = {}): Lot => ({
  account: 'Main',
  symbol: 'AAPL',
  quantity: 10,
  price: 100,
  date: '2026-01-05',
  fees: 1,
  ...over,
});

function repo(file = s.dbFile()) {
  const db = openDatabase(file);
  s.later(() => {
    db.close();
  });
  return new PortfolioRepo(db);
}

describe('PortfolioRepo', () => {
  it('keeps lots across a reopen, creating their accounts; edits and removes by id', () => {
    const file = s.dbFile();
    const first = repo(file);
    const id = first.addLot(lot());
    first.addLot(lot({ account: 'ISA', symbol: 'VOD.L', quantity: -5 }));
    expect(first.editLot(id, lot({ price: 101 }))).toBe(true);
    expect(first.editLot(9999, lot())).toBe(false);
    const again = repo(file);
    expect(again.accounts()).toEqual(['ISA', 'Main']);
    expect(again.lots().map((l) => [l.account, l.symbol, l.quantity, l.price])).toEqual([
      ['ISA', 'VOD.L', -5, 100],
      ['Main', 'AAPL', 10, 101],
    ]);
    expect(again.removeLot(id)).toBe(true);
    expect(again.lots('Main')).toEqual([]);
  });

  it('renames an account with its lots, refuses a taken name, removes an account with its lots', () => {
    const r = repo();
    r.addLot(lot());
    r.addAccount('ISA');
    expect(() => r.renameAccount('Main', 'ISA')).toThrow('There is already an account named ISA');
    r.renameAccount('Main', 'Broker');
    expect(r.lots().map((l) => l.account)).toEqual(['Broker']);
    expect(r.removeAccount('Broker')).toBe(1);
    expect(r.accounts()).toEqual(['ISA']);
  });

  it('an import that fails part way stores none of it and loses nothing stored', () => {
    const r = repo();
    r.addLot(lot());
    const bad = { ...lot({ symbol: 'MSFT' }), quantity: 0 }; // the table's CHECK refuses it
    expect(() => r.importLots([lot({ symbol: 'GOOG' }), bad], 'Main')).toThrow();
    expect(r.lots().map((l) => l.symbol)).toEqual(['AAPL']);
    expect(r.importLots([lot({ symbol: 'GOOG' })], 'Main')).toBe(1);
    expect(r.lots().map((l) => l.symbol)).toEqual(['GOOG']);
  });
});
