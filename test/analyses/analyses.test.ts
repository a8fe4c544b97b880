import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { AnalysisParamsSchema, type Row } from '../../engine/analyses/analysis.ts';
import { findAnalysis } from '../../engine/analyses/market-analyses.ts';
import { technologyGroup } from '../../engine/domain/company.ts';
import type { Tick } from '../../engine/domain/tick.ts';
import { exportAnalysis } from '../../engine/export/export-analysis.ts';
import { MarketSimulator } from '../../engine/sources/simulator.ts';
import { syntheticCompany } from '../../engine/sources/synthetic-companies.ts';
import { CompanyRepo } from '../../engine/store/company-repo.ts';
import { openDatabase, type SqliteDatabase } from '../../engine/store/database.ts';
import { MarketStore } from '../../engine/store/market-store.ts';
import { TickProcessor } from '../../engine/stream/tick-processor.ts';

const SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'XOM', 'JPM', 'SAP', 'TM', 'BABA'];
const DAY = 86_400_000;
const FIRST = Date.parse('2024-03-04T14:30:00Z'); // a Monday, 09:30 in New York

/** Three sessions of simulated trades, stored by the real engine. */
function buildMarket(): { db: SqliteDatabase; ticks: Tick[] } {
  const db = openDatabase(':memory:');
  const companies = new CompanyRepo(db);
  for (const symbol of SYMBOLS) companies.upsert(syntheticCompany(7, symbol, 0));
  const simulator = new MarketSimulator({ seed: 7, ticksPerSecond: 1 });
  const ticks: Tick[] = [];
  for (let day = 0; day < 3; day++) {
    for (let i = 0; i < 400; i++) {
      const symbol = SYMBOLS[(i * 7 + day) % SYMBOLS.length]!;
      ticks.push(simulator.trade(symbol, FIRST + day * DAY + i * 45_000));
    }
  }
  const processor = new TickProcessor(new MarketStore(db), {
    groupId: 'test',
    intervals: ['1m', '1h', '1d'],
    outOfOrdernessMs: 0,
    allowedLatenessMs: 0,
  });
  void processor.onBatch({
    topic: 't',
    partition: 0,
    records: ticks.map((value, offset) => ({ offset, key: value.symbol, value })),
  });
  return { db, ticks };
}

