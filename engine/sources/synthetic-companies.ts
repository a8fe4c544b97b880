import type { CompanyProfile } from '../domain/company.ts';
import { SeededRandom, hashSeed } from './random.ts';
import { simulatedStartPrice } from './simulator.ts';

type SectorIndustry = readonly [sector: string, industry: string];

/** Sectors and industries the simulated market spreads the companies it knows nothing about over. */
const INDUSTRIES: readonly SectorIndustry[] = [
  ['Technology', 'Semiconductors'],
  ['Technology', 'Software—Infrastructure'],
  ['Technology', 'Software—Application'],
  ['Technology', 'Consumer Electronics'],
  ['Technology', 'Information Technology Services'],
  ['Communication Services', 'Internet Content & Information'],
  ['Communication Services', 'Telecom Services'],
  ['Consumer Cyclical', 'Internet Retail'],
  ['Consumer Cyclical', 'Auto Manufacturers'],
  ['Consumer Defensive', 'Beverages—Non-Alcoholic'],
  ['Financial Services', 'Banks—Diversified'],
  ['Financial Services', 'Insurance—Life'],
  ['Healthcare', 'Drug Manufacturers—General'],
  ['Healthcare', 'Medical Devices'],
  ['Energy', 'Oil & Gas Integrated'],
  ['Industrials', 'Aerospace & Defense'],
  ['Industrials', 'Railroads'],
  ['Basic Materials', 'Specialty Chemicals'],
  ['Utilities', 'Utilities—Regulated Electric'],
  ['Real Estate', 'REIT—Industrial'],
];

/**
 * Well-known tickers keep their real line of business, so a simulated AAPL is no drug maker and
 * the analyses group them the way a user expects. Only the sector: every figure stays made up.
 */
const KNOWN: Readonly<Record<string, SectorIndustry>> = {
  AAPL: ['Technology', 'Consumer Electronics'],
  MSFT: ['Technology', 'Software—Infrastructure'],
  NVDA: ['Technology', 'Semiconductors'],
  AMD: ['Technology', 'Semiconductors'],
  INTC: ['Technology', 'Semiconductors'],
  AVGO: ['Technology', 'Semiconductors'],
  QCOM: ['Technology', 'Semiconductors'],
  ORCL: ['Technology', 'Software—Infrastructure'],
  ADBE: ['Technology', 'Software—Application'],
  CRM: ['Technology', 'Software—Application'],
  IBM: ['Technology', 'Information Technology Services'],
  CSCO: ['Technology', 'Communication Equipment'],
  GOOGL: ['Communication Services', 'Internet Content & Information'],
  GOOG: ['Communication Services', 'Internet Content & Information'],
  META: ['Communication Services', 'Internet Content & Information'],
  NFLX: ['Communication Services', 'Entertainment'],
  DIS: ['Communication Services', 'Entertainment'],
  AMZN: ['Consumer Cyclical', 'Internet Retail'],
  TSLA: ['Consumer Cyclical', 'Auto Manufacturers'],
  NKE: ['Consumer Cyclical', 'Footwear & Accessories'],
  MCD: ['Consumer Cyclical', 'Restaurants'],
  WMT: ['Consumer Defensive', 'Discount Stores'],
  KO: ['Consumer Defensive', 'Beverages—Non-Alcoholic'],
  PEP: ['Consumer Defensive', 'Beverages—Non-Alcoholic'],
  PG: ['Consumer Defensive', 'Household & Personal Products'],
  JPM: ['Financial Services', 'Banks—Diversified'],
  BAC: ['Financial Services', 'Banks—Diversified'],
  GS: ['Financial Services', 'Capital Markets'],
  V: ['Financial Services', 'Credit Services'],
  MA: ['Financial Services', 'Credit Services'],
  'BRK-B': ['Financial Services', 'Insurance—Diversified'],
  JNJ: ['Healthcare', 'Drug Manufacturers—General'],
  PFE: ['Healthcare', 'Drug Manufacturers—General'],
  MRK: ['Healthcare', 'Drug Manufacturers—General'],
  UNH: ['Healthcare', 'Healthcare Plans'],
  XOM: ['Energy', 'Oil & Gas Integrated'],
  CVX: ['Energy', 'Oil & Gas Integrated'],
  BA: ['Industrials', 'Aerospace & Defense'],
  CAT: ['Industrials', 'Farm & Heavy Construction Machinery'],
};

