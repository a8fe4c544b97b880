import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { AnalysisParamsSchema, type Row } from '../../engine/analyses/analysis.ts';
import { findAnalysis } from '../../engine/analyses/market-analyses.ts';
import type { CompanyProfile } from '../../engine/domain/company.ts';
import type { Tick } from '../../engine/domain/tick.ts';
import { exportAnalysis } from '../../engine/export/export-analysis.ts';
import { CompanyRepo } from '../../engine/store/company-repo.ts';
import { openDatabase, type SqliteDatabase } from '../../engine/store/database.ts';
import { MarketStore } from '../../engine/store/market-store.ts';
import { TickProcessor } from '../../engine/stream/tick-processor.ts';

const DAY_START = Date.parse('2024-03-04T14:30:00Z');

/** What Yahoo says of a London stock: quoted in pence, its market cap in pence too. */
function profile(symbol: string, currency: string | null): CompanyProfile {
  return {
    symbol,
    shortName: symbol,
    longName: null,
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
    updatedAt: 0,
    simulated: false,
  };
}

/** A London stock in pence, a New York one in dollars, and a replayed one with no profile, stored by the real engine. */
async function market(): Promise<{ db: SqliteDatabase; ticks: Tick[] }> {
  const db = openDatabase(':memory:');
  const companies = new CompanyRepo(db);
  companies.upsert(profile('VOD.L', 'GBp'));
  companies.upsert(profile('AAPL', 'USD'));
  const ticks: Tick[] = [];
  for (let i = 0; i < 30; i++) {
    for (const [symbol, price] of [
      ['VOD.L', 7_000 + i * 4],
      ['AAPL', 170 + i / 4],
      ['NOPROFILE', 20 + i],
    ] as const)
      ticks.push({ symbol, ts: DAY_START + i * 60_000, price, volume: 100 + i, source: 'replay' });
  }
  const processor = new TickProcessor(new MarketStore(db), {
    groupId: 'test',
    intervals: ['1m', '1d'],
    outOfOrdernessMs: 0,
    allowedLatenessMs: 0,
  });
  await processor.onBatch({
    topic: 't',
    partition: 0,
    records: ticks.map((value, offset) => ({ offset, key: value.symbol, value })),
  });
  return { db, ticks };
}

const run = (db: SqliteDatabase, name: string, params: Record<string, unknown> = {}): Row[] =>
  findAnalysis(name).run(db, AnalysisParamsSchema.parse(params));

const tradedValue = (ticks: Tick[], symbol: string) =>
  ticks.filter((t) => t.symbol === symbol).reduce((sum, t) => sum + t.price * t.volume, 0);

describe('money in the analyses says its unit', () => {
  it('daily traded value is in the major unit with its code: pence become pounds', async () => {
    const { db, ticks } = await market();
    const rows = run(db, 'daily-volume');
    const bySymbol = Object.fromEntries(rows.map((r) => [r.symbol, r]));
    expect(bySymbol['VOD.L']!.currency).toBe('GBP');
    expect(bySymbol['VOD.L']!.turnover).toBeCloseTo(tradedValue(ticks, 'VOD.L') / 100, 6);
    expect(bySymbol['AAPL']!.currency).toBe('USD');
    expect(bySymbol['AAPL']!.turnover).toBeCloseTo(tradedValue(ticks, 'AAPL'), 6);
    // Without a profile nobody knows the unit: the cell stays empty rather than guess.
    expect(bySymbol['NOPROFILE']!.currency).toBeNull();
    expect(bySymbol['NOPROFILE']!.turnover).toBeCloseTo(tradedValue(ticks, 'NOPROFILE'), 6);

    const { csv } = exportAnalysis(db, 'daily-volume', AnalysisParamsSchema.parse({}));
    const parsed = parse(csv, { columns: true }) as Record<string, string>[];
    expect(Object.keys(parsed[0]!)).toEqual(['day', 'symbol', 'volume', 'traded_value', 'currency', 'trades']);
    const london = parsed.find((r) => r.symbol === 'VOD.L')!;
    expect([Number(london.traded_value), london.currency]).toEqual([bySymbol['VOD.L']!.turnover, 'GBP']);
    expect(parsed.find((r) => r.symbol === 'NOPROFILE')!.currency).toBe('');
    db.close();
  });

  it('prices stay in the unit the exchange quotes, and the CSV names it', async () => {
    const { db, ticks } = await market();
    const last = (symbol: string) => ticks.filter((t) => t.symbol === symbol).at(-1)!.price;
    const daily = run(db, 'candles', { interval: '1d' });
    const london = daily.find((r) => r.symbol === 'VOD.L')!;
    expect([london.close, london.currency]).toEqual([last('VOD.L'), 'GBp']);
    expect(daily.find((r) => r.symbol === 'AAPL')!.currency).toBe('USD');

    const movers = run(db, 'top-movers');
    expect(movers.find((r) => r.symbol === 'VOD.L')).toMatchObject({ lastClose: last('VOD.L'), currency: 'GBp' });

    const { csv } = exportAnalysis(db, 'candles', AnalysisParamsSchema.parse({ interval: '1d' }));
    const parsed = parse(csv, { columns: true }) as Record<string, string>[];
    expect(parsed.find((r) => r.symbol === 'VOD.L')).toMatchObject({ close: String(last('VOD.L')), currency: 'GBp' });
    db.close();
  });
});
