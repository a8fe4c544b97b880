import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import type { CompanyProfile } from '../../engine/domain/company.ts';
import { syntheticCompany } from '../../engine/sources/synthetic-companies.ts';
import { CompanyRepo } from '../../engine/store/company-repo.ts';
import { migrate, openDatabase } from '../../engine/store/database.ts';
import { MIGRATIONS } from '../../engine/store/migrations.ts';
import { AnalysisParamsSchema, type AnalysisParamsInput } from '../../engine/analyses/analysis.ts';
import { findAnalysis } from '../../engine/analyses/market-analyses.ts';
import { FIXTURES } from '../support/cli.ts';
import { scratch, until } from './helpers.ts';

function runAnalysis(db: Database.Database, name: string, params: AnalysisParamsInput) {
  return findAnalysis(name).run(db, AnalysisParamsSchema.parse(params));
}

const BARS = path.join(FIXTURES, 'bars-2m', 'amzn-2023-08-28..09-15-2m.csv');

const { dbFile, later } = scratch();

const real: CompanyProfile = {
  symbol: 'AAPL',
  shortName: 'Apple Inc.',
  longName: 'Apple Inc.',
  sector: 'Technology',
  industry: 'Consumer Electronics',
  country: 'United States',
  currency: 'USD',
  exchange: 'NasdaqGS',
  marketCap: 3.6e12,
  trailingPe: 30,
  forwardPe: 28,
  fiftyTwoWeekHigh: 260,
  fiftyTwoWeekLow: 164,
  fiftyDayAverage: 230,
  shortRatio: 1.2,
  exchangeTimeZone: null,
  updatedAt: 1_700_000_000_000,
  simulated: false,
};

describe('synthetic company profiles', () => {
  it('are marked simulated and plausible: a known ticker keeps its line of business, a suffix its country', () => {
    const aapl = syntheticCompany(42, 'AAPL');
    expect(aapl).toMatchObject({ simulated: true, sector: 'Technology', industry: 'Consumer Electronics' });
    expect(aapl).toMatchObject({ country: 'United States', currency: 'USD' });
    expect(aapl.longName).toContain('simulated');
    expect(syntheticCompany(42, 'AMZN')).toMatchObject({ sector: 'Consumer Cyclical', industry: 'Internet Retail' });
    expect(syntheticCompany(42, 'PETR4.SA')).toMatchObject({ country: 'Brazil', currency: 'BRL', simulated: true });
    expect(syntheticCompany(42, 'SAP.DE')).toMatchObject({ country: 'Germany', currency: 'EUR' });
    // A future or an index is no company: no sector, no market cap, no P/E.
    for (const symbol of ['GC=F', '^GSPC', 'BTC-USD']) {
      expect(syntheticCompany(42, symbol), symbol).toMatchObject({ sector: null, industry: null, marketCap: null });
    }
    // Stable: the same seed and symbol give the same company.
    expect(syntheticCompany(7, 'ZZZ', 1)).toEqual(syntheticCompany(7, 'ZZZ', 1));
  });

  it('bracket the price they are made for with their 52-week range', () => {
    const profile = syntheticCompany(42, 'AMZN', 0, 138.5);
    expect(profile.fiftyTwoWeekLow!).toBeLessThan(138.5);
    expect(profile.fiftyTwoWeekHigh!).toBeGreaterThan(138.5);
  });
});

describe('CompanyRepo and simulated profiles', () => {
  it('never stores a simulated profile over a real one, and a real one replaces a simulated one', () => {
    const db = openDatabase(':memory:');
    const repo = new CompanyRepo(db);
    const saved: string[] = [];
    repo.onSaved((p) => saved.push(`${p.symbol}:${p.simulated}`));

    expect(repo.upsert(real)).toBe(true);
    expect(repo.upsert(syntheticCompany(42, 'AAPL'))).toBe(false);
    expect(repo.get('AAPL')).toEqual(real);

    expect(repo.upsert(syntheticCompany(42, 'MSFT'))).toBe(true);
    expect(repo.get('MSFT')?.simulated).toBe(true);
    const msft = { ...real, symbol: 'MSFT', longName: 'Microsoft Corporation' };
    expect(repo.upsert(msft)).toBe(true);
    expect(repo.get('MSFT')).toEqual(msft);
    // Only what was stored is shared (the Kafka bus republishes it).
    expect(saved).toEqual(['AAPL:false', 'MSFT:true', 'MSFT:false']);
    db.close();
  });

  it('an older database learns which of its profiles the simulator made up', () => {
    const db = new Database(':memory:');
    const marking = MIGRATIONS.findIndex((m) => m.includes('ADD COLUMN simulated'));
    for (let version = 0; version < marking; version++) db.exec(MIGRATIONS[version]!);
    db.pragma(`user_version = ${marking}`);
    const insert = db.prepare('INSERT INTO companies (symbol, long_name, sector, updated_at) VALUES (?, ?, ?, 0)');
    insert.run('AAPL', 'Apple Inc.', 'Technology');
    insert.run('AMZN', 'AMZN Corporation (simulated)', 'Healthcare');
    migrate(db);
    const repo = new CompanyRepo(db);
    expect(repo.get('AAPL')?.simulated).toBe(false);
    expect(repo.get('AMZN')?.simulated).toBe(true);
    db.close();
  });
});

describe('replay, then the simulator, on one database', () => {
  it('the simulator starts from the replayed price, its profile is plausible and marked, and no mover jumps', async () => {
    const file = dbFile();
    const replay = await MarketMonitor.open({
      dbPath: file,
      overrides: { source: { kind: 'replay', replay: { file: BARS, symbol: 'AMZN' } } },
    });
    const source = replay.currentSource as unknown as { done: Promise<void> };
    await source.done;
    await replay.drain(120_000);
    const replayed = replay.store.lastPrice('AMZN')!;
    const replayedTicks = replay.store.tickCount();
    await replay.close();

    const app = await MarketMonitor.open({
      dbPath: file,
      overrides: { source: { kind: 'simulator', simulator: { ticksPerSecond: 1_000 } } },
    });
    later(() => app.close());
    app.addSymbol('AMZN');
    await until(() => app.store.tickCount() > replayedTicks + 50, 'simulated ticks', 10_000);
    const first = app.db
      .prepare("SELECT price FROM ticks WHERE symbol = 'AMZN' AND source = 'simulator' ORDER BY id LIMIT 1")
      .pluck()
      .get();
    expect(first).toBe(replayed.price);

    expect(app.companies.get('AMZN')).toMatchObject({ simulated: true, industry: 'Internet Retail' });
    const growth = runAnalysis(app.db, 'growth-by-industry', { interval: '1d' });
    expect(growth.length).toBeGreaterThan(0);
    for (const row of growth) expect(row.simulatedProfiles).toBe(row.stocks);

    app.setPaused(true);
    await app.drain();
    const [mover] = runAnalysis(app.db, 'top-movers', { interval: '1d', symbol: 'AMZN' });
    // From the replay's first open to the simulator's last close: the replay's own move, not a jump to a seed price.
    const replayOnly = (replayed.price - (mover!.firstOpen as number)) / (mover!.firstOpen as number);
    expect(Math.abs((mover!.change as number) - replayOnly)).toBeLessThan(0.05);
  }, 180_000);
});
