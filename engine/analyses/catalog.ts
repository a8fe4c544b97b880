import type { AnalysisDefinition, Column } from './analysis.ts';

// Every analysis's name, title and columns, in the order the UI lists them. Pure data, so the
// contract can name the analyses without carrying their SQL (market-analyses.ts has that).

export const CROSSOVER_FAST = 20;
export const CROSSOVER_SLOW = 50;

/** The unit of a row's money columns: prices in the quoted unit (GBp), totals in the major one (GBP). */
const CURRENCY: Column = { key: 'currency', header: 'currency', kind: 'text' };

export type GroupBy = 'industry' | 'country' | 'technology';

function growthBy(groupBy: GroupBy, title: string): AnalysisDefinition {
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
      // The group is only as real as its profiles: how many of its stocks the simulator made up.
      { key: 'simulatedProfiles', header: 'simulated_profiles', kind: 'integer' },
    ],
  };
}

export const ANALYSIS_DEFINITIONS: readonly AnalysisDefinition[] = [
  {
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
  },
  growthBy('industry', 'Daily growth by industry'),
  growthBy('country', 'Daily growth by country'),
  growthBy('technology', 'Daily growth by technology'),
  {
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
  },
  {
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
  },
  {
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
  },
  {
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
  },
  {
    name: 'ma-crossovers',
    title: 'Moving-average crossovers',
    description: `Candles where the ${CROSSOVER_FAST}-bar SMA of closes crosses the ${CROSSOVER_SLOW}-bar SMA.`,
    columns: [
      { key: 'symbol', header: 'symbol', kind: 'text' },
      { key: 'start', header: 'start', kind: 'time' },
      { key: 'direction', header: 'direction', kind: 'text' },
      { key: 'close', header: 'close', kind: 'number' },
      { key: 'fast', header: `sma${CROSSOVER_FAST}`, kind: 'number' },
      { key: 'slow', header: `sma${CROSSOVER_SLOW}`, kind: 'number' },
    ],
  },
  {
    name: 'anomalies',
    title: 'Anomalies',
    description: 'Return z-scores, volume spikes and session gaps found in closed candles, with their evidence.',
    columns: [
      { key: 'symbol', header: 'symbol', kind: 'text' },
      { key: 'interval', header: 'interval', kind: 'text' },
      { key: 'start', header: 'start', kind: 'time' },
      { key: 'kind', header: 'kind', kind: 'text' },
      { key: 'value', header: 'value', kind: 'number' },
      { key: 'threshold', header: 'threshold', kind: 'number' },
      { key: 'baseline', header: 'baseline', kind: 'number' },
      { key: 'window', header: 'window_bars', kind: 'integer' },
      { key: 'message', header: 'message', kind: 'text' },
    ],
  },
  {
    name: 'ticks',
    title: 'Raw ticks',
    description:
      'Every stored trade of the range: time, price, volume and side (ticks past the retention period are gone).',
    columns: [
      { key: 'symbol', header: 'symbol', kind: 'text' },
      { key: 'ts', header: 'time', kind: 'time' },
      { key: 'price', header: 'price', kind: 'number' },
      { key: 'volume', header: 'volume', kind: 'number' },
      { key: 'side', header: 'side', kind: 'text' },
      { key: 'source', header: 'source', kind: 'text' },
    ],
  },
  {
    name: 'positions',
    title: 'Portfolio positions',
    description:
      'Each account\u2019s holding of each symbol from the Portfolio\u2019s lots: quantity, average and last price (quoted unit), and cost, market value and P&L in the base currency at the latest stored prices and FX rates.',
    columns: [
      { key: 'account', header: 'account', kind: 'text' },
      { key: 'symbol', header: 'symbol', kind: 'text' },
      { key: 'quantity', header: 'quantity', kind: 'number' },
      { key: 'averagePrice', header: 'average_price', kind: 'number' },
      { key: 'lastPrice', header: 'last_price', kind: 'number' },
      { key: 'currency', header: 'currency', kind: 'text' },
      { key: 'base', header: 'base_currency', kind: 'text' },
      { key: 'cost', header: 'cost', kind: 'number' },
      { key: 'marketValue', header: 'market_value', kind: 'number' },
      { key: 'dayPnl', header: 'day_pnl', kind: 'number' },
      { key: 'totalPnl', header: 'total_pnl', kind: 'number' },
      { key: 'totalReturn', header: 'total_return', kind: 'percent' },
      { key: 'weight', header: 'weight', kind: 'percent' },
      { key: 'problem', header: 'problem', kind: 'text' },
    ],
  },
];

export const ANALYSIS_NAMES = ANALYSIS_DEFINITIONS.map((a) => a.name) as [string, ...string[]];
