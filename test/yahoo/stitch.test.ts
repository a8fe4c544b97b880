import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import type { Candle } from '../../engine/domain/candle.ts';
import type { Interval } from '../../engine/domain/interval.ts';
import type { Bar } from '../../engine/sources/replay/bars-to-ticks.ts';
import { yahooClientFactory } from '../../engine/sources/yahoo/yahoo-client.ts';
import { TickProcessor } from '../../engine/stream/tick-processor.ts';
import { createFixtureFetch } from '../support/yahoo-fixtures.ts';
import { tempDir } from '../unit/helpers.ts';
import { editQuote, minuteChart, type MinuteChart } from './helpers.ts';

const MINUTE = 60_000;
/** Friday 2025-02-14, the day of the recorded AAPL quote: the session opened at 14:30 UTC. */
const SESSION_OPEN = Date.UTC(2025, 1, 14, 14, 30);
const NY_DAY = Date.UTC(2025, 1, 14, 5);
const HOUR = Date.UTC(2025, 1, 14, 20);
/** The feed starts at 20:37:20, so it owns the 20:00 hour and the day from 20:37 on. */
const START = Date.UTC(2025, 1, 14, 20, 37, 20);
const STITCH = Date.UTC(2025, 1, 14, 20, 37);

/** What history knows: every minute of the session up to 20:59. */
const BARS: Bar[] = Array.from({ length: (HOUR + 60 * MINUTE - SESSION_OPEN) / MINUTE }, (_, i) => {
  const open = 240 + (i % 50) / 10;
  const start = SESSION_OPEN + i * MINUTE;
  return { start, open, high: open + 0.3, low: open - 0.2, close: open + 0.1, volume: 1_000 + i };
});

const BASE_VOLUME = 40_000_000;

interface Live {
  ts: number;
  price: number;
  volume: number;
}

let app: MarketMonitor | undefined;
const cleanups: Array<() => void> = [];
afterEach(async () => {
  await app?.close();
  app = undefined;
  for (const cleanup of cleanups.splice(0)) cleanup();
  vi.useRealTimers();
});

/** A monitor on the recorded AAPL exchanges at a fixed clock, whose quote says what `live` says. */
async function openAt(
  now: number,
  dbPath: string,
  live: Live,
  bars: readonly Bar[] = BARS,
): Promise<{ app: MarketMonitor; release: () => void; chart: MinuteChart }> {
  vi.setSystemTime(now);
  const fixtures = createFixtureFetch();
  fixtures.always(
    'quote?symbols',
    editQuote('AAPL', (row) => {
      row.regularMarketTime = live.ts / 1_000;
      row.regularMarketPrice = live.price;
      row.regularMarketVolume = live.volume;
    }),
  );
  const chart = minuteChart(fixtures, bars);
  let release!: () => void;
  chart.hold(new Promise<void>((resolve) => (release = resolve)));
  const opened = await MarketMonitor.open({
    dbPath,
    overrides: { source: { kind: 'yahoo' } },
    starterSymbols: ['AAPL'],
    yahooClient: yahooClientFactory({ fetch: chart.fetch, timeoutMs: 2_000 }),
    statusEveryMs: 60_000,
  });
  app = opened;
  await opened.yahooSource!.firstPoll;
  // Yahoo's history answers wait until the test releases them.
  return { app: opened, release, chart };
}

/** A database file that outlives the monitor (a restart). */
function fileDb(): string {
  const { dir, cleanup } = tempDir('mm-stitch-');
  cleanups.push(cleanup);
  return path.join(dir, 'market.db');
}

/** Started again at 21:05:20, after the session ended at 21:00, with history answering at once. */
async function restartAfterClose(dbPath: string, live: Live): Promise<MarketMonitor> {
  Object.assign(live, { ts: Date.UTC(2025, 1, 14, 21), price: 244.5, volume: live.volume + 700 });
  const opened = await openAt(Date.UTC(2025, 1, 14, 21, 5, 20), dbPath, live);
  opened.release();
  await opened.app.yahooHistory!.idle();
  return opened.app;
}

