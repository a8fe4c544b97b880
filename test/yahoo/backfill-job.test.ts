import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dispatch } from '../../engine/api/dispatch.ts';
import type { CallResult } from '../../engine/api/contract.ts';
import { createHandlers } from '../../engine/app/handlers.ts';
import { openDatabase } from '../../engine/store/database.ts';
import type { MarketMonitor } from '../../engine/app/market-monitor.ts';
import type { JobRun, JobView } from '../../engine/domain/job.ts';
import type { JobClock } from '../../engine/jobs/clock.ts';
import { yahooClientFactory } from '../../engine/sources/yahoo/yahoo-client.ts';
import { createFixtureFetch, FIXTURES_DIR, type FixtureFetch } from '../support/yahoo-fixtures.ts';
import { scratch, storedCandles } from '../unit/helpers.ts';

/**
 * The backfill job end to end: a MarketMonitor on a SQLite file with the Yahoo source, whose
 * yahoo-finance2 client is answered from the recorded exchanges. Jobs are saved and run through
 * the contract; the stored candles are checked against the recorded chart() answer, read here on
 * its own.
 */

const s = scratch();
afterEach(() => {
  vi.useRealTimers();
});

/** Friday 2025-02-14 21:05:20 UTC, after the close of the recorded quotes (21:00 UTC): no live ticks. */
const NOW = Date.UTC(2025, 1, 14, 21, 5, 20);
/** The feed starts watching in this minute: the backfill fills windows that end by it. */
const STITCH = Date.UTC(2025, 1, 14, 21, 5);
const NEW_YORK = 'America/New_York';

/** The recorded chart() exchanges: 49 daily AAPL bars (2020-08-31 to 2020-11-06), and a Saturday's minutes (no bars). */
const DAILY_FILE = 'chart-AAPL-2020-08-31-to-2020-11-07.json';
const DAILY_URL =
  'https://query2.finance.yahoo.com/v8/finance/chart/AAPL?useYfid=true&interval=1d&includePrePost=true&events=div%7Csplit%7Cearn&lang=en-US&period1=1598832000&period2=1604707200';
const MINUTE_URL =
  'https://query2.finance.yahoo.com/v8/finance/chart/AAPL?useYfid=true&interval=1m&includePrePost=false&events=div%7Csplit%7Cearn&lang=en-US&period1=1738368000&period2=1738454400';

/** The scheduler's clock: moved on by hand, never by waiting. */
class TestClock implements JobClock {
  private timers = new Map<number, { at: number; run: () => void }>();
  private nextHandle = 1;
  private time: number;
  constructor(time: number) {
    this.time = time;
  }
  now(): number {
    return this.time;
  }
  setTimeout(run: () => void, ms: number): unknown {
    const handle = this.nextHandle++;
    this.timers.set(handle, { at: this.time + ms, run });
    return handle;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  /** Time passes without reaching any job's due time (a run's work takes a while). */
  pass(ms: number): void {
    this.time += ms;
  }
}

interface ChartAsk {
  symbol: string;
  interval: string;
  from: number;
  to: number;
}

/**
 * chart() of AAPL answered with its recordings: daily bars with the recorded daily exchange,
 * one-minute and five-minute bars with the recorded minute exchange (a day without trading). The
 * engine asks for periods relative to its clock, which no recording has; the answers are served
 * unchanged (the engine keeps only the bars within the asked period). Every other request, a chart
 * of another symbol included, goes to the recordings as it is: one not recorded is refused. Each
 * chart() request takes a second on the job clock.
 */
function recordedCharts(fixtures: FixtureFetch, clock: TestClock) {
  const asked: ChartAsk[] = [];
  const chartFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const match = /^\/v8\/finance\/chart\/(.+)$/.exec(url.pathname);
    if (!match) return fixtures.fetch(input, init);
    const symbol = decodeURIComponent(match[1]!);
    const interval = url.searchParams.get('interval') ?? '';
    asked.push({
      symbol,
      interval,
      from: Number(url.searchParams.get('period1')) * 1_000,
      to: Number(url.searchParams.get('period2')) * 1_000,
    });
    clock.pass(1_000);
    if (symbol !== 'AAPL') return fixtures.fetch(input, init);
    return fixtures.fetch(interval === '1d' ? DAILY_URL : MINUTE_URL, init);
  };
  return { fetch: chartFetch as typeof fetch, asked };
}

async function openOnYahoo(symbols: string[]) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
  const clock = new TestClock(NOW);
  const fixtures = createFixtureFetch();
  const charts = recordedCharts(fixtures, clock);
  const dbPath = s.dbFile();
  const app = await s.open({
    dbPath,
    overrides: { source: { kind: 'yahoo' } },
    starterSymbols: symbols,
    yahooClient: yahooClientFactory({ fetch: charts.fetch, timeoutMs: 1_000 }),
    jobClock: clock,
    statusEveryMs: 60_000,
  });
  return { app, clock, fixtures, charts, dbPath, handlers: createHandlers(app) };
}

