import type { Candle } from '../domain/candle.ts';
import { quoteUnit } from '../domain/currency.ts';
import { localDayStart } from '../domain/exchange-day.ts';
import { resolveExchangeTimeZone } from '../domain/exchange-time-zone.ts';
import {
  fxSymbol,
  localDate,
  valuePortfolio,
  type Lot,
  type PortfolioQuote,
  type PortfolioSummary,
} from '../domain/portfolio.ts';
import { CompanyRepo } from '../store/company-repo.ts';
import type { SqliteDatabase } from '../store/database.ts';
import { DayCandleZones } from '../store/day-candle-zones.ts';
import { MarketStore } from '../store/market-store.ts';
import { PortfolioRepo } from '../store/portfolio-repo.ts';
import type { Row } from './analysis.ts';
import type { AnalysisQuery } from './query.ts';

/** A symbol's newest price and its event time. */
export interface LatestPrice {
  price: number;
  ts: number;
}
/** The running app's latest prices (its quote board); by default the newest stored tick or candle. */
export type LatestPriceOf = (symbol: string) => LatestPrice | undefined;

/** What valuePortfolio takes, read from one database. */
export interface PortfolioInputs {
  lots: Lot[];
  quotes: Map<string, PortfolioQuote>;
  /** The stored rates of the FX symbols that could convert the positions' currencies into `base`. */
  rates: Map<string, number>;
  base: string;
}

/** The zone a symbol's day candles are cut in (as the engine claimed it), else the rule's. */
function zoneOf(db: SqliteDatabase, symbol: string): string {
  return new DayCandleZones(db).get(symbol) ?? resolveExchangeTimeZone({ symbol });
}

/**
 * The close of the session before the one the price at `ts` belongs to: the day candle before the
 * day that holds `ts` (or the newest day candle, when none holds it yet). Null without day candles.
 */
export function previousClose(db: SqliteDatabase, symbol: string, ts: number): number | null {
  const days = new MarketStore(db).candles({ symbol, interval: '1d', to: ts, limit: 2 });
  const newest = days.at(-1);
  if (!newest) return null;
  if (newest.start !== localDayStart(ts, zoneOf(db, symbol))) return newest.close;
  return days.length > 1 ? days[0]!.close : null;
}

/** Every FX symbol fxRate may read to turn `from` into `to`: direct, inverse, Yahoo's dollar short forms. */
function fxCandidates(from: string, to: string): string[] {
  const out = [fxSymbol(from, to), fxSymbol(to, from)];
  if (from === 'USD') out.push(`${to}=X`);
  if (to === 'USD') out.push(`${from}=X`);
  return out;
}

/** The lots, quotes and FX rates of the database, to value in `base` (the stored base by default). */
export function portfolioInputs(db: SqliteDatabase, options: { base?: string; latest?: LatestPriceOf } = {}) {
  const repo = new PortfolioRepo(db);
  const store = new MarketStore(db);
  const companies = new CompanyRepo(db);
  const base = options.base ?? repo.baseCurrency();
  const latest = (symbol: string) => options.latest?.(symbol) ?? store.lastPrice(symbol);
  const lots: Lot[] = repo.lots().map(({ id: _id, ...lot }) => lot);
  const quotes = new Map<string, PortfolioQuote>();
  for (const symbol of new Set(lots.map((l) => l.symbol))) {
    const last = latest(symbol);
    if (!last) continue;
    quotes.set(symbol, {
      price: last.price,
      previousClose: previousClose(db, symbol, last.ts),
      currency: companies.get(symbol)?.currency ?? null,
    });
  }
  const rates = new Map<string, number>();
  for (const major of currenciesOf(quotes))
    for (const symbol of fxCandidates(major, base)) {
      const last = latest(symbol);
      if (last) rates.set(symbol, last.price);
    }
  return { lots, quotes, rates, base } satisfies PortfolioInputs;
}

/** The major currencies the quotes are in (GBP for a GBp quote). */
export function currenciesOf(quotes: ReadonlyMap<string, PortfolioQuote>): string[] {
  const out = new Set<string>();
  for (const q of quotes.values()) {
    const major = quoteUnit(q.currency).major;
    if (major) out.add(major);
  }
  return [...out].sort();
}

/** The database's positions valued in its base currency, `today` on this computer's clock by default. */
export function valueStoredPortfolio(
  db: SqliteDatabase,
  options: { base?: string; latest?: LatestPriceOf; today?: string } = {},
): PortfolioSummary & { rates: Map<string, number> } {
  const { lots, quotes, rates, base } = portfolioInputs(db, options);
  return { ...valuePortfolio(lots, quotes, rates, base, options.today ?? localDate(Date.now())), rates };
}

