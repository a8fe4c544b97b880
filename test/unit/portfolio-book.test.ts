import { describe, expect, it } from 'vitest';
import { dispatch } from '../../engine/api/dispatch.ts';
import type { CallResult, CommandInput, CommandName, CommandOutput } from '../../engine/api/contract.ts';
import { createHandlers } from '../../engine/app/handlers.ts';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import { localDate, valuePortfolio, type Lot } from '../../engine/domain/portfolio.ts';
import { openDatabase } from '../../engine/store/database.ts';
import { PORTFOLIO_MARKET, seedPortfolioMarket, seededQuotes } from '../support/portfolio-market.ts';
import { scratch } from './helpers.ts';

const s = scratch();

async function open(seededAt = Date.now()) {
  const dbPath = s.dbFile();
  const db = openDatabase(dbPath);
  seedPortfolioMarket(db, seededAt);
  db.close();
  const app = await MarketMonitor.open({ dbPath });
  app.setPaused(true);
  s.later(() => app.close());
  const handlers = createHandlers(app);
  const call = async <N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>> => {
    const result = (await dispatch(handlers, name, input)) as CallResult<N>;
    if (!result.ok) throw new Error(result.error.message);
    return result.output;
  };
  const refusal = async <N extends CommandName>(name: N, input: CommandInput<N>) => {
    const result = await dispatch(handlers, name, input);
    if (result.ok) throw new Error(`${name} was not refused`);
    return result.error;
  };
  return { app, call, refusal };
}

const RATES = new Map([['EURUSD=X', PORTFOLIO_MARKET['EURUSD=X']!.closes.at(-1)!]]);
const DAY = 86_400_000;
/**
 * The last 12:00 UTC: New York and Frankfurt are on the same date then. Between their midnights
 * (22:00 or 23:00 to 04:00 or 05:00 UTC, with the clocks) each zone's "today" is another date, and a
 * history of both has four days.
 */
const lastNoonUtc = (now = Date.now()) => {
  const noon = Math.floor(now / DAY) * DAY + DAY / 2;
  return noon > now ? noon - DAY : noon;
};
const lotsOf = (stored: Array<Lot & { id: number }>): Lot[] => stored.map(({ id: _id, ...lot }) => lot);

