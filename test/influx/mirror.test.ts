// The InfluxDB mirror against a real InfluxDB 1.x (influxd from the Debian package): what goes in
// comes back by InfluxQL exactly once and exactly equal, whatever the symbol holds; lines wait in
// SQLite while the server is away, across a restart of the app; beyond the spill limit the oldest go.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Candle } from '../../engine/domain/candle.ts';
import { vwap } from '../../engine/domain/candle.ts';
import type { Tick } from '../../engine/domain/tick.ts';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import { InfluxMirror } from '../../engine/sinks/influx/mirror.ts';
import { testInfluxConnection } from '../../engine/sinks/influx/test-connection.ts';
import { openDatabase, type SqliteDatabase } from '../../engine/store/database.ts';
import {
  expectedTicks,
  INFLUX_SKIP_REASON,
  startTestInflux,
  storedTicks,
  testMirrorSettings,
  type TestInflux,
  influxSink,
} from '../support/influx.ts';
import { until } from '../unit/helpers.ts';

const T0 = Date.parse('2026-03-02T14:30:00Z');

/** Deterministic ticks with prices of many digits, distinct times per symbol, and sides now and then missing. */
export function makeTicks(symbols: readonly string[], perSymbol: number, from = T0): Tick[] {
  const ticks: Tick[] = [];
  let seed = 7;
  const next = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
  for (let i = 0; i < perSymbol; i++) {
    for (const symbol of symbols) {
      const side = i % 5 === 4 ? undefined : next() < 0.5 ? 'buy' : 'sell';
      ticks.push({
        symbol,
        ts: from + i * 7,
        price: Math.round((50 + next() * 400) * 1e6) / 1e6 + 1e-9,
        volume: i % 3 === 0 ? Math.floor(next() * 1_000) : next() * 10,
        ...(side ? { side } : {}),
        source: 'simulator',
      } as Tick);
    }
  }
  return ticks;
}

function candle(symbol: string, start: number, close: number, trades: number): Candle {
  return {
    symbol,
    interval: '1m',
    start,
    open: 100.125,
    high: Math.max(100.125, close) + 0.5,
    low: Math.min(100.125, close) - 0.25,
    close,
    volume: trades * 10.5,
    turnover: trades * 10.5 * 100.3,
    trades,
    buyVolume: 0,
    sellVolume: 0,
    openTs: start,
    closeTs: start + 59_000,
  };
}

