import type { Candle } from '../../engine/domain/candle.ts';
import type { CompanyProfile } from '../../engine/domain/company.ts';
import { localDayStart } from '../../engine/domain/exchange-day.ts';
import { resolveExchangeTimeZone } from '../../engine/domain/exchange-time-zone.ts';
import type { PortfolioQuote } from '../../engine/domain/portfolio.ts';
import { BackfillCandles } from '../../engine/store/backfill-candles.ts';
import { CompanyRepo } from '../../engine/store/company-repo.ts';
import type { SqliteDatabase } from '../../engine/store/database.ts';
import { minuteCandle } from './minute-candle.ts';

const MINUTE = 60_000;

/** A small market with known prices: day closes oldest first (the last one is today's), and the quote currency. */
export const PORTFOLIO_MARKET: Record<string, { currency: string; closes: number[] }> = {
  AAPL: { currency: 'USD', closes: [180, 185, 190] },
  MSFT: { currency: 'USD', closes: [400, 410, 405] },
  'SAP.DE': { currency: 'EUR', closes: [200, 210, 205] },
  'EURUSD=X': { currency: 'USD', closes: [1.08, 1.1, 1.12] },
};

function profile(symbol: string, currency: string, now: number): CompanyProfile {
  return {
    symbol,
    shortName: symbol,
    longName: symbol,
    sector: null,
    industry: null,
    country: null,
    currency,
    exchange: null,
    marketCap: null,
    trailingPe: null,
    forwardPe: null,
    fiftyTwoWeekHigh: null,
    fiftyTwoWeekLow: null,
    fiftyDayAverage: null,
    shortRatio: null,
    exchangeTimeZone: null,
    updatedAt: now,
    simulated: false,
  };
}

function dayCandle(symbol: string, start: number, close: number, closeTs: number): Candle {
  return {
    symbol,
    interval: '1d',
    start,
    open: close,
    high: close,
    low: close,
    close,
    volume: 1_000,
    turnover: 1_000 * close,
    trades: 0,
    buyVolume: 500,
    sellVolume: 500,
    openTs: start,
    closeTs,
  };
}

/**
 * Stores the market: for each symbol a day candle per close, the last on the day of a one-minute
 * candle a minute ago that closes at the same price (the latest price), and a profile with its
 * currency. Days are cut at midnight in each symbol's zone, as the engine cuts them.
 */
export function seedPortfolioMarket(db: SqliteDatabase, now = Date.now()): void {
  const last = Math.floor(now / MINUTE) * MINUTE - MINUTE;
  const companies = new CompanyRepo(db);
  const candles: Candle[] = [];
  for (const [symbol, { currency, closes }] of Object.entries(PORTFOLIO_MARKET)) {
    companies.upsert(profile(symbol, currency, now));
    const zone = resolveExchangeTimeZone({ symbol });
    let start = localDayStart(last, zone);
    const today = closes.at(-1)!;
    // Its last trade 1 ms into the minute: never past a midnight, so the last price is in today's day candle.
    const minute = minuteCandle(symbol, last, { open: today, high: today, low: today, close: today, volume: 10 });
    candles.push({ ...minute, closeTs: last + 1 });
    for (let i = closes.length - 1; i >= 0; i--) {
      candles.push(dayCandle(symbol, start, closes[i]!, i === closes.length - 1 ? last + 1 : start + 1));
      start = localDayStart(start - 1, zone);
    }
  }
  new BackfillCandles(db).fillMissing(candles);
}

/** The quotes the seeded market gives valuePortfolio: today's close, yesterday's, the currency. */
export function seededQuotes(): Map<string, PortfolioQuote> {
  return new Map(
    Object.entries(PORTFOLIO_MARKET).map(([symbol, { currency, closes }]) => [
      symbol,
      { price: closes.at(-1)!, previousClose: closes.at(-2)!, currency },
    ]),
  );
}
