import fs from 'node:fs';
import path from 'node:path';
import { parquetMetadata, parquetReadObjects, parquetSchema } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalysisParamsSchema, type Column, type Row } from '../../engine/analyses/analysis.ts';
import { ANALYSES } from '../../engine/analyses/market-analyses.ts';
import { exportAnalysisParquet } from '../../engine/export/export-analysis.ts';
import { toParquet } from '../../engine/export/parquet.ts';
import { MarketSimulator } from '../../engine/sources/simulator.ts';
import { syntheticCompany } from '../../engine/sources/synthetic-companies.ts';
import { CompanyRepo } from '../../engine/store/company-repo.ts';
import { PortfolioRepo } from '../../engine/store/portfolio-repo.ts';
import { openDatabase, type SqliteDatabase } from '../../engine/store/database.ts';
import { MarketStore } from '../../engine/store/market-store.ts';
import { TickProcessor } from '../../engine/stream/tick-processor.ts';
import { main } from '../../main/cli.ts';
import { tempDir } from '../unit/helpers.ts';

const DAY = 86_400_000;
const FIRST = Date.parse('2024-03-04T14:30:00Z');
/** ZZZ has no company profile, so its currency cells are null. */
const SYMBOLS = ['AAPL', 'MSFT', 'SAP', 'ZZZ'];

/** Three sessions of simulated trades stored by the real engine in a database file, and two anomalies. */
function fillMarket(db: SqliteDatabase): void {
  const companies = new CompanyRepo(db);
  for (const symbol of SYMBOLS.slice(0, 3)) companies.upsert(syntheticCompany(3, symbol, 0));
  const simulator = new MarketSimulator({ seed: 3, ticksPerSecond: 1 });
  const ticks = [];
  for (let day = 0; day < 3; day++)
    for (let i = 0; i < 1_200; i++) ticks.push(simulator.trade(SYMBOLS[i % 4]!, FIRST + day * DAY + i * 15_000));
  ticks.push({ symbol: 'ZZZ', ts: FIRST + 3 * DAY, price: 10.25, volume: 3 }); // a tick with no side
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
  const insert = db.prepare(
    `INSERT INTO anomalies (symbol, interval, start, kind, value, threshold, baseline, window_bars, message)
     VALUES (?, '1m', ?, ?, ?, 3, ?, 30, ?)`,
  );
  insert.run('AAPL', FIRST + 60_000, 'return-z', 4.5, 0.0012, 'AAPL moved 4.5 σ, "quoted", with a comma');
  insert.run('MSFT', FIRST + DAY, 'volume-spike', 7.25, 1_250.5, 'MSFT traded 7× its usual volume');
  // Positions: a long, a short, and one with no price (its money cells are null).
  const portfolio = new PortfolioRepo(db);
  portfolio.addLot({ account: 'Main', symbol: 'AAPL', quantity: 10, price: 150.25, date: '2024-03-01', fees: 1 });
  portfolio.addLot({ account: 'Main', symbol: 'MSFT', quantity: -3, price: 410, date: '2024-03-01', fees: 0 });
  portfolio.addLot({ account: 'ISA', symbol: 'NOPE', quantity: 1, price: 5, date: '2024-03-01', fees: 0 });
}

/** What a reader should see in a cell: times as instants, integers as int64, the rest as they are. */
function expected(column: Column, value: Row[string] | undefined): unknown {
  if (value === null || value === undefined) return null;
  if (column.kind === 'time' || column.kind === 'day') return new Date(value as number);
  if (column.kind === 'integer') return BigInt(value as number);
  return value;
}

