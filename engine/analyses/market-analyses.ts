import { technologyGroup } from '../domain/company.ts';
import { quoteUnit, toMajorUnit } from '../domain/currency.ts';
import { anomalies, maCrossovers } from './indicator-analyses.ts';
import type { AnalysisParams, Row } from './analysis.ts';
import { ANALYSIS_DEFINITIONS, ANALYSIS_NAMES, type GroupBy } from './catalog.ts';
import { candleFilter, type Analysis, type AnalysisQuery } from './query.ts';
import { exchangeDates } from './exchange-dates.ts';
import { ticks } from './tick-analyses.ts';
import { positions } from './portfolio-positions.ts';
import type { SqliteDatabase } from '../store/database.ts';

// The CLI names the analyses from here, beside the queries it runs.
export { ANALYSIS_NAMES };

/** Rows whose `currency` is the company's quote currency as stored: prices keep it, as they are quoted. */
const withQuotedUnit = (rows: Row[]): Row[] =>
  rows.map((row) => ({ ...row, currency: quoteUnit(row.currency as string | null).quoted }));

const candles: AnalysisQuery = (db, params) => {
  const f = candleFilter(db, params);
  const rows = db
    .prepare(
      `SELECT c.symbol, c.interval, c.start, c.open, c.high, c.low, c.close, c.volume,
              CASE WHEN c.volume > 0 THEN c.turnover / c.volume ELSE c.close END AS vwap, co.currency, c.trades
       FROM candles c LEFT JOIN companies co ON co.symbol = c.symbol
       WHERE ${f.where} ORDER BY c.symbol, c.start LIMIT @limit`,
    )
    .all(f.values) as Row[];
  return withQuotedUnit(rows);
};

/** Traded value in the major unit of its currency (GBP, not pence), with that unit. */
const dailyVolume: AnalysisQuery = (db, params) => {
  const f = candleFilter(db, params, '1d');
  const rows = db
    .prepare(
      `SELECT c.start AS day, c.symbol, c.volume, c.turnover, co.currency, c.trades
       FROM candles c LEFT JOIN companies co ON co.symbol = c.symbol WHERE ${f.where}
       ORDER BY c.start, c.symbol LIMIT @limit`,
    )
    .all(f.values) as Array<Row & { turnover: number; currency: string | null }>;
  return rows.map((row) => ({
    ...row,
    turnover: toMajorUnit(row.turnover, row.currency),
    currency: quoteUnit(row.currency).major,
  }));
};

const buySell: AnalysisQuery = (db, params) => {
  const f = candleFilter(db, params);
  return db
    .prepare(
      `SELECT symbol, start, buy_volume AS buyVolume, sell_volume AS sellVolume,
              volume - buy_volume - sell_volume AS unsidedVolume,
              CASE WHEN buy_volume + sell_volume > 0 THEN buy_volume / (buy_volume + sell_volume) END AS buyShare
       FROM candles c WHERE ${f.where} ORDER BY symbol, start LIMIT @limit`,
    )
    .all(f.values) as Row[];
};

const highestAverageVolume: AnalysisQuery = (db, params) => {
  const f = candleFilter(db, params, '1d');
  return db
    .prepare(
      `SELECT ROW_NUMBER() OVER (ORDER BY avg(volume) DESC, symbol) AS rank, symbol,
              avg(volume) AS averageVolume, count(*) AS days, sum(volume) AS totalVolume
       FROM candles c WHERE ${f.where} GROUP BY symbol ORDER BY rank LIMIT @limit`,
    )
    .all(f.values) as Row[];
};