/** A trade the live feed saw, as its tick. */
interface Trade {
  ts: number;
  price: number;
  volume: number;
}

/** The live feed sees a trade: the next poll makes a tick of it, which the engine commits. */
async function trade(app: MarketMonitor, live: Live, ts: number, price: number, volume: number): Promise<Trade> {
  Object.assign(live, { ts, price, volume: live.volume + volume });
  await app.yahooSource!.pollNow();
  await app.drain();
  return { ts, price, volume };
}

function candle(app: MarketMonitor, interval: Interval, start: number): Candle | undefined {
  return app.store.candles({ symbol: 'AAPL', interval, from: start, to: start })[0];
}

/** History's bars in [from, until). */
function barsIn(from: number, until: number): Bar[] {
  return BARS.filter((b) => b.start >= from && b.start < until);
}

/** The oracle: a window made of history's bars and the live trades, each once, in event-time order. */
function expectMerged(got: Candle | undefined, bars: readonly Bar[], trades: readonly Trade[]) {
  const parts = [
    ...bars.map((b) => ({ ts: b.start, open: b.open, close: b.close, high: b.high, low: b.low, volume: b.volume })),
    ...trades.map((t) => ({ ts: t.ts, open: t.price, close: t.price, high: t.price, low: t.price, volume: t.volume })),
  ].sort((a, b) => a.ts - b.ts);
  expect(got).toMatchObject({
    open: parts[0]!.open,
    high: Math.max(...parts.map((p) => p.high)),
    low: Math.min(...parts.map((p) => p.low)),
    close: parts.at(-1)!.close,
    volume: parts.reduce((sum, p) => sum + p.volume, 0),
    trades: trades.length,
  });
}

describe('Windows across the stitch hold history before it and live ticks after it', () => {
  it('history finishing after live ticks reached the window is merged in, once, and survives a restart', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const dbPath = fileDb();
    const live: Live = { ts: STITCH - 10_000, price: 244, volume: BASE_VOLUME }; // before the stitch: history's
    const opened = await openAt(START, dbPath, live);
    const trades: Trade[] = [];
    for (let minute = 0; minute <= 8; minute++)
      trades.push(await trade(opened.app, live, STITCH + minute * MINUTE + 10_000, 245 + minute / 10, 100 + minute));
    // Only the live part so far: the backfill is still waiting for Yahoo.
    expectMerged(candle(opened.app, '1h', HOUR), [], trades);

    opened.release();
    await opened.app.yahooHistory!.idle();
    expectMerged(candle(opened.app, '1h', HOUR), barsIn(HOUR, STITCH), trades);
    expectMerged(candle(opened.app, '1d', NY_DAY), barsIn(NY_DAY, STITCH), trades);
    const quarter = HOUR + 30 * MINUTE;
    expectMerged(candle(opened.app, '15m', quarter), barsIn(quarter, STITCH), trades.slice(0, 8));

    // The engine's open window is the merged one: a later tick amends it instead of replacing it.
    trades.push(await trade(opened.app, live, STITCH + 8 * MINUTE + 40_000, 243, 50));
    expectMerged(candle(opened.app, '1h', HOUR), barsIn(HOUR, STITCH), trades);
    await opened.app.close();

    // Quit at 20:45 and started again after the session ended at 21:00: history fills 20:46-20:59,
    // which also completes the 20:00 hour that ended meanwhile, and nothing is counted twice.
    const again = await restartAfterClose(dbPath, live);
    const away = barsIn(STITCH + 9 * MINUTE, HOUR + 60 * MINUTE);
    expectMerged(candle(again, '1h', HOUR), [...barsIn(HOUR, STITCH), ...away], trades);
    expectMerged(candle(again, '1d', NY_DAY), [...barsIn(NY_DAY, STITCH), ...away], trades);
  });

  it('history finishing before any live tick fills the window first, and live ticks amend it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const live: Live = { ts: STITCH - 10_000, price: 244, volume: BASE_VOLUME };
    const opened = await openAt(START, ':memory:', live);
    opened.release();
    await opened.app.yahooHistory!.idle();
    expectMerged(candle(opened.app, '1h', HOUR), barsIn(HOUR, STITCH), []);

    const trades = [await trade(opened.app, live, STITCH + 20_000, 246, 300)];
    expectMerged(candle(opened.app, '1h', HOUR), barsIn(HOUR, STITCH), trades);
    expectMerged(candle(opened.app, '5m', HOUR + 35 * MINUTE), barsIn(HOUR + 35 * MINUTE, STITCH), trades);
  });
});

