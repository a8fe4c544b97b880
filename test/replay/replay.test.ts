import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli } from '../support/cli.ts';

const BARS = path.join(FIXTURES, 'bars-2m', 'amzn-2023-08-28..09-15-2m.csv');

interface Bar {
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** The fixture read independently of the app: trading bars only (yfinance writes idle ones as zeros). */
function readBars(): Bar[] {
  const rows = parse(fs.readFileSync(BARS), { columns: true }) as Record<string, string>[];
  return rows
    .map((r) => ({
      start: Date.parse(r.Datetime!.replace(' ', 'T')),
      open: Number(r.Open),
      high: Number(r.High),
      low: Number(r.Low),
      close: Number(r.Close),
      volume: Number(r.Volume),
    }))
    .filter((b) => b.open > 0);
}

/** Groups bars by a window key and folds them the way any OHLCV candle is defined. */
function fold(bars: Bar[], keyOf: (b: Bar) => number): Map<number, Omit<Bar, 'start'>> {
  const out = new Map<number, Omit<Bar, 'start'>>();
  for (const b of [...bars].sort((x, y) => x.start - y.start)) {
    const key = keyOf(b);
    const c = out.get(key);
    if (!c) out.set(key, { open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume });
    else {
      c.high = Math.max(c.high, b.high);
      c.low = Math.min(c.low, b.low);
      c.close = b.close;
      c.volume += b.volume;
    }
  }
  return out;
}

/** New York's calendar day of an instant, as the key the app uses: local midnight. */
function newYorkDay(ts: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(ts);
}

describe('market-monitor replay of real yfinance bars', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-replay-'));
  const dbPath = path.join(dir, 'amzn.db');
  let output = '';

  beforeAll(async () => {
    const result = await runCli(['replay', BARS, '--db', dbPath, '--symbol', 'AMZN']);
    output = result.stdout + result.stderr;
    expect(result.code, output).toBe(0);
  });

  it('reports what it replayed', () => {
    const bars = readBars();
    expect(output).toContain(`${bars.length * 4} ticks accepted, 0 too late, 0 invalid`);
  });

  it('rebuilds every hourly candle of the bars exactly', () => {
    const expected = fold(readBars(), (b) => Math.floor(b.start / 3_600_000) * 3_600_000);
    const db = new Database(dbPath, { readonly: true });
    const rows = db
      .prepare("SELECT * FROM candles WHERE symbol = 'AMZN' AND interval = '1h' ORDER BY start")
      .all() as Array<Bar>;
    db.close();
    expect(rows.length).toBe(expected.size);
    for (const row of rows) {
      const want = expected.get(row.start)!;
      expect({ open: row.open, high: row.high, low: row.low, close: row.close, volume: row.volume }).toEqual(want);
    }
  });

  it('cuts daily candles at midnight New York time, not UTC', () => {
    const bars = readBars();
    const expected = fold(bars, (b) => Number(newYorkDay(b.start).replaceAll('-', '')));
    const db = new Database(dbPath, { readonly: true });
    const rows = db
      .prepare("SELECT * FROM candles WHERE symbol = 'AMZN' AND interval = '1d' ORDER BY start")
      .all() as Array<Bar>;
    db.close();
    expect(rows.length).toBe(14);
    for (const row of rows) {
      expect(newYorkDay(row.start)).toBe(newYorkDay(row.start + 60_000)); // starts at a local midnight…
      expect(newYorkDay(row.start - 1)).not.toBe(newYorkDay(row.start)); // …exactly
      const want = expected.get(Number(newYorkDay(row.start).replaceAll('-', '')))!;
      expect({ open: row.open, high: row.high, low: row.low, close: row.close, volume: row.volume }).toEqual(want);
    }
  });

  it('exports byte-identical CSV for the same input replayed twice', async () => {
    const again = path.join(dir, 'again.db');
    expect((await runCli(['replay', BARS, '--db', again, '--symbol', 'AMZN'])).code).toBe(0);
    for (const analysis of ['candles', 'daily-volume', 'buy-sell', 'top-movers']) {
      const a = await runCli(['export', analysis, '--db', dbPath, '--interval', '5m', '--out', '-']);
      const b = await runCli(['export', analysis, '--db', again, '--interval', '5m', '--out', '-']);
      expect(a.code).toBe(0);
      expect(a.stdout.length).toBeGreaterThan(100);
      expect(a.stdout).toBe(b.stdout);
    }
  }, 120_000); // nine CLI processes: each start takes seconds on a busy 2-core machine
});

