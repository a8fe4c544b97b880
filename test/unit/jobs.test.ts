import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../engine/api/dispatch.ts';
import type { CallResult } from '../../engine/api/contract.ts';
import { createHandlers } from '../../engine/app/handlers.ts';
import type { MarketMonitor } from '../../engine/app/market-monitor.ts';
import type { Candle } from '../../engine/domain/candle.ts';
import type { JobInput, JobRun } from '../../engine/domain/job.ts';
import type { JobClock } from '../../engine/jobs/clock.ts';
import { scratch, tempDir } from './helpers.ts';

const s = scratch();
const HOUR = 3_600_000;

/**
 * The scheduler's clock, moved on by the test: `advance` sets the time and fires the timers it
 * passed, the way a timer fires late after a laptop's sleep. Nothing waits for real time.
 */
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

  /** Moves to `time` without firing anything: the app was closed meanwhile. */
  set(time: number): void {
    this.time = time;
  }

  advanceTo(time: number): void {
    this.time = time;
    for (const [handle, timer] of [...this.timers].sort((a, b) => a[1].at - b[1].at)) {
      if (timer.at > time || !this.timers.has(handle)) continue;
      this.timers.delete(handle);
      timer.run();
    }
  }

  get pending(): number {
    return this.timers.size;
  }
}

/** Tuesday 5 March 2024, 12:00 UTC (07:00 in New York, before the DST change of 10 March). */
const TUESDAY_NOON = Date.parse('2024-03-05T12:00:00Z');
const DAILY_1800_UTC = { type: 'daily', time: '18:00', timeZone: 'UTC' } as const;

async function openApp(clock: TestClock, dbPath = s.dbFile()): Promise<MarketMonitor> {
  // No starter symbols: the simulator trades nothing, so only the test's candles are stored.
  return s.open({ dbPath, jobClock: clock, statusEveryMs: 60_000 });
}

function folder(): string {
  const tmp = tempDir('mm-jobs-');
  s.later(tmp.cleanup);
  return tmp.dir;
}

function ok<T>(result: CallResult): T {
  if (!result.ok) throw new Error(`refused: ${result.error.message}`);
  return result.output as T;
}

function saveJob(app: MarketMonitor, job: JobInput): number {
  const views = app.jobs.save(job);
  return views.find((v) => v.name === job.name)!.id;
}

/** A daily candle of a New York symbol: its day starts at midnight in New York (05:00 UTC in March). */
function dayCandle(symbol: string, date: string, open: number, close: number, volume: number): Candle {
  const start = Date.parse(`${date}T05:00:00Z`);
  return {
    symbol,
    interval: '1d',
    start,
    open,
    high: Math.max(open, close) + 1,
    low: Math.min(open, close) - 1,
    close,
    volume,
    turnover: volume * ((open + close) / 2),
    trades: 7,
    buyVolume: volume / 2,
    sellVolume: volume / 2,
    openTs: start + 15 * HOUR,
    closeTs: start + 20 * HOUR,
  };
}

function storeCandles(app: MarketMonitor, candles: Candle[]): void {
  app.store.commitBatch({
    ticks: [],
    candles,
    deadLetters: [],
    checkpoint: { consumerGroup: 'jobs-test', topic: 'seed', partition: 0, nextOffset: 1, maxEventTs: 0 },
    fromOffset: 0,
  });
}

