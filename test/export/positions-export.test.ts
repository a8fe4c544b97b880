import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDate, valuePortfolio, type Position } from '../../engine/domain/portfolio.ts';
import { openDatabase } from '../../engine/store/database.ts';
import { PortfolioRepo } from '../../engine/store/portfolio-repo.ts';
import { runCli } from '../support/cli.ts';
import { PORTFOLIO_MARKET, seedPortfolioMarket, seededQuotes } from '../support/portfolio-market.ts';
import { tempDir } from '../unit/helpers.ts';

/** A CSV cell as the export writes it: empty for null, numbers at full precision. */
const cell = (value: string | number | null) => (value === null ? '' : String(value));

function expectedRow(p: Position, base: string): string[] {
  return [
    p.account,
    p.symbol,
    cell(p.quantity),
    cell(p.averagePrice),
    cell(p.lastPrice),
    cell(p.currency),
    base,
    cell(p.cost),
    cell(p.marketValue),
    cell(p.dayPnl),
    cell(p.totalPnl),
    cell(p.totalPnlPercent === null ? null : p.totalPnlPercent / 100),
    cell(p.weight),
    cell(p.problem),
  ];
}

describe('market-monitor export positions', () => {
  const { dir, cleanup } = tempDir('mm-positions-');
  const dbPath = path.join(dir, 'market.db');

  beforeAll(() => {
    const db = openDatabase(dbPath);
    seedPortfolioMarket(db);
    const repo = new PortfolioRepo(db);
    repo.addLot({ account: 'Main', symbol: 'AAPL', quantity: 10, price: 150, date: '2024-01-02', fees: 1.5 });
    repo.addLot({ account: 'Main', symbol: 'AAPL', quantity: 5, price: 170, date: '2024-02-02', fees: 0 });
    repo.addLot({ account: 'Main', symbol: 'MSFT', quantity: -4, price: 420, date: '2024-02-01', fees: 2 });
    repo.addLot({ account: 'Europe', symbol: 'SAP.DE', quantity: 3, price: 195, date: '2024-03-01', fees: 0 });
    repo.addLot({ account: 'Europe', symbol: 'NOPE', quantity: 1, price: 9, date: '2024-03-01', fees: 0 });
    db.close();
  });
  afterAll(cleanup);

  it('writes a row per account and symbol equal to valuePortfolio over the stored lots', async () => {
    const out = path.join(dir, 'positions.csv');
    const { code, stdout, stderr } = await runCli(['export', 'positions', '--db', dbPath, '--out', out]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(`Wrote 4 rows of positions to ${out}\n`);
    const [header, ...rows] = parse(fs.readFileSync(out, 'utf8')) as string[][];
    expect(header).toEqual([
      'account',
      'symbol',
      'quantity',
      'average_price',
      'last_price',
      'currency',
      'base_currency',
      'cost',
      'market_value',
      'day_pnl',
      'total_pnl',
      'total_return',
      'weight',
      'problem',
    ]);
    const db = openDatabase(dbPath);
    const lots = new PortfolioRepo(db).lots().map(({ id: _id, ...lot }) => lot);
    db.close();
    const rates = new Map([['EURUSD=X', PORTFOLIO_MARKET['EURUSD=X']!.closes.at(-1)!]]);
    const expected = valuePortfolio(lots, seededQuotes(), rates, 'USD', localDate(Date.now()));
    expect(rows).toEqual(expected.positions.map((p) => expectedRow(p, 'USD')));
    // What that means, spelled out for two rows.
    expect(
      rows
        .find((r) => r[1] === 'SAP.DE')!
        .slice(8, 9)
        .map(Number)[0],
    ).toBeCloseTo(3 * 205 * 1.12, 9);
    expect(
      rows
        .find((r) => r[1] === 'NOPE')!
        .slice(8)
        .join('|'),
    ).toBe('|||||No price for NOPE yet');
  });

  it('values in the base currency chosen in the Portfolio view', async () => {
    const db = openDatabase(dbPath);
    new PortfolioRepo(db).setBaseCurrency('EUR');
    db.close();
    const { code, stdout } = await runCli(['export', 'positions', '--db', dbPath, '--symbol', 'AAPL', '--out', '-']);
    expect(code).toBe(0);
    const [, row] = parse(stdout) as string[][];
    // USD into EUR by the inverse of EURUSD=X.
    expect(row![6]).toBe('EUR');
    expect(Number(row![8])).toBeCloseTo((15 * 190) / 1.12, 9);
  });
});
