import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { FIXTURES, runCli } from '../support/cli.ts';
import { storedCandles } from '../unit/helpers.ts';

/** Several runs of the real command line each: slow on a busy machine, whatever the code does. */
const CLI_RUNS_TIMEOUT_MS = 180_000;
const BARS = path.join(FIXTURES, 'bars-2m', 'amzn-2023-08-28..09-15-2m.csv');

interface Snapshot {
  candles: Record<string, unknown>[];
  ticks: number;
  deadLetters: number;
}

function snapshot(dbPath: string): Snapshot {
  const db = new Database(dbPath, { readonly: true });
  try {
    return {
      candles: storedCandles(db),
      ticks: db.prepare('SELECT count(*) FROM ticks').pluck().get() as number,
      deadLetters: db.prepare('SELECT count(*) FROM dead_letters').pluck().get() as number,
    };
  } finally {
    db.close();
  }
}

interface StoredTick {
  ts: number;
  price: number;
  volume: number;
  side: string | null;
}

/**
 * The candles of one symbol at a fixed-size interval, folded here from the stored ticks in their
 * (ts, id) order: the definition of OHLCV, independent of the engine (the SQL oracle of the unit
 * tests is quadratic, too slow for a file of ten thousand ticks).
 */
function foldTicks(ticks: readonly StoredTick[], symbol: string, interval: string, size: number) {
  const out = new Map<number, Record<string, unknown>>();
  for (const t of ticks) {
    const start = t.ts - (t.ts % size);
    const c = out.get(start) as Record<string, number> | undefined;
    const buy = t.side === 'buy' ? t.volume : 0;
    const sell = t.side === 'sell' ? t.volume : 0;
    if (!c) {
      out.set(start, {
        symbol,
        interval,
        start,
        open: t.price,
        high: t.price,
        low: t.price,
        close: t.price,
        volume: t.volume,
        turnover: t.price * t.volume,
        trades: 1,
        buy_volume: buy,
        sell_volume: sell,
        open_ts: t.ts,
        close_ts: t.ts,
      });
      continue;
    }
    c.high = Math.max(c.high!, t.price);
    c.low = Math.min(c.low!, t.price);
    c.close = t.price;
    c.volume! += t.volume;
    c.turnover! += t.price * t.volume;
    c.trades! += 1;
    c.buy_volume! += buy;
    c.sell_volume! += sell;
    c.close_ts = t.ts;
  }
  return [...out.values()];
}

/** Every candle of the fixed-size intervals equals a recomputation from the stored ticks. */
function expectCandlesFromTicks(dbPath: string, symbol: string): void {
  const db = new Database(dbPath, { readonly: true });
  try {
    const ticks = db
      .prepare('SELECT ts, price, volume, side FROM ticks WHERE symbol = ? ORDER BY ts, id')
      .all(symbol) as StoredTick[];
    for (const [interval, size] of [
      ['1s', 1_000],
      ['1m', 60_000],
      ['1h', 3_600_000],
    ] as const) {
      const got = storedCandles(db, interval).filter((c) => c.symbol === symbol);
      const want = foldTicks(ticks, symbol, interval, size);
      expect(got.length, interval).toBe(want.length);
      got.forEach((row, i) => {
        for (const [column, value] of Object.entries(want[i]!)) {
          if (column === 'turnover' || column.endsWith('volume')) expect(row[column]).toBeCloseTo(value as number, 4);
          else expect(row[column], `${interval} ${String(row.start)} ${column}`).toBe(value);
        }
      });
    }
  } finally {
    db.close();
  }
}

function tickFile(dir: string, name: string, rows: string[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, ['symbol,timestamp,price,volume,side', ...rows].join('\n'));
  return file;
}

describe('replaying what the database holds already', () => {
  it(
    'a second replay of the same bar file adds nothing: every candle, the day included, stays as it was',
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-replay-twice-'));
      const dbPath = path.join(dir, 'amzn.db');
      const first = await runCli(['replay', BARS, '--db', dbPath, '--symbol', 'AMZN']);
      expect(first.code, first.stderr).toBe(0);
      const once = snapshot(dbPath);
      expect(once.ticks).toBeGreaterThan(1_000);

      const second = await runCli(['replay', BARS, '--db', dbPath, '--symbol', 'AMZN']);
      expect(second.code, second.stderr).toBe(0);
      expect(snapshot(dbPath)).toEqual(once);
      expect(second.stdout).toContain(`${once.ticks} already stored`);
      expect(second.stdout).toContain('0 ticks accepted, 0 too late');
      expectCandlesFromTicks(dbPath, 'AMZN');
    },
    CLI_RUNS_TIMEOUT_MS,
  );

  it(
    'counts identical trades: a file with the same trade twice stores it twice, once, and a longer file adds only its new part',
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-replay-overlap-'));
      const dbPath = path.join(dir, 'ticks.db');
      const t0 = Date.parse('2024-05-01T14:30:00Z');
      const rows = Array.from({ length: 240 }, (_, i) => {
        // Every tenth trade is repeated exactly, as busy tapes do.
        const n = i - Math.floor(i / 10);
        return `AAPL,${t0 + n * 700},${(170 + (n % 17) / 8).toFixed(3)},${1 + (n % 5)},${n % 2 ? 'buy' : 'sell'}`;
      });
      const head = tickFile(dir, 'head.csv', rows.slice(0, 150));
      const whole = tickFile(dir, 'whole.csv', rows);

      expect((await runCli(['replay', head, '--db', dbPath])).stdout).toContain('150 ticks accepted');
      const again = await runCli(['replay', head, '--db', dbPath]);
      expect(again.stdout).toContain('150 already stored');
      expect(snapshot(dbPath).ticks).toBe(150);

      const rest = await runCli(['replay', whole, '--db', dbPath]);
      expect(rest.stdout).toContain('150 already stored');
      expect(rest.stdout).toContain('90 ticks accepted, 0 too late');
      expect(snapshot(dbPath).ticks).toBe(240);
      expectCandlesFromTicks(dbPath, 'AAPL');

      // The same trades replayed straight into a fresh database give the very same candles.
      const fresh = path.join(dir, 'fresh.db');
      expect((await runCli(['replay', whole, '--db', fresh])).code).toBe(0);
      expect(snapshot(dbPath).candles).toEqual(snapshot(fresh).candles);
    },
    CLI_RUNS_TIMEOUT_MS,
  );
});