/** The Parquet type each column kind must have, as the file's own schema says it. */
const PARQUET_TYPES: Record<Column['kind'], object> = {
  time: { type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' } },
  day: { type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' } },
  integer: { type: 'INT64' },
  number: { type: 'DOUBLE' },
  percent: { type: 'DOUBLE' },
  text: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
};

async function readBack(bytes: Uint8Array) {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const metadata = parquetMetadata(file);
  const rows = (await parquetReadObjects({ file })) as Record<string, unknown>[];
  return { metadata, schema: parquetSchema(metadata), rows };
}

/** Every value of every column of the file equals the analysis's row, in order. */
async function expectSameAsRows(bytes: Uint8Array, columns: readonly Column[], rows: readonly Row[]) {
  const { metadata, rows: read } = await readBack(bytes);
  const leaves = metadata.schema.slice(1);
  expect(leaves.map((e) => e.name)).toEqual(columns.map((c) => c.header));
  for (const [i, column] of columns.entries()) expect(leaves[i]).toMatchObject(PARQUET_TYPES[column.kind]);
  expect(read).toHaveLength(rows.length);
  read.forEach((got, i) => {
    for (const column of columns) expect(got[column.header]).toEqual(expected(column, rows[i]![column.key]));
  });
}

describe('Parquet export', () => {
  const { dir, cleanup } = tempDir('mm-parquet-');
  const dbPath = path.join(dir, 'market.db');
  let db: SqliteDatabase;

  beforeAll(() => {
    db = openDatabase(dbPath);
    fillMarket(db);
  });
  afterAll(() => {
    db.close();
    cleanup();
  });

  it.each(ANALYSES.map((a) => a.name))('writes every value of %s, typed, that hyparquet reads back', async (name) => {
    const analysis = ANALYSES.find((a) => a.name === name)!;
    // The crossovers need 50 bars per symbol: minutes have them.
    const params = AnalysisParamsSchema.parse(name === 'ma-crossovers' ? { interval: '1m' } : {});
    const rows = analysis.run(db, params);
    expect(rows.length).toBeGreaterThan(0);
    const { filename, bytes } = exportAnalysisParquet(db, name, params);
    expect(filename).toMatch(/\.parquet$/);
    await expectSameAsRows(bytes, analysis.columns, rows);
  });

  it('keeps nulls, text with quotes and commas, fractions and large integers exact', async () => {
    const columns: Column[] = [
      { key: 't', header: 'at', kind: 'time' },
      { key: 'n', header: 'count', kind: 'integer' },
      { key: 'x', header: 'x', kind: 'number' },
      { key: 's', header: 'label', kind: 'text' },
    ];
    const rows: Row[] = [
      { t: -86_400_000, n: Number.MAX_SAFE_INTEGER, x: 0.1 + 0.2, s: 'a, "b"\nc' },
      { t: null, n: null, x: null, s: null },
      { t: 1_700_000_000_123, n: -3, x: -1e-300, s: 'ünïcode €' },
    ];
    await expectSameAsRows(toParquet(columns, rows), columns, rows);
  });

  it('writes an empty file with the columns when no row matches', async () => {
    const analysis = ANALYSES.find((a) => a.name === 'candles')!;
    const { bytes } = exportAnalysisParquet(db, 'candles', AnalysisParamsSchema.parse({ symbol: 'NONE' }));
    await expectSameAsRows(bytes, analysis.columns, []);
  });

  it('refuses a value of the wrong type with the column named', () => {
    const columns: Column[] = [{ key: 'n', header: 'trades', kind: 'integer' }];
    expect(() => toParquet(columns, [{ n: 1.5 }])).toThrow(/trades.*integer.*1\.5/);
  });

  it('market-monitor export --format parquet writes the file of the range asked for', async () => {
    const out = path.join(dir, 'ticks.parquet');
    const from = new Date(FIRST + DAY).toISOString();
    const to = new Date(FIRST + 2 * DAY).toISOString();
    const code = await main([
      'export',
      'ticks',
      '--db',
      dbPath,
      '--from',
      from,
      '--to',
      to,
      '--format',
      'parquet',
      '--out',
      out,
    ]);
    expect(code).toBe(0);
    const analysis = ANALYSES.find((a) => a.name === 'ticks')!;
    const rows = analysis.run(db, AnalysisParamsSchema.parse({ from, to }));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => (r.ts as number) >= FIRST + DAY && (r.ts as number) <= FIRST + 2 * DAY)).toBe(true);
    await expectSameAsRows(fs.readFileSync(out), analysis.columns, rows);
  });

  it('market-monitor export refuses an unknown format and writing Parquet to standard output', async () => {
    expect(await main(['export', 'candles', '--db', dbPath, '--format', 'xlsx', '--out', '-'])).toBe(2);
    expect(await main(['export', 'candles', '--db', dbPath, '--format', 'parquet', '--out', '-'])).toBe(2);
  });
});