describe('PortfolioBook through the contract', () => {
  it('values the lots with the latest prices and the watched FX rate, and watches what it needs', async () => {
    const { app, call } = await open();
    await call('portfolio.addLot', { account: 'Main', symbol: 'aapl', quantity: 10, price: 150, date: '2024-01-02' });
    await call('portfolio.addLot', {
      account: 'Main',
      symbol: 'MSFT',
      quantity: -4,
      price: 420,
      date: '2024-02-01',
      fees: 2,
    });
    const view = await call('portfolio.addLot', {
      account: 'Europe',
      symbol: 'SAP.DE',
      quantity: 5,
      price: 190,
      date: localDate(Date.now()),
    });
    const lots = lotsOf(await call('portfolio.lots', {}));
    const expected = valuePortfolio(lots, seededQuotes(), RATES, 'USD', localDate(Date.now()));
    expect(view).toMatchObject(expected);
    expect(view.rates).toEqual({ 'EURUSD=X': 1.12 });
    expect(view.missingRates).toEqual([]);
    expect(view.unvalued).toBe(0);
    // SAP.DE: 5 x 205 EUR at 1.12, bought today at 190: its day P&L runs from the lot's price.
    const sap = view.positions.find((p) => p.symbol === 'SAP.DE')!;
    expect(sap.marketValue).toBeCloseTo(5 * 205 * 1.12, 9);
    expect(sap.dayPnl).toBeCloseTo(5 * (205 - 190) * 1.12, 9);
    const msft = view.positions.find((p) => p.symbol === 'MSFT')!;
    expect(msft.marketValue).toBeCloseTo(-4 * 405, 9);
    expect(msft.dayPnl).toBeCloseTo(-4 * (405 - 410), 9);
    expect(app.watchlist.symbols()).toEqual(expect.arrayContaining(['AAPL', 'MSFT', 'SAP.DE', 'EURUSD=X']));
  });

  it('in another base currency, asks for the rates the positions need and says which are missing', async () => {
    const { app, call, refusal } = await open();
    await call('portfolio.addLot', { account: 'Main', symbol: 'AAPL', quantity: 1, price: 100, date: '2024-01-02' });
    expect((await refusal('portfolio.setBase', { base: 'euro' })).fields).toEqual({
      base: 'A currency is a 3-letter code such as USD or EUR',
    });
    const view = await call('portfolio.setBase', { base: 'gbp' });
    expect(view.base).toBe('GBP');
    expect(view.missingRates).toEqual(['USDGBP=X']);
    expect(view.positions[0]!.problem).toBe('No USDGBP=X rate to convert USD into GBP');
    expect(view.unvalued).toBe(1);
    expect(app.watchlist.symbols()).toContain('USDGBP=X');
    // The base is kept with the database.
    expect((await call('portfolio.summary', {})).base).toBe('GBP');
  });

  it('imports a mapped CSV in one go, and a bad row refuses the whole file with its row and reason', async () => {
    const { call, refusal } = await open();
    await call('portfolio.addLot', { account: 'Main', symbol: 'AAPL', quantity: 1, price: 100, date: '2024-01-02' });
    const before = await call('portfolio.lots', {});
    const bad = await refusal('portfolio.importCsv', {
      csv: 'Ticker,Qty,Cost,When\nMSFT,3,400,2024-03-01\nAAPL,lots,180,2024-03-02\n',
      columns: { symbol: 'Ticker', quantity: 'Qty', price: 'Cost', date: 'When' },
      account: 'Broker',
    });
    expect(bad.message).toBe('Row 2 (line 3): quantity "lots": must be a number');
    expect(await call('portfolio.lots', {})).toEqual(before);
    const missing = await refusal('portfolio.importCsv', { csv: 'Ticker,Qty\nMSFT,3\n', account: 'Broker' });
    expect(missing.message).toMatch(/^The CSV has no symbol column \(header "Ticker,Qty"\)/);
    const noAccount = await refusal('portfolio.importCsv', {
      csv: 'symbol,quantity,price,date\nMSFT,3,400,2024-03-01\n',
    });
    expect(noAccount.message).toBe('The CSV has no account column: give a default account');
    const zero = await refusal('portfolio.importCsv', {
      csv: 'symbol,quantity,price,date\nMSFT,0,400,2024-03-01\n',
      account: 'B',
    });
    expect(zero.message).toBe('Row 1 (line 2): quantity "0": The quantity cannot be 0');

    const done = await call('portfolio.importCsv', {
      csv: 'Ticker,Qty,Cost,When,Commission\nMSFT,"1,000",400,2024-03-01,5\nSAP.DE,-2,200,2024-03-02,\n',
      columns: { symbol: 'Ticker', quantity: 'Qty', price: 'Cost', date: 'When', fees: 'Commission' },
      account: 'Broker',
    });
    expect(done.imported).toBe(2);
    expect((await call('portfolio.lots', {})).filter((l) => l.account === 'Broker')).toMatchObject([
      { symbol: 'MSFT', quantity: 1_000, price: 400, date: '2024-03-01', fees: 5 },
      { symbol: 'SAP.DE', quantity: -2, price: 200, date: '2024-03-02', fees: 0 },
    ]);
    expect(done.accounts).toEqual(['Broker', 'Main']);
  });

  it('edits and removes lots by id, refusing one that is gone', async () => {
    const { call, refusal } = await open();
    await call('portfolio.addLot', { account: 'Main', symbol: 'AAPL', quantity: 1, price: 100, date: '2024-01-02' });
    const [lot] = await call('portfolio.lots', {});
    const edited = await call('portfolio.editLot', { ...lot!, quantity: 3 });
    expect(edited.positions[0]!.quantity).toBe(3);
    expect((await call('portfolio.removeLot', { id: lot!.id })).positions).toEqual([]);
    expect((await refusal('portfolio.removeLot', { id: lot!.id })).message).toBe(
      `There is no lot ${lot!.id}: it was removed`,
    );
  });

  it('gives market value and P&L per stored day, each day valued as valuePortfolio values it', async () => {
    const { call } = await open(lastNoonUtc());
    await call('portfolio.addLot', { account: 'Main', symbol: 'AAPL', quantity: 10, price: 150, date: '2024-01-02' });
    await call('portfolio.addLot', { account: 'Main', symbol: 'SAP.DE', quantity: 2, price: 190, date: '2024-01-02' });
    const { base, points } = await call('portfolio.history', {});
    expect(base).toBe('USD');
    expect(points).toHaveLength(3);
    const lots = lotsOf(await call('portfolio.lots', {}));
    points.forEach((point, i) => {
      const quotes = new Map(
        ['AAPL', 'SAP.DE'].map((symbol) => {
          const { currency, closes } = PORTFOLIO_MARKET[symbol]!;
          return [symbol, { price: closes[i]!, previousClose: i > 0 ? closes[i - 1]! : null, currency }];
        }),
      );
      const rates = new Map([['EURUSD=X', PORTFOLIO_MARKET['EURUSD=X']!.closes[i]!]]);
      const expected = valuePortfolio(lots, quotes, rates, 'USD', point.day);
      expect(point.marketValue).toBeCloseTo(expected.marketValue, 9);
      expect(point.totalPnl).toBeCloseTo(expected.totalPnl, 9);
      expect(point.dayPnl).toBeCloseTo(expected.dayPnl, 9);
    });
    expect(points[2]!.marketValue).toBeCloseTo(10 * 190 + 2 * 205 * 1.12, 9);
  });

  it('between the New York and Frankfurt midnights, has a day for each date and values a symbol at its last close by then', async () => {
    // 23:30 UTC: New York's day D (18:30 or 19:30), Frankfurt's D+1 (00:30 or 01:30), the FX rate's UTC day D.
    const { call } = await open(lastNoonUtc() - DAY / 2 - DAY / 48);
    await call('portfolio.addLot', { account: 'Main', symbol: 'AAPL', quantity: 10, price: 150, date: '2024-01-02' });
    await call('portfolio.addLot', { account: 'Main', symbol: 'SAP.DE', quantity: 2, price: 190, date: '2024-01-02' });
    const { points } = await call('portfolio.history', {});
    expect(points).toHaveLength(4);
    // D-2 has no SAP.DE close yet (its first day is D-1): that position is unvalued, AAPL is 180.
    expect(points[0]).toMatchObject({ unvalued: 1, marketValue: 10 * 180 });
    expect(points[1]!.marketValue).toBeCloseTo(10 * 185 + 2 * 200 * 1.1, 9);
    expect(points[2]!.marketValue).toBeCloseTo(10 * 190 + 2 * 210 * 1.12, 9);
    // D+1: SAP.DE's own close of that day, AAPL and the rate still at their closes of D.
    expect(points[3]!.marketValue).toBeCloseTo(10 * 190 + 2 * 205 * 1.12, 9);
  });
});