/** The backfill that starts with the watchlist is over (it waits for each symbol's first quote). */
async function startupBackfillDone(app: MarketMonitor): Promise<void> {
  await app.yahooSource!.firstPoll;
  await app.yahooHistory!.idle();
}

function ok<T>(result: CallResult): T {
  if (!result.ok) throw new Error(`refused: ${result.error.message}`);
  return result.output as T;
}

/** The start of the New York calendar day holding `ts`, in UTC ms, worked out with Intl alone. */
function newYorkMidnight(ts: number): number {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: NEW_YORK,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(new Date(ts));
  const part = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const utcMidnight = Date.UTC(part('year'), part('month') - 1, part('day'));
  const offsetAt = (t: number) => {
    const name = new Intl.DateTimeFormat('en-US', { timeZone: NEW_YORK, timeZoneName: 'shortOffset' })
      .formatToParts(new Date(t))
      .find((p) => p.type === 'timeZoneName')!.value; // "GMT-4"
    const [, sign, hours] = /^GMT([+-])(\d+)$/.exec(name)!;
    return (sign === '-' ? -1 : 1) * Number(hours) * 3_600_000;
  };
  // Midnight local is the UTC midnight minus the offset in force then (DST changes at 02:00, never at midnight).
  return utcMidnight - offsetAt(utcMidnight + 12 * 3_600_000);
}

