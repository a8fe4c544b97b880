import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import type { Candle } from '../../engine/domain/candle.ts';
import type { Interval } from '../../engine/domain/interval.ts';
import type { Bar } from '../../engine/sources/replay/bars-to-ticks.ts';
import { yahooClientFactory } from '../../engine/sources/yahoo/yahoo-client.ts';
import type { YahooSource } from '../../engine/sources/yahoo/yahoo-source.ts';
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
  return { start: SESSION_OPEN + i * MINUTE, open, high: open + 0.3, low: open - 0.2, close: open + 0.1, volume: 1_000 + i };
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
  const chart = minuteChart(fixtures, BARS);
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
  await (opened.currentSource as YahooSource).firstPoll;
  // Yahoo's history answers wait until the test releases them.
  return { app: opened, release, chart };
}

/** The live feed sees a trade: the next poll makes a tick of it, which the engine commits. */
async function trade(app: MarketMonitor, live: Live, ts: number, price: number, volume: number): Promise<void> {
  Object.assign(live, { ts, price, volume: live.volume + volume });
  await (app.currentSource as YahooSource).pollNow();
  await app.drain();
}

function candle(app: MarketMonitor, interval: Interval, start: number): Candle | undefined {
  return app.store.candles({ symbol: 'AAPL', interval, from: start, to: start })[0];
}

/** History's part of a window: its bars before the stitch (or before `until`). */
function historyPart(from: number, until: number) {
  const bars = BARS.filter((b) => b.start >= from && b.start < until);
  return {
    open: bars[0]!.open,
    high: Math.max(...bars.map((b) => b.high)),
    low: Math.min(...bars.map((b) => b.low)),
    volume: bars.reduce((sum, b) => sum + b.volume, 0),
    /** Set where history's last bar is newer than every tick of the window. */
    close: undefined as number | undefined,
  };
}

function expectMerged(got: Candle | undefined, history: ReturnType<typeof historyPart>, ticks: Array<[number, number]>) {
  const prices = ticks.map(([price]) => price);
  expect(got).toMatchObject({
    open: history.open,
    high: Math.max(history.high, ...prices),
    low: Math.min(history.low, ...prices),
    close: history.close ?? prices.at(-1),
    volume: history.volume + ticks.reduce((sum, [, volume]) => sum + volume, 0),
    trades: ticks.length,
  });
}

describe('Windows across the stitch hold history before it and live ticks after it', () => {
  it('history finishing after live ticks reached the window is merged in, once, and survives a restart', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { dir, cleanup } = tempDir('mm-stitch-');
    cleanups.push(cleanup);
    const dbPath = path.join(dir, 'market.db');
    const live: Live = { ts: STITCH - 10_000, price: 244, volume: BASE_VOLUME }; // before the stitch: history's
    let opened = await openAt(START, dbPath, live);
    const ticks: Array<[number, number]> = [];
    for (let minute = 0; minute <= 8; minute++) {
      const price = 245 + minute / 10;
      await trade(opened.app, live, STITCH + minute * MINUTE + 10_000, price, 100 + minute);
      ticks.push([price, 100 + minute]);
    }
    // Only the live part so far: the backfill is still waiting for Yahoo.
    expect(candle(opened.app, '1h', HOUR)).toMatchObject({ open: 245, trades: 9, volume: 900 + 36 });

    opened.release();
    await opened.app.yahooHistory!.idle();
    expectMerged(candle(opened.app, '1h', HOUR), historyPart(HOUR, STITCH), ticks);
    expectMerged(candle(opened.app, '1d', NY_DAY), historyPart(NY_DAY, STITCH), ticks);
    expectMerged(candle(opened.app, '15m', HOUR + 30 * MINUTE), historyPart(HOUR + 30 * MINUTE, STITCH), ticks.slice(0, 8));

    // The engine's open window is the merged one: a later tick amends it instead of replacing it.
    await trade(opened.app, live, STITCH + 8 * MINUTE + 40_000, 243, 50);
    ticks.push([243, 50]);
    expectMerged(candle(opened.app, '1h', HOUR), historyPart(HOUR, STITCH), ticks);
    await opened.app.close();

    // Quit at 20:45 and started again after the session ended at 21:00: history fills 20:46-20:59,
    // which also completes the 20:00 hour that ended meanwhile, and nothing is counted twice.
    Object.assign(live, { ts: Date.UTC(2025, 1, 14, 21), price: 244.5, volume: live.volume + 700 });
    opened = await openAt(Date.UTC(2025, 1, 14, 21, 5, 20), dbPath, live);
    opened.release();
    await opened.app.yahooHistory!.idle();
    const gap = historyPart(STITCH + 9 * MINUTE, HOUR + 60 * MINUTE);
    const withGap = (before: ReturnType<typeof historyPart>) => ({
      open: before.open,
      high: Math.max(before.high, gap.high),
      low: Math.min(before.low, gap.low),
      volume: before.volume + gap.volume,
      close: BARS.find((b) => b.start === HOUR + 59 * MINUTE)!.close,
    });
    expectMerged(candle(opened.app, '1h', HOUR), withGap(historyPart(HOUR, STITCH)), ticks);
    expectMerged(candle(opened.app, '1d', NY_DAY), withGap(historyPart(NY_DAY, STITCH)), ticks);
  });

  it('history finishing before any live tick fills the window first, and live ticks amend it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const live: Live = { ts: STITCH - 10_000, price: 244, volume: BASE_VOLUME };
    const opened = await openAt(START, ':memory:', live);
    opened.release();
    await opened.app.yahooHistory!.idle();
    const { open, high, low, volume } = historyPart(HOUR, STITCH);
    expect(candle(opened.app, '1h', HOUR)).toMatchObject({ open, high, low, volume, trades: 0 });

    await trade(opened.app, live, STITCH + 20_000, 246, 300);
    expectMerged(candle(opened.app, '1h', HOUR), historyPart(HOUR, STITCH), [[246, 300]]);
    expectMerged(candle(opened.app, '5m', HOUR + 35 * MINUTE), historyPart(HOUR + 35 * MINUTE, STITCH), [[246, 300]]);
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
    await (opened.app.currentSource as YahooSource).firstPoll;
    await opened.app.drain();
    expect(opened.app.store.tickCount()).toBe(1);
    expect(candle(opened.app, '1m', STITCH)).toMatchObject({ trades: 1, volume: 0 });
  });

  it('a symbol removed and added again is backfilled again, for what traded while it was away', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const live: Live = { ts: STITCH - 10_000, price: 244, volume: BASE_VOLUME };
    const { app, release, chart } = await openAt(START, ':memory:', live);
    release();
    await app.yahooHistory!.idle();
    await trade(app, live, STITCH + 10_000, 245, 100);
    await trade(app, live, STITCH + MINUTE + 10_000, 245.5, 101);
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
    const before = historyPart(HOUR, STITCH);
    const gap = historyPart(STITCH + 2 * MINUTE, back);
    expectMerged(
      candle(app, '1h', HOUR),
      { ...before, high: Math.max(before.high, gap.high), low: Math.min(before.low, gap.low), volume: before.volume + gap.volume },
      [[245, 100], [245.5, 101], [244.5, 0]],
    );
  });
});