const topMovers: AnalysisQuery = (db, params) => {
  const f = candleFilter(db, params);
  const rows = db
    .prepare(
      `WITH ranked AS (
         SELECT symbol, start, open, close,
                ROW_NUMBER() OVER (PARTITION BY symbol ORDER BY start) AS fromFirst,
                ROW_NUMBER() OVER (PARTITION BY symbol ORDER BY start DESC) AS fromLast
         FROM candles c WHERE ${f.where})
       SELECT ROW_NUMBER() OVER (ORDER BY (l.close - o.open) / o.open DESC, o.symbol) AS rank, o.symbol,
              o.start AS firstStart, o.open AS firstOpen, l.start AS lastStart, l.close AS lastClose,
              co.currency, (l.close - o.open) / o.open AS change
       FROM ranked o JOIN ranked l ON l.symbol = o.symbol AND o.fromFirst = 1 AND l.fromLast = 1
       LEFT JOIN companies co ON co.symbol = o.symbol
       ORDER BY rank LIMIT @limit`,
    )
    .all(f.values) as Row[];
  return withQuotedUnit(rows);
};

/**
 * Average daily growth (close over open of each exchange day) of the stocks in each group. Stocks
 * of one date share a row whatever their zones; its `day` is that date's UTC midnight.
 */
function growthBy(groupBy: GroupBy): AnalysisQuery {
  return (db: SqliteDatabase, params: AnalysisParams) => {
    const f = candleFilter(db, params, '1d');
    const days = db
      .prepare(
        `SELECT c.start AS day, c.symbol, c.open, c.close, c.volume, co.industry, co.country,
                coalesce(co.simulated, 0) AS simulated
         FROM candles c LEFT JOIN companies co ON co.symbol = c.symbol WHERE ${f.where} ORDER BY c.start, c.symbol`,
      )
      .all(f.values) as Array<{
      day: number;
      symbol: string;
      open: number;
      close: number;
      volume: number;
      industry: string | null;
      country: string | null;
      simulated: number;
    }>;
    const groups = new Map<
      string,
      { day: number; group: string; sum: number; stocks: number; volume: number; simulated: number }
    >();
    const dateOf = exchangeDates(db);
    for (const d of days) {
      const group = groupBy === 'technology' ? technologyGroup(d.industry) : (d[groupBy] ?? 'Unknown');
      const date = dateOf(d.symbol, d.day);
      const key = `${date}|${group}`;
      const g = groups.get(key) ?? { day: Date.parse(date), group, sum: 0, stocks: 0, volume: 0, simulated: 0 };
      g.sum += (d.close - d.open) / d.open;
      g.stocks += 1;
      g.volume += d.volume;
      g.simulated += d.simulated;
      groups.set(key, g);
    }
    return [...groups.values()]
      .sort((a, b) => a.day - b.day || a.group.localeCompare(b.group))
      .slice(0, params.limit)
      .map((g) => ({
        day: g.day,
        group: g.group,
        averageGrowth: g.sum / g.stocks,
        stocks: g.stocks,
        volume: g.volume,
        simulatedProfiles: g.simulated,
      }));
  };
}

/** Each analysis of the catalog, by name, with the query that computes it. */
const QUERIES: Readonly<Record<string, AnalysisQuery>> = {
  candles,
  'growth-by-industry': growthBy('industry'),
  'growth-by-country': growthBy('country'),
  'growth-by-technology': growthBy('technology'),
  'buy-sell': buySell,
  'daily-volume': dailyVolume,
  'highest-average-volume': highestAverageVolume,
  'top-movers': topMovers,
  'ma-crossovers': maCrossovers,
  anomalies,
  ticks,
  positions,
};

export const ANALYSES: readonly Analysis[] = ANALYSIS_DEFINITIONS.map((definition) => {
  const run = QUERIES[definition.name];
  // Fails at start-up, in every test that loads the analyses, not when someone picks the analysis.
  if (!run) throw new Error(`The analysis "${definition.name}" has no query`);
  return { ...definition, run };
});

export function findAnalysis(name: string): Analysis {
  const analysis = ANALYSES.find((a) => a.name === name);
  if (!analysis) throw new Error(`Unknown analysis "${name}". Known: ${ANALYSIS_NAMES.join(', ')}`);
  return analysis;
}
