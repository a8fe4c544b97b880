import path from 'node:path';
import { describe, it, expect, afterEach, vi } from 'vitest';
import type { EventName } from '../../engine/api/contract.ts';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import type { Candle } from '../../engine/domain/candle.ts';
import { DEFAULT_SETTINGS } from '../../engine/domain/settings.ts';
import { MarketSimulator } from '../../engine/sources/simulator.ts';
import { sqlCandles, tempDir, until } from './helpers.ts';

const FAST = { source: { simulator: { ticksPerSecond: 1_000 } } };

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function dbPath(): string {
  const tmp = tempDir();
  cleanups.push(tmp.cleanup);
  return path.join(tmp.dir, 'market.db');
}

async function open(file: string, overrides: object | null = FAST, starterSymbols?: string[]): Promise<MarketMonitor> {
  const app = await MarketMonitor.open({
    dbPath: file,
    ...(overrides ? { overrides } : {}),
    ...(starterSymbols ? { starterSymbols } : {}),
  });
  let closed = false;
  const close = app.close.bind(app);
  app.close = async () => {
    if (closed) return;
    closed = true;
    await close();
  };
  cleanups.push(() => app.close());
  return app;
}

function ticksOf(app: MarketMonitor, symbol: string): number {
  return (app.db.prepare('SELECT count(*) AS n FROM ticks WHERE symbol = ?').get(symbol) as { n: number }).n;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('MarketMonitor', () => {
  it('adds symbols, refuses bad ones and duplicates without losing anything, and candles appear', async () => {
    const app = await open(dbPath());
    const events: Array<{ event: EventName; payload: unknown }> = [];
    app.events.subscribe((event, payload) => events.push({ event, payload }));
    expect(app.watchItems()).toEqual([]);
    expect(app.settings.source.simulator.ticksPerSecond).toBe(1_000);

    const items = app.addSymbol(' aapl ');
    expect(items.map((i) => i.symbol)).toEqual(['AAPL']);
    app.addSymbol('MSFT');

    expect(() => app.addSymbol('bad symbol!')).toThrow(/symbol/i);
    expect(() => app.addSymbol('AAPL')).toThrow(/already on the watchlist/);
    expect(() => app.removeSymbol('NVDA')).toThrow(/not on the watchlist/);
    expect(app.watchlist.symbols()).toEqual(['AAPL', 'MSFT']);

    await until(() => app.store.candles({ symbol: 'AAPL', interval: '1s' }).length > 0, 'AAPL candles', 5_000);
    expect(app.store.candles({ symbol: 'AAPL', interval: '1m' }).length).toBeGreaterThan(0);
    await until(() => events.some((e) => e.event === 'candles'), 'a candles event', 2_000);
    const pushed = events.filter((e) => e.event === 'candles').flatMap((e) => e.payload as Candle[]);
    expect(pushed.some((c) => c.symbol === 'AAPL')).toBe(true);
    await until(() => app.watchItems().every((i) => i.last !== null), 'last prices', 2_000);
    const last = app.watchItems().find((i) => i.symbol === 'AAPL')!.last!;
    expect(last.price).toBeGreaterThan(0);

    // The refused calls lost nothing.
    expect(app.watchlist.symbols()).toEqual(['AAPL', 'MSFT']);
  });

  it('the source follows the watchlist: a removed symbol gets no new ticks after drain, and keeps its data', async () => {
    const app = await open(dbPath(), FAST, ['AAPL', 'MSFT']);
    expect(app.watchlist.symbols()).toEqual(['AAPL', 'MSFT']);
    await until(() => ticksOf(app, 'AAPL') > 0 && ticksOf(app, 'MSFT') > 0, 'ticks of both', 5_000);

    app.removeSymbol('aapl');
    await app.drain();
    const aaplTicks = ticksOf(app, 'AAPL');
    const aaplCandles = app.store.candles({ symbol: 'AAPL', interval: '1s' });
    const msftTicks = ticksOf(app, 'MSFT');

    await sleep(350); // several emit periods
    await app.drain();
    expect(ticksOf(app, 'AAPL')).toBe(aaplTicks);
    expect(app.store.candles({ symbol: 'AAPL', interval: '1s' })).toEqual(aaplCandles);
    expect(aaplCandles.length).toBeGreaterThan(0);
    expect(ticksOf(app, 'MSFT')).toBeGreaterThan(msftTicks);

    // And back on: it trades again.
    app.addSymbol('AAPL');
    await until(() => ticksOf(app, 'AAPL') > aaplTicks, 'AAPL again', 5_000);
  });

  it('candles equal a SQL recomputation over the stored ticks, and status counts what was stored', async () => {
    const app = await open(dbPath(), FAST, ['AAPL', 'MSFT', 'NVDA']);
    await until(() => app.store.tickCount() > 300, 'some ticks', 5_000);
    app.setPaused(true);
    expect(app.status().source.state).toBe('paused');
    await sleep(150); // an emit already on its way may still land
    await app.drain();

    const status = app.status();
    expect(status.engine.accepted).toBe(app.store.tickCount());
    expect(status.engine.late + status.engine.invalid).toBe(app.store.deadLetterCount());
    expect(status.bus.partitions.every((p) => p.lag === 0)).toBe(true);
    expect(status.bus.partitions.reduce((n, p) => n + p.consumedOffset, 0)).toBe(
      app.store.tickCount() + app.store.deadLetterCount(),
    );

    for (const [interval, size] of [
      ['1s', 1_000],
      ['1m', 60_000],
    ] as const) {
      const expected = sqlCandles(app.db, interval, size);
      const got = app.db
        .prepare(
          `SELECT symbol, interval, start, open, high, low, close, volume, turnover, trades, buy_volume,
                         sell_volume, open_ts, close_ts FROM candles WHERE interval = ? ORDER BY symbol, start`,
        )
        .all(interval) as Array<Record<string, number>>;
      expect(got.length).toBe(expected.length);
      got.forEach((row, i) => {
        const want = expected[i] as Record<string, number>;
        for (const [column, value] of Object.entries(want)) {
          if (column === 'turnover' || column.endsWith('volume')) expect(row[column]).toBeCloseTo(value, 6);
          else expect(row[column], `${interval} ${row.symbol} ${row.start} ${column}`).toBe(value);
        }
      });
    }
  });

  it('reports its open windows in the status', async () => {
    const app = await open(dbPath(), FAST, ['AAPL']);
    await until(() => app.store.candles({ symbol: 'AAPL', interval: '1s' }).length > 0, 'candles', 5_000);
    // With ticks flowing, at least the current window of every interval is open.
    expect(app.status().engine.openWindows).toBeGreaterThanOrEqual(app.settings.stream.intervals.length);
  });

  it('close() then reopening the same file keeps the watchlist, its order and the data; overrides are not saved', async () => {
    const file = dbPath();
    let app = await open(file, FAST, ['AAPL', 'MSFT', 'NVDA']);
    app.reorderWatchlist(['NVDA', 'AAPL']);
    app.removeSymbol('MSFT');
    app.addSymbol('GC=F');
    const order = app.watchlist.symbols();
    expect(order).toEqual(['NVDA', 'AAPL', 'GC=F']);
    await until(() => app.store.tickCount() > 0, 'ticks', 5_000);
    await app.close();

    const reopened = await open(file, null, ['SHOULD-NOT-APPEAR']);
    app = reopened;
    expect(app.watchlist.symbols()).toEqual(order);
    expect(app.store.tickCount()).toBeGreaterThan(0);
    expect(app.settings.source.simulator.ticksPerSecond).toBe(DEFAULT_SETTINGS.source.simulator.ticksPerSecond);
  });

  it('saves settings updated through the app and keeps running with them', async () => {
    const file = dbPath();
    let app = await open(file, null, ['AAPL']);
    const saved = await app.updateSettings({
      ...app.settings,
      stream: { ...app.settings.stream, intervals: ['1s', '1m'] },
    });
    expect(saved.stream.intervals).toEqual(['1s', '1m']);
    await expect(app.updateSettings({ bus: { partitions: 0 } } as never)).rejects.toThrow();
    expect(app.settings.stream.intervals).toEqual(['1s', '1m']);
    await until(() => app.store.candles({ symbol: 'AAPL', interval: '1s' }).length > 0, 'candles', 5_000);
    expect(app.store.candles({ symbol: 'AAPL', interval: '1h' })).toEqual([]);
    await app.close();

    app = await open(file, null);
    expect(app.settings.stream.intervals).toEqual(['1s', '1m']);
  });

  it("saves the simulator's trading hours: the running source follows at once, a reopen keeps them, a bad value is refused", async () => {
    const file = dbPath();
    let app = await open(file, null, ['AAPL']);
    expect(app.settings.source.simulator.sessions).toBe('continuous');
    expect(app.currentSource.status().message).not.toMatch(/New York/);
    const withSessions = (sessions: string) =>
      ({
        ...app.settings,
        source: { ...app.settings.source, simulator: { ...app.settings.source.simulator, sessions } },
      }) as never;
    await app.updateSettings(withSessions('exchange'));
    expect(app.settings.source.simulator.sessions).toBe('exchange');
    // Whatever the hour of the run, the message names the exchange's phase or its next opening.
    expect(app.currentSource.status().message).toMatch(/New York/);
    await expect(app.updateSettings(withSessions('lunar'))).rejects.toThrow();
    expect(app.settings.source.simulator.sessions).toBe('exchange');
    await app.close();

    app = await open(file, null);
    expect(app.settings.source.simulator.sessions).toBe('exchange');
  });

  it('saves that overlap (a double click, a close during a save) rebuild the pipeline one at a time: no source left running', async () => {
    const running = new Set<object>();
    const start = vi.spyOn(MarketSimulator.prototype, 'start').mockImplementation(function (this: MarketSimulator) {
      running.add(this);
    });
    const stop = vi.spyOn(MarketSimulator.prototype, 'stop').mockImplementation(async function (this: MarketSimulator) {
      running.delete(this);
    });
    try {
      const app = await open(dbPath(), null, ['AAPL']);
      const settings = (tps: number) => ({
        ...app.settings,
        source: { ...app.settings.source, simulator: { ...app.settings.source.simulator, ticksPerSecond: tps } },
      });
      const saves = [app.updateSettings(settings(7)), app.updateSettings(settings(9))];
      await Promise.all(saves);
      expect(running.size).toBe(1);
      expect(app.settings.source.simulator.ticksPerSecond).toBe(9);
      const late = app.updateSettings(settings(11));
      await app.close();
      await late.catch(() => undefined);
      expect(running.size).toBe(0);
    } finally {
      start.mockRestore();
      stop.mockRestore();
    }
  });
});
