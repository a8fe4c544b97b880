import { describe, expect, it } from 'vitest';
import { AnalysisParamsSchema } from '../../engine/analyses/analysis.ts';
import { findAnalysis } from '../../engine/analyses/market-analyses.ts';
import { ExchangeZones } from '../../engine/app/exchange-zones.ts';
import type { Tick } from '../../engine/domain/tick.ts';
import { CompanyRepo } from '../../engine/store/company-repo.ts';
import { openDatabase } from '../../engine/store/database.ts';
import { DayCandleZones } from '../../engine/store/day-candle-zones.ts';
import { MarketStore } from '../../engine/store/market-store.ts';
import { TickProcessor } from '../../engine/stream/tick-processor.ts';

const tick = (symbol: string, ts: number, price: number): Tick => ({
  symbol,
  ts,
  price,
  volume: 10,
  source: 'simulator',
});

describe('Daily growth across exchange time zones', () => {
  it('puts the stocks of one exchange date in one row, though their days start hours apart', async () => {
    const db = openDatabase(':memory:');
    const companies = new CompanyRepo(db);
    const zones = new ExchangeZones({ companies, dayZones: new DayCandleZones(db), chosen: () => undefined });
    const processor = new TickProcessor(new MarketStore(db), {
      groupId: 'test',
      intervals: ['1m', '1d'],
      outOfOrdernessMs: 0,
      allowedLatenessMs: 0,
      days: zones.dayWindows(),
    });
    // Thursday 2026-03-26 on three exchanges: Tokyo at 10:00, London at 09:00, New York at 11:00.
    const ticks = [
      tick('7203.T', Date.UTC(2026, 2, 26, 1), 100),
      tick('7203.T', Date.UTC(2026, 2, 26, 2), 110),
      tick('VOD.L', Date.UTC(2026, 2, 26, 9), 100),
      tick('VOD.L', Date.UTC(2026, 2, 26, 10), 90),
      tick('AAPL', Date.UTC(2026, 2, 26, 15), 100),
      tick('AAPL', Date.UTC(2026, 2, 26, 16), 103),
    ];
    await processor.onBatch({
      topic: 't',
      partition: 0,
      records: ticks.map((value, offset) => ({ offset, key: value.symbol, value })),
    });
    const rows = findAnalysis('growth-by-industry').run(db, AnalysisParamsSchema.parse({}));
    expect(rows).toHaveLength(1);
    // The row's day is the date, as its UTC midnight: the same for every zone.
    expect(rows[0]).toMatchObject({ group: 'Unknown', stocks: 3, day: Date.UTC(2026, 2, 26) });
    expect(rows[0]!.averageGrowth).toBeCloseTo((0.1 - 0.1 + 0.03) / 3, 12);
    db.close();
  });

  it('takes a date alone as that whole exchange day in each symbol’s zone: "to" includes it', async () => {
    const db = openDatabase(':memory:');
    const companies = new CompanyRepo(db);
    const zones = new ExchangeZones({ companies, dayZones: new DayCandleZones(db), chosen: () => undefined });
    const processor = new TickProcessor(new MarketStore(db), {
      groupId: 'test',
      intervals: ['1m', '1d'],
      outOfOrdernessMs: 0,
      allowedLatenessMs: 0,
      days: zones.dayWindows(),
    });
    // 25, 26 and 27 March in Tokyo (10:00), London (09:00) and New York (11:00).
    const ticks = [25, 26, 27].flatMap((d) => [
      tick('7203.T', Date.UTC(2026, 2, d, 1), 100),
      tick('VOD.L', Date.UTC(2026, 2, d, 9), 100),
      tick('AAPL', Date.UTC(2026, 2, d, 15), 100),
    ]);
    await processor.onBatch({
      topic: 't',
      partition: 0,
      records: ticks.map((value, offset) => ({ offset, key: value.symbol, value })),
    });
    const dates = (params: Record<string, string>) =>
      findAnalysis('daily-volume')
        .run(db, AnalysisParamsSchema.parse(params))
        .map((r) => {
          const zone = zones.zoneOf(r.symbol as string);
          return `${r.symbol} ${new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(r.day as number)}`;
        })
        .sort();
    expect(dates({ from: '2026-03-26', to: '2026-03-26' })).toEqual([
      '7203.T 2026-03-26',
      'AAPL 2026-03-26',
      'VOD.L 2026-03-26',
    ]);
    expect(dates({ to: '2026-03-25' })).toEqual(['7203.T 2026-03-25', 'AAPL 2026-03-25', 'VOD.L 2026-03-25']);
    // An instant is still an instant, compared with the day's start: Tokyo's 26th began on the 25th UTC.
    expect(dates({ from: '2026-03-26T00:00:00Z', to: '2026-03-26T12:00:00Z' })).toEqual([
      'AAPL 2026-03-26',
      'VOD.L 2026-03-26',
    ]);
    db.close();
  });
});