describe('A backfill interrupted between its writes and its merge', () => {
  it('is merged by the next backfill, though that one finds those minutes stored', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const dbPath = fileDb();
    const live: Live = { ts: STITCH - 10_000, price: 244, volume: BASE_VOLUME };
    const opened = await openAt(START, dbPath, live);
    const trades = [
      await trade(opened.app, live, STITCH + 10_000, 245, 100),
      await trade(opened.app, live, STITCH + 9 * MINUTE + 10_000, 245.2, 900), // the next quarter
    ];
    // Killed after the history was stored and before the merge: the state it leaves behind.
    const merge = vi.spyOn(TickProcessor.prototype, 'mergeHistory').mockReturnValueOnce([]);
    opened.release();
    await opened.app.yahooHistory!.idle();
    merge.mockRestore();
    const quarter = HOUR + 30 * MINUTE;
    expectMerged(candle(opened.app, '15m', quarter), [], trades.slice(0, 1));
    await opened.app.close();

    // The restart's backfill fills the minutes after the last tick only, in the next quarter.
    const again = await restartAfterClose(dbPath, live);
    expectMerged(candle(again, '15m', quarter), barsIn(quarter, STITCH), trades.slice(0, 1));
    expectMerged(candle(again, '5m', HOUR + 35 * MINUTE), barsIn(HOUR + 35 * MINUTE, STITCH), trades.slice(0, 1));
    const away = barsIn(STITCH + 10 * MINUTE, HOUR + 60 * MINUTE);
    expectMerged(candle(again, '1h', HOUR), [...barsIn(HOUR, STITCH), ...away], trades);
  });
});

describe('A merge that fails', () => {
  it('is reported in the status line, not thrown at the host', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const live: Live = { ts: STITCH - 10_000, price: 244, volume: BASE_VOLUME };
    const opened = await openAt(START, ':memory:', live);
    const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    const merge = vi.spyOn(TickProcessor.prototype, 'mergeHistory').mockImplementationOnce(() => {
      throw busy;
    });
    opened.release();
    await opened.app.yahooHistory!.idle();
    merge.mockRestore();
    expect(opened.app.yahooHistory!.failures).toEqual(['merge AAPL: database is locked']);
    expect(opened.app.currentSource.status().message).toContain('History of AAPL not merged: database is locked');
  });
});