const nyDay = (ts: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(ts);

/** Per symbol and New York day: the day's first and last price and its volumes, straight from the ticks. */
function dailyFromTicks(ticks: Tick[]) {
  const days = new Map<
    string,
    { symbol: string; day: string; open: number; close: number; volume: number; buy: number; sell: number }
  >();
  for (const t of [...ticks].sort((a, b) => a.ts - b.ts)) {
    const key = `${t.symbol}|${nyDay(t.ts)}`;
    const d = days.get(key) ?? {
      symbol: t.symbol,
      day: nyDay(t.ts),
      open: t.price,
      close: t.price,
      volume: 0,
      buy: 0,
      sell: 0,
    };
    d.close = t.price;
    d.volume += t.volume;
    if (t.side === 'buy') d.buy += t.volume;
    if (t.side === 'sell') d.sell += t.volume;
    days.set(key, d);
  }
  return [...days.values()];
}

const run = (db: SqliteDatabase, name: string, params: Record<string, unknown> = {}): Row[] =>
  findAnalysis(name).run(db, AnalysisParamsSchema.parse(params));

describe('market analyses, checked against a recomputation from the raw ticks', () => {
  let db: SqliteDatabase;
  let ticks: Tick[];
  let daily: ReturnType<typeof dailyFromTicks>;

  beforeAll(() => {
    ({ db, ticks } = buildMarket());
    daily = dailyFromTicks(ticks);
  });

  it('daily traded volume per stock', () => {
    const rows = run(db, 'daily-volume');
    expect(rows.length).toBe(daily.length);
    for (const d of daily) {
      const row = rows.find((r) => r.symbol === d.symbol && nyDay(r.day as number) === d.day);
      expect(row?.volume).toBe(d.volume);
    }
  });

  it('highest average traded volume ranks stocks by their mean daily volume', () => {
    const means = SYMBOLS.map((symbol) => {
      const own = daily.filter((d) => d.symbol === symbol);
      return { symbol, mean: own.reduce((s, d) => s + d.volume, 0) / own.length };
    }).sort((a, b) => b.mean - a.mean);
    const rows = run(db, 'highest-average-volume');
    expect(rows.map((r) => r.symbol)).toEqual(means.map((m) => m.symbol));
    rows.forEach((r, i) => expect(r.averageVolume).toBeCloseTo(means[i]!.mean, 9));
    expect(rows.map((r) => r.rank)).toEqual(SYMBOLS.map((_, i) => i + 1));
  });

  it('top movers: first price to last price of the period, best first', () => {
    const changes = SYMBOLS.map((symbol) => {
      const own = ticks.filter((t) => t.symbol === symbol).sort((a, b) => a.ts - b.ts);
      return { symbol, change: (own.at(-1)!.price - own[0]!.price) / own[0]!.price };
    }).sort((a, b) => b.change - a.change);
    const rows = run(db, 'top-movers');
    expect(rows.map((r) => r.symbol)).toEqual(changes.map((c) => c.symbol));
    rows.forEach((r, i) => expect(r.change).toBeCloseTo(changes[i]!.change, 12));
  });

  it('buy vs sell distribution per stock and day', () => {
    const rows = run(db, 'buy-sell', { interval: '1d' });
    for (const d of daily) {
      const row = rows.find((r) => r.symbol === d.symbol && nyDay(r.start as number) === d.day)!;
      expect([row.buyVolume, row.sellVolume]).toEqual([d.buy, d.sell]);
      expect(row.buyShare).toBeCloseTo(d.buy / (d.buy + d.sell), 12);
    }
  });

  it.each(['industry', 'country', 'technology'] as const)('daily growth by %s averages its stocks', (groupBy) => {
    const companies = new CompanyRepo(db);
    const groupOf = (symbol: string) => {
      const c = companies.get(symbol)!;
      return groupBy === 'technology' ? technologyGroup(c.industry) : c[groupBy]!;
    };
    const expected = new Map<string, number[]>();
    for (const d of daily) {
      const key = `${d.day}|${groupOf(d.symbol)}`;
      expected.set(key, [...(expected.get(key) ?? []), (d.close - d.open) / d.open]);
    }
    const rows = run(db, `growth-by-${groupBy}`);
    expect(rows.length).toBe(expected.size);
    for (const row of rows) {
      // A row of many stocks names its date by the date's UTC midnight.
      const growths = expected.get(`${new Date(row.day as number).toISOString().slice(0, 10)}|${row.group}`)!;
      expect(row.stocks).toBe(growths.length);
      expect(row.averageGrowth).toBeCloseTo(growths.reduce((a, b) => a + b, 0) / growths.length, 12);
    }
  });

  it('filters by symbol and time range', () => {
    const from = FIRST + DAY - 3_600_000;
    const rows = run(db, 'candles', { symbol: 'aapl', interval: '1h', from: new Date(from).toISOString() });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.symbol === 'AAPL' && (r.start as number) >= from)).toBe(true);
    const all = run(db, 'candles', { symbol: 'AAPL', interval: '1h' });
    expect(all.length).toBeGreaterThan(rows.length);
  });

  it('exports RFC 4180 CSV with a header and ISO-8601 UTC times that parse back to the same rows', () => {
    const params = AnalysisParamsSchema.parse({ interval: '1h' });
    const { filename, csv } = exportAnalysis(db, 'candles', params);
    expect(filename).toBe('candles-1h.csv');
    expect(csv.split('\r\n')[0]).toBe('symbol,interval,start,open,high,low,close,volume,vwap,currency,trades');
    const parsed = parse(csv, { columns: true }) as Record<string, string>[];
    const rows = run(db, 'candles', { interval: '1h' });
    expect(parsed.length).toBe(rows.length);
    parsed.forEach((p, i) => {
      expect(p.start).toBe(new Date(rows[i]!.start as number).toISOString());
      expect(p.start).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Number(p.close)).toBe(rows[i]!.close);
      expect(Number(p.vwap)).toBe(rows[i]!.vwap);
    });
  });

  it('refuses a range that ends before it starts', () => {
    const result = AnalysisParamsSchema.safeParse({ from: '2024-03-05', to: '2024-03-04' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('"from" must not be after "to"');
  });
});