describe('scheduled jobs on a real database', () => {
  it('runs a due job once at its time, not before, and again at the next due time', async () => {
    const clock = new TestClock(TUESDAY_NOON);
    const app = await openApp(clock);
    const id = saveJob(app, { name: 'Tidy', schedule: DAILY_1800_UTC, task: { kind: 'maintenance' } });
    const [view] = app.jobs.views();
    expect(view).toMatchObject({ id, nextRunAt: Date.parse('2024-03-05T18:00:00Z'), lastRun: null });

    clock.advanceTo(Date.parse('2024-03-05T17:59:00Z'));
    await app.jobs.idle();
    expect(app.jobs.runs(10)).toEqual([]);
    expect(clock.pending).toBe(1);

    clock.advanceTo(Date.parse('2024-03-05T18:00:30Z'));
    await app.jobs.idle();
    const runs = app.jobs.runs(10);
    expect(runs).toMatchObject([{ jobId: id, trigger: 'schedule', outcome: 'ok', startedAt: clock.now() }]);
    expect(runs[0]!.message).toMatch(/ANALYZE.*WAL checkpoint/);

    // The timer fires again within the day: nothing more is due.
    clock.advanceTo(Date.parse('2024-03-06T17:00:00Z'));
    await app.jobs.idle();
    expect(app.jobs.runs(10)).toHaveLength(1);
    expect(app.jobs.views()[0]!.nextRunAt).toBe(Date.parse('2024-03-06T18:00:00Z'));

    clock.advanceTo(Date.parse('2024-03-06T18:01:00Z'));
    await app.jobs.idle();
    expect(app.jobs.runs(10).map((r) => r.trigger)).toEqual(['schedule', 'schedule']);
    expect(app.jobs.views()[0]!.lastRun).toMatchObject({ outcome: 'ok' });
  });

  it('runs a job missed while the app was closed once at start, for its latest due date', async () => {
    const clock = new TestClock(TUESDAY_NOON);
    const dbPath = s.dbFile();
    const out = folder();
    let app = await openApp(clock, dbPath);
    const id = saveJob(app, {
      name: 'Evening export',
      schedule: DAILY_1800_UTC,
      task: { kind: 'export', analyses: ['candles'], folder: out },
    });
    await app.close();

    // Closed over three due times (5, 6 and 7 March at 18:00): one run at start, not three.
    clock.set(Date.parse('2024-03-08T09:00:00Z'));
    app = await openApp(clock, dbPath);
    await app.jobs.idle();
    const runs = app.jobs.runs(10);
    expect(runs).toMatchObject([{ jobId: id, trigger: 'missed', outcome: 'ok' }]);
    // It exports for the date of the latest missed due time.
    expect(fs.readdirSync(out)).toEqual(['candles-1d-2024-03-07.csv']);
    expect(app.jobs.views()[0]!.nextRunAt).toBe(Date.parse('2024-03-08T18:00:00Z'));
    await app.close();

    // Opened again before the next due time: nothing is missed any more.
    clock.set(Date.parse('2024-03-08T10:00:00Z'));
    app = await openApp(clock, dbPath);
    await app.jobs.idle();
    expect(app.jobs.runs(10)).toHaveLength(1);
  });

  it('an export job writes each chosen analysis of the run’s date as CSV into the folder', async () => {
    const clock = new TestClock(TUESDAY_NOON);
    const app = await openApp(clock);
    storeCandles(app, [
      dayCandle('AAPL', '2024-03-04', 170, 175, 1_000),
      dayCandle('AAPL', '2024-03-05', 175, 172.5, 2_000),
      dayCandle('MSFT', '2024-03-05', 400, 410, 500),
    ]);
    const out = path.join(folder(), 'not yet made', 'exports');
    const id = saveJob(app, {
      name: 'Close export',
      schedule: { type: 'daily', time: '17:00', timeZone: 'America/New_York' },
      task: { kind: 'export', analyses: ['candles', 'daily-volume'], folder: out, period: 'today' },
    });

    // 17:00 in New York on 5 March is 22:00 UTC.
    clock.advanceTo(Date.parse('2024-03-05T22:00:00Z'));
    await app.jobs.idle();
    const [run] = app.jobs.runs(10, id);
    const files = ['candles-1d-2024-03-05.csv', 'daily-volume-2024-03-05.csv'].map((f) => path.join(out, f));
    expect(run).toMatchObject({
      outcome: 'ok',
      trigger: 'schedule',
      files,
      message: '2 files, 4 rows, for 2024-03-05',
    });
    expect(fs.readdirSync(out).sort()).toEqual(['candles-1d-2024-03-05.csv', 'daily-volume-2024-03-05.csv']);

    const candles = parse(fs.readFileSync(files[0]!, 'utf8'), { columns: true }) as Record<string, string>[];
    // Only the run's exchange day: 4 March's AAPL candle is not in it.
    expect(candles.map((r) => [r.symbol, r.interval, r.start, r.open, r.high, r.low, r.close, r.volume])).toEqual(
      expect.arrayContaining([
        ['AAPL', '1d', '2024-03-05T05:00:00.000Z', '175', '176', '171.5', '172.5', '2000'],
        ['MSFT', '1d', '2024-03-05T05:00:00.000Z', '400', '411', '399', '410', '500'],
      ]),
    );
    expect(candles).toHaveLength(2);
    expect(Number(candles.find((r) => r.symbol === 'AAPL')!.vwap)).toBeCloseTo(173.75, 9);

    const volumes = parse(fs.readFileSync(files[1]!, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(
      volumes.map((r) => ({ day: r.day, symbol: r.symbol, volume: r.volume, value: r.traded_value, trades: r.trades })),
    ).toEqual(
      expect.arrayContaining([
        { day: '2024-03-05T05:00:00.000Z', symbol: 'AAPL', volume: '2000', value: '347500', trades: '7' },
        { day: '2024-03-05T05:00:00.000Z', symbol: 'MSFT', volume: '500', value: '202500', trades: '7' },
      ]),
    );
    // A row of one symbol starts at its day's midnight in New York.
    expect(volumes).toHaveLength(2);
    // No half-written file is left beside them.
    expect(fs.readdirSync(out).some((f) => f.endsWith('.partial'))).toBe(false);
  });

  it('a maintenance run (VACUUM, ANALYZE, checkpoint) records its success and lists it in the history', async () => {
    const clock = new TestClock(TUESDAY_NOON);
    const app = await openApp(clock);
    storeCandles(app, [dayCandle('AAPL', '2024-03-05', 175, 172.5, 2_000)]);
    const id = saveJob(app, {
      name: 'Full tidy',
      schedule: { type: 'cron', expression: '0 3 * * 0', timeZone: 'UTC' },
      task: { kind: 'maintenance', vacuum: true, analyze: true, checkpoint: true },
    });
    const handlers = createHandlers(app);
    const run = ok<JobRun>(await dispatch(handlers, 'jobs.runNow', { id }));
    expect(run).toMatchObject({ outcome: 'ok', trigger: 'manual' });
    expect(run.message).toMatch(/^VACUUM [\d.]+ MiB → [\d.]+ MiB in \d+ ms; ANALYZE; WAL checkpoint \(\d+ pages\)$/);
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
    expect(run.durationMs).toBe(run.finishedAt! - run.startedAt);
    // ANALYZE wrote its statistics.
    expect(app.db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").pluck().get()).toBe(1);
    expect(ok<JobRun[]>(await dispatch(handlers, 'jobs.runs', { jobId: id }))).toEqual([run]);
  });

  it('runs one job at a time; a job removed while it waited is not run, and Run now says why', async () => {
    const app = await openApp(new TestClock(TUESDAY_NOON));
    const first = saveJob(app, { name: 'First', schedule: DAILY_1800_UTC, task: { kind: 'maintenance' } });
    const second = saveJob(app, { name: 'Second', schedule: DAILY_1800_UTC, task: { kind: 'maintenance' } });
    const firstRun = app.jobs.runNow(first);
    const secondRun = app.jobs.runNow(second);
    app.jobs.remove(second);
    await expect(secondRun).rejects.toThrow(`There is no job ${second}: it was removed before its run began`);
    expect(await firstRun).toMatchObject({ jobId: first, outcome: 'ok' });
    expect(app.jobs.runs(10).map((r) => r.jobId)).toEqual([first]);
  });

  it('a failing export records the failure with its reason, and the next due run still happens', async () => {
    const clock = new TestClock(TUESDAY_NOON);
    const app = await openApp(clock);
    const base = folder();
    const blocker = path.join(base, 'a-file');
    fs.writeFileSync(blocker, 'not a folder');
    const out = path.join(blocker, 'exports');
    const id = saveJob(app, {
      name: 'Blocked export',
      schedule: DAILY_1800_UTC,
      task: { kind: 'export', analyses: ['top-movers'], folder: out },
    });

    clock.advanceTo(Date.parse('2024-03-05T18:00:00Z'));
    await app.jobs.idle();
    const [failed] = app.jobs.runs(10, id);
    expect(failed).toMatchObject({ outcome: 'failed', trigger: 'schedule', files: [] });
    expect(failed!.message).toMatch(/ENOTDIR|EEXIST/);
    expect(failed!.message).toContain(blocker);
    expect(app.jobs.views()[0]!.lastRun).toMatchObject({ outcome: 'failed' });

    // The user clears the way; the next day's run writes the file.
    fs.rmSync(blocker);
    clock.advanceTo(Date.parse('2024-03-06T18:00:00Z'));
    await app.jobs.idle();
    const runs = app.jobs.runs(10, id);
    expect(runs.map((r) => r.outcome)).toEqual(['ok', 'failed']);
    expect(fs.readdirSync(out)).toEqual(['top-movers-2024-03-06.csv']);
  });

  it('jobs.save refuses bad input through the contract with a message at the field, and saves nothing', async () => {
    const app = await openApp(new TestClock(TUESDAY_NOON));
    const handlers = createHandlers(app);
    const save = async (job: Record<string, unknown>) => {
      const result = await dispatch(handlers, 'jobs.save', job);
      if (result.ok) throw new Error(`saved ${JSON.stringify(job)}`);
      return result.error;
    };
    const good = {
      name: 'Export',
      schedule: { type: 'cron', expression: '0 18 * * 1-5', timeZone: 'Europe/London' },
      task: { kind: 'export', analyses: ['candles'], folder: folder() },
    };

    const badCron = await save({ ...good, schedule: { ...good.schedule, expression: '0 25 * * *' } });
    expect(badCron.code).toBe('invalid-input');
    expect(badCron.fields).toEqual({ 'schedule.expression': 'Invalid value for hour: 25' });

    const words = await save({ ...good, schedule: { ...good.schedule, expression: 'every day' } });
    expect(words.fields!['schedule.expression']).toBe(
      'needs 5 parts (minute hour day month weekday), such as 0 18 * * 1-5; this has 2',
    );

    const unknown = await save({ ...good, task: { ...good.task, analyses: ['candles', 'moon-phases'] } });
    expect(unknown.fields).toEqual({ 'task.analyses.1': 'no analysis is called "moon-phases"' });

    const several = await save({
      ...good,
      name: ' ',
      schedule: { type: 'daily', time: '6pm', timeZone: 'Mars/Olympus' },
      task: { kind: 'export', analyses: [], folder: 'exports' },
    });
    expect(several.fields).toEqual({
      name: 'give the job a name',
      'schedule.time': 'a time of day as HH:MM, such as 18:30',
      'schedule.timeZone': 'not a time zone: use an IANA name such as Europe/London, Asia/Tokyo or UTC',
      'task.analyses': 'choose at least one analysis',
      'task.folder': 'an absolute path, such as /home/me/exports',
    });

    const noWork = await save({ ...good, task: { kind: 'maintenance', analyze: false, checkpoint: false } });
    expect(noWork.fields).toEqual({ 'task.analyze': 'choose at least one of VACUUM, ANALYZE and WAL checkpoint' });

    expect(ok<unknown[]>(await dispatch(handlers, 'jobs.list', {}))).toEqual([]);
    const missing = await dispatch(handlers, 'jobs.runNow', { id: 999 });
    expect(missing).toEqual({ ok: false, error: { code: 'failed', message: 'There is no job 999' } });

    // The same job, well formed, is saved.
    const saved = ok<Array<{ name: string; nextRunAt: number }>>(await dispatch(handlers, 'jobs.save', good));
    expect(saved).toMatchObject([{ name: 'Export', nextRunAt: Date.parse('2024-03-05T18:00:00Z') }]);
  });
});