interface ExpectedDay {
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/**
 * The daily candles the recording should become, read from the fixture file: one per bar, on its
 * New York day, for the bars inside the asked period whose day ended by the cutoff.
 */
function recordedDays(period: { from: number; to: number }, cutoff: number): ExpectedDay[] {
  const recording = JSON.parse(fs.readFileSync(path.join(FIXTURES_DIR, DAILY_FILE), 'utf8'));
  const result = recording.response.bodyJson.chart.result[0];
  expect(result.meta.exchangeTimezoneName).toBe(NEW_YORK);
  const quote = result.indicators.quote[0];
  const days: ExpectedDay[] = [];
  (result.timestamp as number[]).forEach((seconds, i) => {
    const ts = seconds * 1_000;
    if (ts < period.from || ts >= period.to) return;
    const start = newYorkMidnight(ts);
    const nextDay = newYorkMidnight(start + 36 * 3_600_000);
    if (nextDay > cutoff) return;
    days.push({
      start,
      open: quote.open[i],
      high: quote.high[i],
      low: quote.low[i],
      close: quote.close[i],
      volume: quote.volume[i],
    });
  });
  return days;
}

function storedDays(app: MarketMonitor, symbol: string): ExpectedDay[] {
  return app.store
    .candles({ symbol, interval: '1d', to: STITCH, limit: 10_000 })
    .filter((c) => c.start < Date.UTC(2021, 0, 1))
    .map(({ start, open, high, low, close, volume }) => ({ start, open, high, low, close, volume }));
}

const BACKFILL_JOB = {
  name: 'Nightly history',
  schedule: { type: 'daily', time: '06:00', timeZone: NEW_YORK },
  task: { kind: 'backfill' },
} as const;

async function saveBackfillJob(handlers: ReturnType<typeof createHandlers>): Promise<number> {
  const views = ok<JobView[]>(await dispatch(handlers, 'jobs.save', BACKFILL_JOB));
  const job = views.find((v) => v.name === BACKFILL_JOB.name);
  expect(job).toMatchObject({ enabled: true, task: { kind: 'backfill' }, lastRun: null });
  return job!.id;
}

describe('The backfill job on the Yahoo source', () => {
  it('stores the recorded daily bars value by value, and records an ok run naming the symbols', async () => {
    const { app, clock, fixtures, charts, handlers } = await openOnYahoo(['AAPL']);
    // Yahoo's history is down while the app starts: the watchlist's first backfill stores nothing.
    fixtures.always('/v8/finance/chart', { kind: 'status', status: 500 });
    await startupBackfillDone(app);
    expect(app.yahooHistory!.failures).toEqual(
      ['1m', '5m', '1d'].map((i) => expect.stringMatching(new RegExp(`^history AAPL ${i}: .*HTTP 500`))),
    );
    expect(storedDays(app, 'AAPL')).toEqual([]);

    // Yahoo is back; the job fills what the start missed.
    fixtures.always('/v8/finance/chart', undefined);
    const id = await saveBackfillJob(handlers);
    const asksBefore = charts.asked.length;
    const startedAt = clock.now();
    const run = ok<JobRun>(await dispatch(handlers, 'jobs.runNow', { id }));
    const jobAsks = charts.asked.slice(asksBefore);

    expect(run).toMatchObject({
      jobId: id,
      trigger: 'manual',
      outcome: 'ok',
      message: 'History of 1 symbol (AAPL) up to date',
      files: [],
      startedAt,
    });
    // Each chart() request took a second on the job clock: the duration spans the run's work.
    expect(jobAsks.map((a) => [a.symbol, a.interval])).toEqual([
      ['AAPL', '1m'],
      ['AAPL', '5m'],
      ['AAPL', '1d'],
    ]);
    expect(run.finishedAt).toBe(startedAt + 3_000);
    expect(run.durationMs).toBe(3_000);
    expect(ok<JobRun[]>(await dispatch(handlers, 'jobs.runs', { jobId: id }))).toEqual([run]);
    const [view] = ok<JobView[]>(await dispatch(handlers, 'jobs.list', {}));
    expect(view!.lastRun).toEqual(run);

    // The stored daily candles are the recorded bars, on New York days, up to the stitch point.
    const daily = jobAsks.find((a) => a.interval === '1d')!;
    expect(daily.to).toBe(STITCH);
    const expected = recordedDays(daily, STITCH);
    expect(expected).toHaveLength(49);
    expect(expected[0]).toMatchObject({ start: Date.UTC(2020, 7, 31, 4) }); // EDT: midnight is 04:00 UTC
    expect(expected.at(-1)).toMatchObject({ start: Date.UTC(2020, 10, 6, 5) }); // EST after 1 November
    const stored = storedDays(app, 'AAPL');
    expect(stored).toEqual(expected);
    // Each candle opened at its bar's recorded time, and no tick made it.
    const candles = app.store.candles({ symbol: 'AAPL', interval: '1d', from: expected[0]!.start, to: STITCH });
    expect(candles[0]).toMatchObject({ openTs: Date.UTC(2020, 7, 31, 13, 30), trades: 0 });
    // Daily bars build no intraday candles; the minute answer had no trading.
    expect(app.store.candles({ symbol: 'AAPL', interval: '1m', limit: 10 })).toEqual([]);
  });

  it('a symbol whose history Yahoo does not answer fails the run with its reason; what was stored stays', async () => {
    const { app, charts, handlers, dbPath } = await openOnYahoo(['AAPL', 'BABA']);
    await startupBackfillDone(app);
    // The start stored AAPL's days; BABA's chart() requests match no recording and are refused.
    const before = storedDays(app, 'AAPL');
    expect(before).toHaveLength(49);
    const rowsBefore = storedCandles(app.db, '1d');
    expect(storedDays(app, 'BABA')).toEqual([]);

    const id = await saveBackfillJob(handlers);
    const asksBefore = charts.asked.length;
    const run = ok<JobRun>(await dispatch(handlers, 'jobs.runNow', { id }));
    // Both symbols were asked again: AAPL's answers are recorded, BABA's are not.
    expect(new Set(charts.asked.slice(asksBefore).map((a) => a.symbol))).toEqual(new Set(['AAPL', 'BABA']));

    expect(run).toMatchObject({ jobId: id, trigger: 'manual', outcome: 'failed', files: [] });
    expect(run.message).toMatch(/^2 symbols: history BABA 1m: .*No recorded Yahoo exchange/);
    expect(run.message).toContain('history BABA 1d');
    expect(run.message).toContain('/v8/finance/chart/BABA');
    expect(run.message).not.toContain('AAPL');
    expect(run.durationMs).toBe(run.finishedAt! - run.startedAt);
    expect(run.durationMs).toBeGreaterThan(0);
    expect(ok<JobRun[]>(await dispatch(handlers, 'jobs.runs', { jobId: id }))).toEqual([run]);

    // Nothing stored before was lost or changed, and nothing was made up for BABA.
    expect(storedDays(app, 'AAPL')).toEqual(before);
    expect(storedCandles(app.db, '1d')).toEqual(rowsBefore);
    expect(storedDays(app, 'BABA')).toEqual([]);

    // The file holds it too, after the app is closed.
    await app.close();
    const db = openDatabase(dbPath);
    try {
      expect(storedCandles(db, '1d')).toEqual(rowsBefore);
      const runs = db.prepare('SELECT outcome, message FROM job_runs').all();
      expect(runs).toEqual([{ outcome: 'failed', message: run.message }]);
    } finally {
      db.close();
    }
  });
  it('waits for Yahoo while it is unreachable, and a close ends the wait with a failed run, not a hang', async () => {
    const { app, fixtures, charts, handlers, dbPath } = await openOnYahoo(['AAPL']);
    fixtures.always('finance.yahoo.com', { kind: 'network' });
    await app.yahooSource!.firstPoll;
    expect(app.status().source.state).toBe('offline');
    const id = await saveBackfillJob(handlers);
    const run = dispatch(handlers, 'jobs.runNow', { id });
    // No quote has fixed AAPL's stitch point: the backfill cannot know where history ends.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(app.jobs.views()[0]!.lastRun).toMatchObject({ outcome: 'running' });
    expect(charts.asked).toEqual([]);

    const closed = app.close().then(() => 'closed');
    const timeout = new Promise((resolve) => setTimeout(() => resolve('still closing'), 3_000));
    expect(await Promise.race([closed, timeout])).toBe('closed');
    const finished = ok<JobRun>(await run);
    expect(finished).toMatchObject({
      outcome: 'failed',
      message: '1 symbol: history of AAPL not backfilled: the feed stopped first',
    });
    const db = openDatabase(dbPath);
    try {
      expect(db.prepare('SELECT outcome, message FROM job_runs').all()).toEqual([
        { outcome: 'failed', message: finished.message },
      ]);
    } finally {
      db.close();
    }
  });
});