describe.skipIf(INFLUX_SKIP_REASON !== null)(
  `InfluxDB mirror on a real InfluxDB 1.x${INFLUX_SKIP_REASON ? ` (skipped: ${INFLUX_SKIP_REASON})` : ''}`,
  { timeout: 60_000 },
  () => {
    let influx: TestInflux;
    let dir: string;
    const dbs: SqliteDatabase[] = [];
    let dbCount = 0;

    /** A fresh app database and a fresh InfluxDB database for each test. */
    async function fresh(): Promise<{ db: SqliteDatabase; name: string; file: string }> {
      const name = `mm_${++dbCount}`;
      await influx.query(`CREATE DATABASE ${name}`);
      const file = path.join(dir, `${name}.db`);
      const db = openDatabase(file);
      dbs.push(db);
      return { db, name, file };
    }

    beforeAll(async () => {
      influx = await startTestInflux();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-influx-app-'));
    });

    afterAll(async () => {
      for (const db of dbs) if (db.open) db.close();
      await influx?.cleanup();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it('writes every tick exactly once with its exact price, volume and side', async () => {
      const { db, name } = await fresh();
      const mirror = new InfluxMirror({ settings: testMirrorSettings(influx.url, name, { batchSize: 700 }), db });
      const ticks = makeTicks(['AAPL', 'BRK-B', 'EURUSD=X', '^GSPC'], 2_500);
      for (let i = 0; i < ticks.length; i += 333) mirror.offer(ticks.slice(i, i + 333), []);
      await mirror.flush();
      await mirror.close();

      const stored = await storedTicks(influx, name);
      expect(stored.length).toBe(10_000);
      expect(stored).toEqual(expectedTicks(ticks));
      expect(mirror.status()).toMatchObject({ state: 'ok', written: 10_000, dropped: 0, buffered: 0, spilled: 0 });
    });

    it('writes candles per interval with integer trades, and the latest version of a candle wins', async () => {
      const { db, name } = await fresh();
      const mirror = new InfluxMirror({ settings: testMirrorSettings(influx.url, name, { batchSize: 3 }), db });
      // Versions of the same window arrive in commit order across several requests.
      for (let version = 1; version <= 5; version++) {
        mirror.offer(
          [],
          [candle('MSFT', T0, 100 + version, version), candle('MSFT', T0 + 60_000, 200 + version, 10 * version)],
        );
      }
      mirror.offer([], [{ ...candle('MSFT', T0, 1, 1), interval: '1h' }]);
      await mirror.flush();
      await mirror.close();

      const series = await influx.query(
        `SELECT open, high, low, close, volume, vwap, trades FROM "candles-1m" WHERE symbol = 'MSFT'`,
        name,
      );
      const last = [candle('MSFT', T0, 105, 5), candle('MSFT', T0 + 60_000, 205, 50)];
      expect(series[0]!.values).toEqual(
        last.map((c) => [c.start, c.open, c.high, c.low, c.close, c.volume, vwap(c), c.trades]),
      );
      expect((await influx.query('SELECT close FROM "candles-1h"', name))[0]!.values).toEqual([[T0, 1]]);
      const fieldTypes = await influx.query('SHOW FIELD KEYS FROM "candles-1m"', name);
      expect(Object.fromEntries(fieldTypes[0]!.values as string[][])).toEqual({
        open: 'float',
        high: 'float',
        low: 'float',
        close: 'float',
        volume: 'float',
        vwap: 'float',
        trades: 'integer',
      });
    });

    it('stores symbols with spaces, commas, equals, quotes, backslashes and unicode exactly, and refuses what cannot be stored', async () => {
      const { db, name } = await fresh();
      const mirror = new InfluxMirror({ settings: testMirrorSettings(influx.url, name), db });
      const symbols = [
        'BRK B',
        'A,B',
        'X=Y',
        'say "hi"',
        "it's",
        'back\\slash',
        'C:\\dir\\\\file',
        'Zürich 😀',
        '日本株 7203',
        ' lead,=trail ',
      ];
      const ticks = makeTicks(symbols, 20);
      mirror.offer(
        ticks,
        symbols.map((s, i) => candle(s, T0, 100 + i, i + 1)),
      );
      // A backslash before a space has no spelling the server reads back as written.
      mirror.offer(makeTicks(['end\\', 'x\\ y'], 1), []);
      await mirror.flush();
      await mirror.close();

      const tagValues = await influx.query('SHOW TAG VALUES FROM "stock-price-v1" WITH KEY = "symbol"', name);
      expect(tagValues[0]!.values.map((row) => row[1]).sort()).toEqual([...symbols].sort());
      expect(await storedTicks(influx, name)).toEqual(expectedTicks(ticks));
      const candles = await influx.query('SELECT close FROM "candles-1m" GROUP BY symbol', name);
      expect(Object.fromEntries(candles.map((s) => [s.tags!.symbol, s.values[0]![1]]))).toEqual(
        Object.fromEntries(symbols.map((s, i) => [s, 100 + i])),
      );
      expect(mirror.status().dropped).toBe(2);
      expect(mirror.status().lastError).toMatch(/backslash/);
    });

    it('keeps lines in SQLite while InfluxDB is down and the app restarts, then delivers them', async () => {
      const { db, name, file } = await fresh();
      const settings = testMirrorSettings(influx.url, name, { batchSize: 50, memoryLines: 100 });
      const ticks = makeTicks(['AAPL', 'MSFT'], 400);
      await influx.stop();
      const first = new InfluxMirror({ settings, db, backoff: { baseMs: 20, maxMs: 100 } });
      first.offer(ticks.slice(0, 500), []);
      await until(() => first.status().state === 'failing', 'the mirror to notice the server is down');
      first.offer(ticks.slice(500), []);
      await first.close(0);
      expect(first.status()).toMatchObject({ written: 0, dropped: 0, spilled: 800 });
      db.close();

      // A new process: the spill table is all that is left of the lines.
      const reopened = openDatabase(file);
      dbs.push(reopened);
      expect(reopened.prepare('SELECT SUM(count) FROM influx_spill').pluck().get()).toBe(800);
      await influx.start();
      const second = new InfluxMirror({ settings, db: reopened });
      await second.flush();
      await second.close();
      expect(second.status()).toMatchObject({ state: 'ok', written: 800, spilled: 0, dropped: 0 });
      expect(await storedTicks(influx, name)).toEqual(expectedTicks(ticks));
      expect(reopened.prepare('SELECT COUNT(*) FROM influx_spill').pluck().get()).toBe(0);
    });

    it('drops the oldest lines beyond the spill limit and counts them', async () => {
      const { db, name } = await fresh();
      await influx.stop();
      const settings = testMirrorSettings(influx.url, name, { batchSize: 100, memoryLines: 100, spillLimitLines: 300 });
      const mirror = new InfluxMirror({ settings, db, backoff: { baseMs: 20, maxMs: 50 } });
      const ticks = makeTicks(['NVDA'], 1_000);
      mirror.offer(ticks, []);
      expect(mirror.status()).toMatchObject({ dropped: 700, spilled: 300, buffered: 0 });
      await influx.start();
      await mirror.flush();
      await mirror.close();
      expect(await storedTicks(influx, name)).toEqual(expectedTicks(ticks.slice(700)));
      expect(mirror.status()).toMatchObject({ state: 'ok', written: 300, dropped: 700 });
      expect(mirror.status().lastError).toMatch(/spill limit of 300 lines was reached/);
    });

    it('counts only the lines a partial write dropped (field type conflict in one shard), and goes on', async () => {
      const { db, name } = await fresh();
      // Someone else wrote volume as an integer in the shard of the first week: InfluxDB fixes types per shard.
      const res = await fetch(`${influx.url}/write?db=${name}&precision=ms`, {
        method: 'POST',
        body: `stock-price-v1,symbol=OTHER volume=1i ${T0 - 1}`,
      });
      expect(res.status).toBe(204);
      const mirror = new InfluxMirror({ settings: testMirrorSettings(influx.url, name), db });
      const conflicting = makeTicks(['AAPL'], 10);
      const nextMonth = makeTicks(['AAPL'], 5, T0 + 30 * 86_400_000);
      mirror.offer([...conflicting, ...nextMonth], []);
      await mirror.flush();
      await mirror.close();
      expect(mirror.status()).toMatchObject({ state: 'ok', written: 5, dropped: 10 });
      expect(mirror.status().lastError).toMatch(
        /^InfluxDB refused 10 of 15 lines: 400 partial write: field type conflict/,
      );
      // Polled: a CI run once read the new shard's points back with their price still null.
      await expect
        .poll(async () => (await storedTicks(influx, name)).filter((t) => t.symbol === 'AAPL'), { timeout: 10_000 })
        .toEqual(expectedTicks(nextMonth));
    });

    it('keeps retrying while the database does not exist, and delivers once it is created', async () => {
      const { db } = await fresh();
      const mirror = new InfluxMirror({
        settings: testMirrorSettings(influx.url, 'created_later'),
        db,
        backoff: { baseMs: 20, maxMs: 100 },
      });
      const ticks = makeTicks(['AMZN'], 50);
      mirror.offer(ticks, []);
      await until(() => mirror.status().state === 'failing', 'the missing database to be reported');
      expect(mirror.status().lastError).toBe('404 database not found: "created_later"');
      await influx.query('CREATE DATABASE created_later');
      await mirror.flush();
      await mirror.close();
      expect(mirror.status()).toMatchObject({ state: 'ok', written: 50, dropped: 0 });
      expect(await storedTicks(influx, 'created_later')).toEqual(expectedTicks(ticks));
    });

    it('tests the connection: says which InfluxDB answered, and what is wrong', async () => {
      const { name } = await fresh();
      const ok = await testInfluxConnection(testMirrorSettings(influx.url, name));
      expect(ok).toEqual({ ok: true, version: expect.stringMatching(/^1\./), message: expect.stringContaining(name) });
      expect(ok.message).toContain(`InfluxDB ${ok.version} answered`);

      const missing = await testInfluxConnection(testMirrorSettings(influx.url, 'no_such_db'));
      expect(missing.ok).toBe(false);
      expect(missing.message).toMatch(/has no database "no_such_db"/);

      await influx.stop();
      const down = await testInfluxConnection(testMirrorSettings(influx.url, name));
      await influx.start();
      expect(down).toEqual({
        ok: false,
        message: expect.stringMatching(/^Nothing answered at http:\/\/127\.0\.0\.1:\d+/),
      });
    });

    it('mirrors what the running app commits: every stored tick and the final 1m candles', async () => {
      const name = `mm_app`;
      await influx.query(`CREATE DATABASE ${name}`);
      const app = await MarketMonitor.open({
        dbPath: path.join(dir, 'app.db'),
        starterSymbols: ['AAPL', 'MSFT', 'NVDA'],
        statusEveryMs: 60_000,
        overrides: {
          source: { kind: 'simulator', simulator: { seed: 3, ticksPerSecond: 400 } },
          influx: { enabled: true, url: influx.url, db: name, flushIntervalMs: 50 },
        },
      });
      try {
        await until(() => app.status().engine.accepted >= 500, '500 ticks', 15_000);
        app.setPaused(true);
        await app.drain();
        await until(() => {
          const m = influxSink(app.status())!;
          return m.buffered === 0 && m.spilled === 0;
        }, 'the mirror to catch up');
        expect(influxSink(app.status())).toMatchObject({ state: 'ok', dropped: 0 });

        // InfluxDB keeps one point per (symbol, millisecond): compare with SQLite's distinct ones.
        const sqlTicks = app.db
          .prepare(
            `SELECT symbol, ts, price, volume, side FROM ticks WHERE id IN (SELECT MAX(id) FROM ticks GROUP BY symbol, ts)`,
          )
          .all() as Array<{ symbol: string; ts: number; price: number; volume: number; side: string | null }>;
        expect(await storedTicks(influx, name)).toEqual(
          expectedTicks(
            sqlTicks.map((t) => ({ ...t, source: 'simulator', ...(t.side ? { side: t.side } : {}) }) as Tick),
          ),
        );
        const sqlCandles = app.db
          .prepare(`SELECT * FROM candles WHERE interval = '1m' ORDER BY symbol, start`)
          .all() as Array<Record<string, number>>;
        const influxCandles = (
          await influx.query(
            'SELECT open, high, low, close, volume, vwap, trades FROM "candles-1m" GROUP BY symbol',
            name,
          )
        ).flatMap((s) => s.values);
        expect(influxCandles).toEqual(
          sqlCandles.map((c) => [
            c.start,
            c.open,
            c.high,
            c.low,
            c.close,
            c.volume,
            c.volume! > 0 ? c.turnover! / c.volume! : c.close,
            c.trades,
          ]),
        );
      } finally {
        await app.close();
      }
    });
  },
);