type Listing = readonly [country: string, currency: string, exchange: string];

/** Where a ticker trades, read from Yahoo's suffix; one without a suffix is a US listing. */
const LISTINGS: ReadonlyArray<readonly [suffix: string, listing: Listing]> = [
  ['.TO', ['Canada', 'CAD', 'TOR']],
  ['.L', ['United Kingdom', 'GBP', 'LSE']],
  ['.DE', ['Germany', 'EUR', 'GER']],
  ['.PA', ['France', 'EUR', 'PAR']],
  ['.AS', ['Netherlands', 'EUR', 'AMS']],
  ['.SW', ['Switzerland', 'CHF', 'EBS']],
  ['.T', ['Japan', 'JPY', 'JPX']],
  ['.SS', ['China', 'CNY', 'SHH']],
  ['.NS', ['India', 'INR', 'NSI']],
  ['.AX', ['Australia', 'AUD', 'ASX']],
  ['.SA', ['Brazil', 'BRL', 'SAO']],
];
const US_EXCHANGES = ['NMS', 'NYQ'] as const;

/** Futures (=F), currencies (=X), indices (^) and crypto pairs (-USD...) are no companies. */
function isCompanyTicker(symbol: string): boolean {
  return !/=F$|=X$|^\^|-(USD|EUR|GBP|USDT)$/.test(symbol);
}

/**
 * A made-up but stable profile for a simulated symbol (the same seed and symbol always give the same
 * one), marked `simulated`: plausible where the ticker tells something (a known company's sector,
 * the country of its exchange suffix, no sector at all for a future or an index), random otherwise.
 * `price` is where the symbol trades now (its stored price, or the simulator's seed price), so the
 * 52-week range brackets it and the profile and the chart agree.
 */
export function syntheticCompany(
  seed: number,
  symbol: string,
  now = Date.now(),
  price = simulatedStartPrice(seed, symbol),
): CompanyProfile {
  const random = new SeededRandom(hashSeed(seed, `company:${symbol}`));
  const company = isCompanyTicker(symbol);
  const [sector, industry] = KNOWN[symbol] ?? INDUSTRIES[random.int(INDUSTRIES.length)]!;
  const [country, currency, exchange] = listingOf(symbol, random);
  const trailingPe = round(8 + random.next() * 40, 2);
  const high = round(price * (1.05 + random.next() * 0.5), 2);
  const low = round(price * (0.55 + random.next() * 0.4), 2);
  return {
    symbol,
    shortName: `${symbol} (simulated)`,
    longName: `${symbol} (simulated)`,
    sector: company ? sector : null,
    industry: company ? industry : null,
    country: company ? country : null,
    currency,
    exchange,
    marketCap: company ? Math.round(10 ** (9 + random.next() * 3.5)) : null,
    trailingPe: company ? trailingPe : null,
    forwardPe: company ? round(trailingPe * (0.7 + random.next() * 0.4), 2) : null,
    fiftyTwoWeekHigh: high,
    fiftyTwoWeekLow: low,
    fiftyDayAverage: round((high + low) / 2, 2),
    shortRatio: company ? round(0.5 + random.next() * 6, 2) : null,
    exchangeTimeZone: null,
    updatedAt: now,
    simulated: true,
  };
}

function listingOf(symbol: string, random: SeededRandom): Listing {
  const listed = LISTINGS.find(([suffix]) => symbol.endsWith(suffix));
  return listed ? listed[1] : ['United States', 'USD', US_EXCHANGES[random.int(US_EXCHANGES.length)]!];
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
