import { technologyGroup } from '../domain/company.ts';
import { quoteUnit, toMajorUnit } from '../domain/currency.ts';
import { anomalies, maCrossovers } from './indicator-analyses.ts';
import { ticks } from './tick-analyses.ts';
import type { SqliteDatabase } from '../store/database.ts';
import { candleFilter, type Analysis, type AnalysisParams, type Column, type Row } from './analysis.ts';

/** The unit of a row's money columns: prices in the quoted unit (GBp), totals in the major one (GBP). */
const CURRENCY: Column = { key: 'currency', header: 'currency', kind: 'text' };

/** Rows whose `currency` is the company's quote currency as stored: prices keep it, as they are quoted. */
const withQuotedUnit = (rows: Row[]): Row[] =>
  rows.map((row) => ({ ...row, currency: quoteUnit(row.currency as string | null).quoted }));

const candles: Analysis = {
  name: 'candles',
  title: 'OHLCV candles',
  description: 'Open, high, low, close, volume and VWAP per window, in the unit the exchange quotes (GBp: pence).',
  columns: [
    { key: 'symbol', header: 'symbol', kind: 'text' },
    { key: 'interval', header: 'interval', kind: 'text' },
    { key: 'start', header: 'start', kind: 'time' },
    { key: 'open', header: 'open', kind: 'number' },
    { key: 'high', header: 'high', kind: 'number' },
    { key: 'low', header: 'low', kind: 'number' },
    { key: 'close', header: 'close', kind: 'number' },
    { key: 'volume', header: 'volume', kind: 'number' },
    { key: 'vwap', header: 'vwap', kind: 'number' },
    CURRENCY,
    { key: 'trades', header: 'trades', kind: 'integer' },
  ],
  run(db, params) {
    const f = candleFilter(params);
    const rows = db
      .prepare(
        `SELECT c.symbol, c.interval, c.start, c.open, c.high, c.low, c.close, c.volume,
                CASE WHEN c.volume > 0 THEN c.turnover / c.volume ELSE c.close END AS vwap, co.currency, c.trades
         FROM candles c LEFT JOIN companies co ON co.symbol = c.symbol
         WHERE ${f.where} ORDER BY c.symbol, c.start LIMIT @limit`,
      )
      .all(f.values) as Row[];
    return withQuotedUnit(rows);
  },
};

const dailyVolume: Analysis = {
  name: 'daily-volume',
  title: 'Daily traded volume per stock',
  description:
    'Shares and value traded per stock and exchange day; the value in the major unit of its currency (GBP, not pence).',
  columns: [
    { key: 'day', header: 'day', kind: 'day' },
    { key: 'symbol', header: 'symbol', kind: 'text' },
    { key: 'volume', header: 'volume', kind: 'number' },
    { key: 'turnover', header: 'traded_value', kind: 'number' },
    CURRENCY,
    { key: 'trades', header: 'trades', kind: 'integer' },
  ],
  run(db, params) {
    const f = candleFilter(params, '1d');
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
  },
};

const buySell: Analysis = {
  name: 'buy-sell',
  title: 'Buy vs sell distribution',
  description: 'Volume bought and sold per stock and window, and the buyers\u2019 share of it.',
  columns: [
    { key: 'symbol', header: 'symbol', kind: 'text' },
    { key: 'start', header: 'start', kind: 'time' },
    { key: 'buyVolume', header: 'buy_volume', kind: 'number' },
    { key: 'sellVolume', header: 'sell_volume', kind: 'number' },
    { key: 'unsidedVolume', header: 'unsided_volume', kind: 'number' },
    { key: 'buyShare', header: 'buy_share', kind: 'percent' },
  ],
  run(db, params) {
    const f = candleFilter(params);
    return db
      .prepare(
        `SELECT symbol, start, buy_volume AS buyVolume, sell_volume AS sellVolume,
                volume - buy_volume - sell_volume AS unsidedVolume,
                CASE WHEN buy_volume + sell_volume > 0 THEN buy_volume / (buy_volume + sell_volume) END AS buyShare
         FROM candles c WHERE ${f.where} ORDER BY symbol, start LIMIT @limit`,
      )
      .all(f.values) as Row[];
  },
};

