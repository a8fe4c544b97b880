import type { CompanyProfile } from '../domain/company.ts';
import { SeededRandom, hashSeed } from './random.ts';
import { simulatedStartPrice } from './simulator.ts';

/** Sectors and industries the simulated market spreads its companies over. */
const INDUSTRIES: ReadonlyArray<readonly [sector: string, industry: string]> = [
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

const COUNTRIES: ReadonlyArray<readonly [country: string, currency: string, exchange: string]> = [
  ['United States', 'USD', 'NMS'],
  ['United States', 'USD', 'NYQ'],
  ['Canada', 'CAD', 'TOR'],
  ['United Kingdom', 'GBP', 'LSE'],
  ['Germany', 'EUR', 'GER'],
  ['France', 'EUR', 'PAR'],
  ['Netherlands', 'EUR', 'AMS'],
  ['Switzerland', 'CHF', 'EBS'],
  ['Japan', 'JPY', 'JPX'],
  ['China', 'CNY', 'SHH'],
  ['India', 'INR', 'NSI'],
  ['Australia', 'AUD', 'ASX'],
  ['Brazil', 'BRL', 'SAO'],
];

/** A made-up but stable profile for a simulated symbol: the same seed and symbol always give the same company. */
export function syntheticCompany(seed: number, symbol: string, now = Date.now()): CompanyProfile {
  const random = new SeededRandom(hashSeed(seed, `company:${symbol}`));
  const [sector, industry] = INDUSTRIES[random.int(INDUSTRIES.length)]!;
  const [country, currency, exchange] = COUNTRIES[random.int(COUNTRIES.length)]!;
  const trailingPe = round(8 + random.next() * 40, 2);
  // The 52-week range brackets the simulator's starting price, so the profile and the chart agree.
  const start = simulatedStartPrice(seed, symbol);
  const high = round(start * (1.05 + random.next() * 0.5), 2);
  const low = round(start * (0.55 + random.next() * 0.4), 2);
  return {
    symbol,
    shortName: `${symbol} Corp.`,
    longName: `${symbol} Corporation (simulated)`,
    sector,
    industry,
    country,
    currency,
    exchange,
    marketCap: Math.round(10 ** (9 + random.next() * 3.5)),
    trailingPe,
    forwardPe: round(trailingPe * (0.7 + random.next() * 0.4), 2),
    fiftyTwoWeekHigh: high,
    fiftyTwoWeekLow: low,
    fiftyDayAverage: round((high + low) / 2, 2),
    shortRatio: round(0.5 + random.next() * 6, 2),
    exchangeTimeZone: null,
    updatedAt: now,
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