describe('A break in the live feed', () => {
  it('the tick after it carries what traded meanwhile, so no later backfill fills its minutes again', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const dbPath = fileDb();
    const live: Live = { ts: STITCH - 10_000, price: 244, volume: BASE_VOLUME };
    const opened = await openAt(START, dbPath, live);
    opened.release();
    await opened.app.yahooHistory!.idle();
    // Polls fail for ten minutes (429s, the laptop asleep): the next quote's tick holds all of it.
    const trades = [
      await trade(opened.app, live, STITCH + 10_000, 245, 100),
      await trade(opened.app, live, STITCH + 10 * MINUTE + 10_000, 245.5, 6_000),
    ];
    expectMerged(candle(opened.app, '1h', HOUR), barsIn(HOUR, STITCH), trades);
    await opened.app.close();

    // Started again after the close: history fills what traded after the last tick, not the break.
    const again = await restartAfterClose(dbPath, live);
    const after = barsIn(STITCH + 11 * MINUTE, HOUR + 60 * MINUTE);
    expectMerged(candle(again, '1h', HOUR), [...barsIn(HOUR, STITCH), ...after], trades);
    expectMerged(candle(again, '1d', NY_DAY), [...barsIn(NY_DAY, STITCH), ...after], trades);
    expect(candle(again, '1m', STITCH + 5 * MINUTE)).toBeUndefined();
    expect(candle(again, '5m', HOUR + 40 * MINUTE)).toBeUndefined();
    const fives = again.store.candles({ symbol: 'AAPL', interval: '5m', from: HOUR, to: HOUR + 55 * MINUTE });
    expect(fives.reduce((sum, c) => sum + c.volume, 0)).toBe(candle(again, '1h', HOUR)!.volume);
  });
});

describe("A new exchange day's first quote", () => {
  /** Thursday's close, the quote seen first. */
  const thursday = (): Live => ({ ts: Date.UTC(2025, 1, 13, 21), price: 243, volume: BASE_VOLUME });

  /** The day's first quote seen, with all the day's volume so far. */
  async function firstOfDay(app: MarketMonitor, live: Live, ts: number, price: number, cumulative: number) {
    // The quote is seen once it exists: a clock behind it would call it "from the future".
    vi.setSystemTime(Math.max(Date.now(), ts));
    Object.assign(live, { ts, price, volume: cumulative });
    await app.yahooSource!.pollNow();
    await app.drain();
  }

  it('counts the opening volume when the feed began before the open', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const live = thursday();
    const opened = await openAt(Date.UTC(2025, 1, 14, 13, 0, 20), ':memory:', live); // 08:00 in New York
    opened.release();
    await opened.app.yahooHistory!.idle();
    await firstOfDay(opened.app, live, SESSION_OPEN + 5_000, 245, 2_500_000); // the opening auction
    const trades = [
      { ts: SESSION_OPEN + 5_000, price: 245, volume: 2_500_000 },
      await trade(opened.app, live, SESSION_OPEN + 10_000, 245.1, 100),
    ];
    expectMerged(candle(opened.app, '1d', NY_DAY), [], trades);
  });

  it('leaves to history what it stored of the day before the feed began', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const live = thursday(); // a lagging server's answer, although Friday traded all day
    const opened = await openAt(START, ':memory:', live);
    opened.release();
    await opened.app.yahooHistory!.idle();
    const before = barsIn(NY_DAY, STITCH).reduce((sum, b) => sum + b.volume, 0);
    await firstOfDay(opened.app, live, STITCH + 10_000, 245, before + 100);
    const trades = [{ ts: STITCH + 10_000, price: 245, volume: 100 }];
    expectMerged(candle(opened.app, '1d', NY_DAY), barsIn(NY_DAY, STITCH), trades);
  });
});

describe('The watchlist after a merge', () => {
  it("shows the newest day's open and volume, though the merge re-derived an older day after it", async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const dbPath = fileDb();
    const thursday = Date.UTC(2025, 1, 13, 20, 37);
    // Thursday's last minutes, after the feed was quit: the next run's backfill fills them.
    const thursdayBars = barsIn(HOUR + 39 * MINUTE, HOUR + 60 * MINUTE).map((b) => ({
      ...b,
      start: b.start - 86_400_000,
    }));
    const live: Live = { ts: thursday - 10_000, price: 199, volume: BASE_VOLUME };
    let opened = await openAt(thursday + 20_000, dbPath, live, thursdayBars);
    opened.release();
    await opened.app.yahooHistory!.idle();
    await trade(opened.app, live, thursday + MINUTE + 10_000, 200, 5);
    await opened.app.close();

    Object.assign(live, { ts: STITCH + 10_000, price: 250, volume: BASE_VOLUME });
    opened = await openAt(START, dbPath, live, [...thursdayBars, ...BARS]);
    await trade(opened.app, live, STITCH + 20_000, 251, 7);
    opened.release();
    await opened.app.yahooHistory!.idle();
    const friday = candle(opened.app, '1d', NY_DAY)!;
    expect(candle(opened.app, '1d', NY_DAY - 86_400_000)!.trades).toBe(1); // re-derived too
    expect(opened.app.watchItems()[0]).toMatchObject({ dayOpen: friday.open, dayVolume: friday.volume });
  });
});