const highestAverageVolume: Analysis = {
  name: 'highest-average-volume',
  title: 'Highest average traded volume',
  description: 'Stocks ranked by their average daily volume over the period.',
  columns: [
    { key: 'rank', header: 'rank', kind: 'integer' },
    { key: 'symbol', header: 'symbol', kind: 'text' },
    { key: 'averageVolume', header: 'average_daily_volume', kind: 'number' },
    { key: 'days', header: 'days', kind: 'integer' },
    { key: 'totalVolume', header: 'total_volume', kind: 'number' },
  ],
  run(db, params) {
    const f = candleFilter(params, '1d');
    return db
      .prepare(
        `SELECT ROW_NUMBER() OVER (ORDER BY avg(volume) DESC, symbol) AS rank, symbol,
                avg(volume) AS averageVolume, count(*) AS days, sum(volume) AS totalVolume
         FROM candles c WHERE ${f.where} GROUP BY symbol ORDER BY rank LIMIT @limit`,
      )
      .all(f.values) as Row[];
  },
};

const topMovers: Analysis = {
  name: 'top-movers',
  title: 'Top gainers and losers',
  description: 'Change from the first open to the last close of the period, best first.',
  columns: [
    { key: 'rank', header: 'rank', kind: 'integer' },
    { key: 'symbol', header: 'symbol', kind: 'text' },
    { key: 'firstStart', header: 'from', kind: 'time' },
    { key: 'firstOpen', header: 'open', kind: 'number' },
    { key: 'lastStart', header: 'to', kind: 'time' },
    { key: 'lastClose', header: 'close', kind: 'number' },
    CURRENCY,
    { key: 'change', header: 'change', kind: 'percent' },
  ],
  run(db, params) {
    const f = candleFilter(params);
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
  },
};

type GroupBy = 'industry' | 'country' | 'technology';

/** Average daily growth (close over open of each exchange day) of the stocks in each group. */
function growthBy(groupBy: GroupBy, title: string): Analysis {
  return {
    name: `growth-by-${groupBy}`,
    title,
    description: `Average daily growth (close vs open) of the stocks of each ${groupBy}, per exchange day.`,
    columns: [
      { key: 'day', header: 'day', kind: 'day' },
      { key: 'group', header: groupBy, kind: 'text' },
      { key: 'averageGrowth', header: 'average_growth', kind: 'percent' },
      { key: 'stocks', header: 'stocks', kind: 'integer' },
      { key: 'volume', header: 'volume', kind: 'number' },
    ],
    run(db: SqliteDatabase, params: AnalysisParams) {
      const f = candleFilter(params, '1d');
      const days = db
        .prepare(
          `SELECT c.start AS day, c.symbol, c.open, c.close, c.volume, co.industry, co.country
           FROM candles c LEFT JOIN companies co ON co.symbol = c.symbol WHERE ${f.where} ORDER BY c.start, c.symbol`,
        )
        .all(f.values) as Array<{
        day: number;
        open: number;
        close: number;
        volume: number;
        industry: string | null;
        country: string | null;
      }>;
      const groups = new Map<string, { day: number; group: string; sum: number; stocks: number; volume: number }>();
      for (const d of days) {
        const group = groupBy === 'technology' ? technologyGroup(d.industry) : (d[groupBy] ?? 'Unknown');
        const key = `${d.day}|${group}`;
        const g = groups.get(key) ?? { day: d.day, group, sum: 0, stocks: 0, volume: 0 };
        g.sum += (d.close - d.open) / d.open;
        g.stocks += 1;
        g.volume += d.volume;
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
        }));
    },
  };
}

export const ANALYSES: readonly Analysis[] = [
  candles,
  growthBy('industry', 'Daily growth by industry'),
  growthBy('country', 'Daily growth by country'),
  growthBy('technology', 'Daily growth by technology'),
  buySell,
  dailyVolume,
  highestAverageVolume,
  topMovers,
  maCrossovers,
  anomalies,
  ticks,
];

export const ANALYSIS_NAMES = ANALYSES.map((a) => a.name) as [string, ...string[]];

export function findAnalysis(name: string): Analysis {
  const analysis = ANALYSES.find((a) => a.name === name);
  if (!analysis) throw new Error(`Unknown analysis "${name}". Known: ${ANALYSIS_NAMES.join(', ')}`);
  return analysis;
}
