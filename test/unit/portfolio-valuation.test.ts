import { describe, it, expect } from 'vitest';
import {
  LotSchema,
  fxRate,
  fxSymbolsNeeded,
  valuePortfolio,
  type Lot,
  type PortfolioQuote,
  type PortfolioSummary,
  type Position,
} from '../../engine/domain/portfolio.ts';

const TODAY = '2026-12-02';
const lot = (over: Partial<Lot>): Lot => ({
  account: 'Main',
  symbol: 'AAPL',
  quantity: 10,
  price: 100,
  date: '2026-01-05',
  fees: 0,
  ...over,
});
const quotes = (entries: Record<string, PortfolioQuote>) => new Map(Object.entries(entries));
function first(s: PortfolioSummary): Position {
  const [p] = s.positions;
  if (!p) throw new Error('no position');
  return p;
}
const usd = (price: number, previousClose: number | null = null): PortfolioQuote => ({
  price,
  previousClose,
  currency: 'USD',
});

describe('portfolio valuation', () => {
  it('values a long lot: market value, total P&L less fees, day P&L from the previous close', () => {
    const s = valuePortfolio([lot({ fees: 5 })], quotes({ AAPL: usd(120, 115) }), new Map(), 'USD', TODAY);
    const p = first(s);
    expect(p.marketValue).toBe(1200);
    expect(p.cost).toBe(1005);
    expect(p.totalPnl).toBe(195);
    expect(p.dayPnl).toBe(50);
    expect(p.totalPnlPercent).toBeCloseTo(19.5, 10);
    expect(p.weight).toBe(1);
    expect(s.totalPnl).toBe(195);
  });

  it('a short gains when the price falls, and pays its fees', () => {
    const s = valuePortfolio([lot({ quantity: -10, fees: 2 })], quotes({ AAPL: usd(90, 95) }), new Map(), 'USD', TODAY);
    const p = first(s);
    expect(p.marketValue).toBe(-900);
    expect(p.totalPnl).toBe(100 - 2);
    expect(p.dayPnl).toBe(50);
    expect(p.weight).toBe(-1);
  });

  it("a lot bought today runs its day P&L from its own price, not yesterday's close", () => {
    const lots = [lot({ quantity: 10, price: 100 }), lot({ quantity: 5, price: 118, date: TODAY, fees: 1 })];
    const p = first(valuePortfolio(lots, quotes({ AAPL: usd(120, 110) }), new Map(), 'USD', TODAY));
    expect(p.quantity).toBe(15);
    expect(p.averagePrice).toBeCloseTo((1000 + 590) / 15, 10);
    expect(p.dayPnl).toBe(10 * 10 + 5 * 2 - 1);
  });

  it('converts into the base currency with the direct or the inverse FX pair', () => {
    const lots = [lot({ symbol: 'SAP.DE', quantity: 2, price: 200 })];
    const q = quotes({ 'SAP.DE': { price: 210, previousClose: 205, currency: 'EUR' } });
    const direct = first(valuePortfolio(lots, q, new Map([['EURUSD=X', 1.1]]), 'USD', TODAY));
    expect(direct.marketValue).toBeCloseTo(420 * 1.1, 10);
    expect(direct.totalPnl).toBeCloseTo(20 * 1.1, 10);
    const inverse = first(valuePortfolio(lots, q, new Map([['USDEUR=X', 0.8]]), 'USD', TODAY));
    expect(inverse.marketValue).toBeCloseTo(420 / 0.8, 10);
    expect(fxRate('USD', 'JPY', new Map([['JPY=X', 150]]))).toBe(150);
    expect(fxRate('JPY', 'USD', new Map([['JPY=X', 150]]))).toBeCloseTo(1 / 150, 12);
    expect(fxSymbolsNeeded(['EUR', 'USD', 'GBP', 'EUR'], 'USD')).toEqual(['EURUSD=X', 'GBPUSD=X']);
  });

  it('reads GBp prices as pence: values in pounds, fees in pounds, then FX', () => {
    const lots = [lot({ symbol: 'VOD.L', quantity: 1000, price: 70, fees: 10 })];
    const q = quotes({ 'VOD.L': { price: 75, previousClose: 74, currency: 'GBp' } });
    const p = first(valuePortfolio(lots, q, new Map([['GBPUSD=X', 1.25]]), 'USD', TODAY));
    expect(p.currency).toBe('GBP');
    expect(p.marketValue).toBeCloseTo(750 * 1.25, 10);
    expect(p.cost).toBeCloseTo((700 + 10) * 1.25, 10);
    expect(p.totalPnl).toBeCloseTo(40 * 1.25, 10);
    expect(p.dayPnl).toBeCloseTo(10 * 1.25, 10);
    const inPounds = first(valuePortfolio(lots, q, new Map(), 'GBP', TODAY));
    expect(inPounds.marketValue).toBeCloseTo(750, 10);
  });

  it('keeps accounts apart, weighs by gross exposure and leaves unvalued positions out of the totals', () => {
    const lots = [lot({ account: 'ISA' }), lot({ account: 'Main', quantity: -5 }), lot({ symbol: 'SAP.DE' })];
    const q = quotes({ AAPL: usd(100, 100), 'SAP.DE': { price: 1, previousClose: 1, currency: 'EUR' } });
    const s = valuePortfolio(lots, q, new Map(), 'USD', TODAY);
    expect(s.positions.map((p) => [p.account, p.symbol, p.weight])).toEqual([
      ['ISA', 'AAPL', 1000 / 1500],
      ['Main', 'AAPL', -500 / 1500],
      ['Main', 'SAP.DE', null],
    ]);
    expect(s.positions[2]?.problem).toBe('No EURUSD=X rate to convert EUR into USD');
    expect(s.unvalued).toBe(1);
    expect(s.marketValue).toBe(500);
    const missing = valuePortfolio([lot({ symbol: 'NOPE' })], new Map(), new Map(), 'USD', TODAY);
    expect(first(missing).problem).toBe('No price for NOPE yet');
    expect(first(missing).totalPnl).toBeNull();
  });

  it('refuses a lot with a zero quantity, a bad date or negative fees, in plain words', () => {
    const r = LotSchema.safeParse({
      account: 'Main',
      symbol: 'AAPL',
      quantity: 0,
      price: 1,
      date: '2/12/2026',
      fees: -1,
    });
    expect(r.success).toBe(false);
    expect((r.error?.issues ?? []).map((i) => i.message).sort()).toEqual([
      'Fees cannot be negative',
      'The date must be YYYY-MM-DD',
      'The quantity cannot be 0',
    ]);
  });
});