/** The `positions` analysis: one row per account and symbol, money in the base currency. */
export const positions: AnalysisQuery = (db, params) => {
  const summary = valueStoredPortfolio(db);
  return summary.positions
    .filter((p) => params.symbol === undefined || p.symbol === params.symbol)
    .slice(0, params.limit)
    .map((p): Row => ({
      account: p.account,
      symbol: p.symbol,
      quantity: p.quantity,
      averagePrice: p.averagePrice,
      lastPrice: p.lastPrice,
      currency: p.currency,
      base: summary.base,
      cost: p.cost,
      marketValue: p.marketValue,
      dayPnl: p.dayPnl,
      totalPnl: p.totalPnl,
      totalReturn: p.totalPnlPercent === null ? null : p.totalPnlPercent / 100,
      weight: p.weight,
      problem: p.problem,
    }));
};

export interface HistoryPoint {
  day: string;
  marketValue: number;
  cost: number;
  dayPnl: number;
  totalPnl: number;
  /** Positions that day without a close (or rate) yet, left out of its figures. */
  unvalued: number;
}

/** A symbol's day closes by the date each day candle is of, in its exchange zone. */
function dayCloses(db: SqliteDatabase, symbol: string, from: number): Map<string, number> {
  const zone = zoneOf(db, symbol);
  const format = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  const candles: Candle[] = new MarketStore(db).candles({ symbol, interval: '1d', from, limit: 100_000 });
  return new Map(candles.map((c) => [format.format(c.start), c.close]));
}

/** The value on or before `day` in closes by date (a day without trading keeps the last close). */
function onOrBefore(closes: ReadonlyMap<string, number>, sortedDays: readonly string[], day: string): number | null {
  let found: number | null = null;
  for (const d of sortedDays) {
    if (d > day) break;
    found = closes.get(d)!;
  }
  return found;
}

/**
 * Market value and P&L per day from the stored day candles: each day the lots bought by then are
 * valued by valuePortfolio at that day's closes (a day's P&L against the close before), FX at that
 * day's close of the rate, or today's rate where the rate has no history. The newest `days` days
 * with a close of some position, from the first lot's date.
 */
export function portfolioHistory(
  db: SqliteDatabase,
  options: { base?: string; days: number; latest?: LatestPriceOf },
): { base: string; points: HistoryPoint[] } {
  const { lots, quotes, rates, base } = portfolioInputs(db, options);
  if (lots.length === 0) return { base, points: [] };
  const first = lots.reduce((min, l) => (l.date < min ? l.date : min), lots[0]!.date);
  // A day early: a zone east of UTC starts its first day before the UTC midnight.
  const from = Date.parse(first) - 2 * 86_400_000;
  const series = new Map<string, { closes: Map<string, number>; days: string[] }>();
  const seriesOf = (symbol: string) => {
    let s = series.get(symbol);
    if (!s) {
      const closes = dayCloses(db, symbol, from);
      s = { closes, days: [...closes.keys()].sort() };
      series.set(symbol, s);
    }
    return s;
  };
  const symbols = [...new Set(lots.map((l) => l.symbol))];
  const allDays = new Set<string>();
  for (const symbol of symbols) for (const d of seriesOf(symbol).days) if (d >= first) allDays.add(d);
  const days = [...allDays].sort().slice(-options.days);
  const points = days.map((day) => {
    const dayQuotes = new Map<string, PortfolioQuote>();
    for (const symbol of symbols) {
      const s = seriesOf(symbol);
      const price = onOrBefore(s.closes, s.days, day);
      if (price === null) continue;
      const before = s.days.filter((d) => d < day);
      const prev = before.length > 0 ? s.closes.get(before.at(-1)!)! : null;
      dayQuotes.set(symbol, { price, previousClose: prev, currency: quotes.get(symbol)?.currency ?? null });
    }
    const dayRates = new Map(rates);
    for (const symbol of rates.keys()) {
      const s = seriesOf(symbol);
      const rate = onOrBefore(s.closes, s.days, day);
      if (rate !== null) dayRates.set(symbol, rate);
    }
    const held = lots.filter((l) => l.date <= day);
    const v = valuePortfolio(held, dayQuotes, dayRates, base, day);
    return {
      day,
      marketValue: v.marketValue,
      cost: v.cost,
      dayPnl: v.dayPnl,
      totalPnl: v.totalPnl,
      unvalued: v.unvalued,
    };
  });
  return { base, points };
}