describe('The Yahoo feed restarted or rewatched within a run', () => {
  it('the first quote after a settings save, stored already, is not a trade again', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const live: Live = { ts: STITCH + 10_000, price: 245, volume: BASE_VOLUME };
    const opened = await openAt(START, ':memory:', live);
    opened.release();
    await opened.app.drain();
    await opened.app.updateSettings(opened.app.settings);
    await opened.app.yahooSource!.firstPoll;
    await opened.app.drain();
    expect(opened.app.store.tickCount()).toBe(1);
    expect(candle(opened.app, '1m', STITCH)).toMatchObject({ trades: 1, volume: 0 });
  });

  it('a symbol removed while its backfill runs is backfilled again when it is added back', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const live: Live = { ts: STITCH - 10_000, price: 244, volume: BASE_VOLUME };
    const { app, release, chart } = await openAt(START, ':memory:', live);
    for (let i = 0; i < 2_000 && chart.asked.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(chart.asked.length).toBeGreaterThan(0); // the backfill waits on Yahoo's answer
    app.removeSymbol('AAPL');
    release();
    await app.yahooHistory!.idle();

    vi.setSystemTime(START + 5 * MINUTE);
    app.addSymbol('AAPL');
    await app.yahooSource!.pollNow();
    await app.yahooHistory!.idle();
    expect(chart.asked.filter((r) => r.interval === '1m').map((r) => r.to)).toEqual([STITCH, STITCH + 5 * MINUTE]);
  });

  it('a symbol removed and added again is backfilled again, for what traded while it was away', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const live: Live = { ts: STITCH - 10_000, price: 244, volume: BASE_VOLUME };
    const { app, release, chart } = await openAt(START, ':memory:', live);
    release();
    await app.yahooHistory!.idle();
    const trades = [
      await trade(app, live, STITCH + 10_000, 245, 100),
      await trade(app, live, STITCH + MINUTE + 10_000, 245.5, 101),
    ];
    vi.setSystemTime(STITCH + 2 * MINUTE + 30_000);
    app.removeSymbol('AAPL');

    const back = Date.UTC(2025, 1, 14, 20, 50);
    vi.setSystemTime(back + 20_000);
    Object.assign(live, { ts: back + 10_000, price: 244.5, volume: live.volume + 5_000 });
    app.addSymbol('AAPL');
    await app.yahooHistory!.idle();
    await app.drain();
    expect(chart.asked.filter((r) => r.interval === '1m').map((r) => r.to)).toEqual([STITCH, back]);
    const away = app.store.candles({ symbol: 'AAPL', interval: '1m', from: STITCH + 2 * MINUTE, to: back - 1 });
    expect(away.map((c) => [c.start, c.trades])).toEqual(
      Array.from({ length: 11 }, (_, i) => [STITCH + (2 + i) * MINUTE, 0]),
    );
    trades.push({ ts: back + 10_000, price: 244.5, volume: 0 }); // the first quote after adding sets the baseline
    expectMerged(candle(app, '1h', HOUR), [...barsIn(HOUR, STITCH), ...barsIn(STITCH + 2 * MINUTE, back)], trades);
  });
});