describe('market-monitor replay of a tick file', () => {
  it('stores valid ticks (ISO or epoch times, optional side) and names the rows it skipped', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-ticks-'));
    const file = path.join(dir, 'ticks.csv');
    fs.writeFileSync(
      file,
      [
        'symbol,timestamp,price,volume,side',
        'AAPL,2024-05-01T14:30:00Z,170.5,100,buy',
        'AAPL,1714573801000,170.7,50,sell',
        'msft,2024-05-01T14:30:02.500Z,400.25,10,',
        'AAPL,not-a-time,170,1,buy',
        'AAPL,2024-05-01T14:30:03Z,-5,1,buy',
        '"BRK-B",2024-05-01T14:30:04Z,410,7,BUY',
      ].join('\n'),
    );
    const dbPath = path.join(dir, 'ticks.db');
    const result = await runCli(['replay', file, '--db', dbPath]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/line 5: .*not a time|line 5: .*ISO-8601/);
    expect(result.stderr).toMatch(/line 6: price/);
    const db = new Database(dbPath, { readonly: true });
    const ticks = db.prepare('SELECT symbol, ts, price, volume, side FROM ticks ORDER BY ts').all();
    db.close();
    expect(ticks).toEqual([
      { symbol: 'AAPL', ts: Date.parse('2024-05-01T14:30:00Z'), price: 170.5, volume: 100, side: 'buy' },
      { symbol: 'AAPL', ts: 1714573801000, price: 170.7, volume: 50, side: 'sell' },
      { symbol: 'MSFT', ts: Date.parse('2024-05-01T14:30:02.500Z'), price: 400.25, volume: 10, side: null },
      { symbol: 'BRK-B', ts: Date.parse('2024-05-01T14:30:04Z'), price: 410, volume: 7, side: 'buy' },
    ]);
  });

  it('refuses a file it cannot read with a clear message and no database changes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-bad-'));
    const file = path.join(dir, 'other.csv');
    fs.writeFileSync(file, 'a,b,c\n1,2,3\n');
    const result = await runCli(['replay', file, '--db', path.join(dir, 'x.db')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Unrecognised CSV header "a,b,c"/);
    const missing = await runCli(['replay', path.join(dir, 'nope.csv'), '--db', path.join(dir, 'x.db')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('No such file');
  });
});

describe('market-monitor export', () => {
  it('names what is wrong with its arguments', async () => {
    const unknown = await runCli(['export', 'astrology', '--db', '/nonexistent.db', '--out', '-']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown analysis "astrology"');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-exp-'));
    const db = new Database(path.join(dir, 'e.db'));
    db.close();
    const badTime = await runCli([
      'export',
      'candles',
      '--db',
      path.join(dir, 'e.db'),
      '--from',
      'yesterday',
      '--out',
      '-',
    ]);
    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toContain('"yesterday" is not a time');
  });
});

describe('replay of a CSV with other column names (--columns)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-replay-map-'));
  const T0 = Date.parse('2024-03-05T15:00:00Z');
  const trades = Array.from({ length: 300 }, (_, i) => ({
    symbol: i % 3 === 0 ? 'MSFT' : 'AAPL',
    ts: T0 + i * 1_500,
    price: 100 + ((i * 7) % 13) / 4,
    volume: 1 + (i % 9),
    side: i % 2 ? 'buy' : 'sell',
  }));
  const candles = (db: string) => {
    const d = new Database(db, { readonly: true });
    const rows = d.prepare('SELECT * FROM candles ORDER BY symbol, interval, start').all();
    d.close();
    return rows;
  };

  it('stores exactly the candles of the same trades in the standard format', async () => {
    const standard = path.join(dir, 'standard.csv');
    fs.writeFileSync(
      standard,
      [
        'symbol,timestamp,price,volume,side',
        ...trades.map((t) => `${t.symbol},${t.ts},${t.price},${t.volume},${t.side}`),
      ].join('\n'),
    );
    const foreign = path.join(dir, 'broker-export.csv');
    fs.writeFileSync(
      foreign,
      [
        'Time,Ticker,Last,Qty,Aggressor,Venue',
        ...trades.map(
          (t) => `${new Date(t.ts).toISOString()},${t.symbol},${t.price},${t.volume},${t.side.toUpperCase()},XNAS`,
        ),
      ].join('\n'),
    );
    const a = path.join(dir, 'a.db');
    const b = path.join(dir, 'b.db');
    expect((await runCli(['replay', standard, '--db', a])).code).toBe(0);
    const mapped = await runCli([
      'replay',
      foreign,
      '--db',
      b,
      '--columns',
      'timestamp=Time,symbol=Ticker,price=Last,volume=Qty,side=Aggressor',
    ]);
    expect(mapped.stderr).toBe('');
    expect(mapped.stdout).toContain('300 ticks accepted');
    expect(candles(b)).toEqual(candles(a));
    expect(candles(a).length).toBeGreaterThan(10);
  });

  it('takes the symbol of a one-symbol file from --symbol, and names a mapped column the file lacks', async () => {
    const file = path.join(dir, 'one.csv');
    fs.writeFileSync(
      file,
      ['When,Px,Size', ...trades.slice(0, 20).map((t) => `${t.ts},${t.price},${t.volume}`)].join('\n'),
    );
    const ok = await runCli([
      'replay',
      file,
      '--db',
      path.join(dir, 'one.db'),
      '--symbol',
      'TSLA',
      '--columns',
      'timestamp=When,price=Px,volume=Size',
    ]);
    expect(ok.stdout).toContain('20 ticks accepted');
    const d = new Database(path.join(dir, 'one.db'), { readonly: true });
    expect(d.prepare('SELECT DISTINCT symbol FROM ticks').pluck().all()).toEqual(['TSLA']);
    d.close();

    const bad = await runCli([
      'replay',
      file,
      '--db',
      path.join(dir, 'bad.db'),
      '--columns',
      'timestamp=Stamp,price=Px,volume=Size',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('The column "Stamp" given for timestamp is not in the header "When,Px,Size"');
    const unknown = await runCli(['replay', file, '--db', path.join(dir, 'bad.db'), '--columns', 'bid=Px']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--columns');
  });
});
