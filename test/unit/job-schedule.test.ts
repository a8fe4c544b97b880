import { describe, expect, it } from 'vitest';
import { missedDue, nextDueAfter, cronProblem } from '../../engine/domain/job-schedule.ts';
import { JobInputSchema } from '../../engine/domain/job.ts';
import { scheduleInWords } from '../../engine/domain/job-words.ts';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const NY = 'America/New_York';

describe('next due time', () => {
  it('is the next wall-clock time in the job zone, strictly after the reference', () => {
    const daily = { type: 'daily', time: '18:30', timeZone: NY } as const;
    expect(iso(nextDueAfter(daily, at('2026-01-05T12:00:00Z')))).toBe('2026-01-05T23:30:00.000Z');
    // At the due instant itself the next one is tomorrow's: a run is never due twice.
    expect(iso(nextDueAfter(daily, at('2026-01-05T23:30:00Z')))).toBe('2026-01-06T23:30:00.000Z');
    // Same wall-clock time in summer is an hour earlier in UTC.
    expect(iso(nextDueAfter(daily, at('2026-07-01T00:00:00Z')))).toBe('2026-07-01T22:30:00.000Z');
  });

  it('on the day clocks go forward, a time in the gap runs at the first minute after it', () => {
    // New York, 8 March 2026: 02:00 EST jumps to 03:00 EDT, so 02:30 does not exist.
    const daily = { type: 'daily', time: '02:30', timeZone: NY } as const;
    expect(iso(nextDueAfter(daily, at('2026-03-07T12:00:00Z')))).toBe('2026-03-08T07:00:00.000Z');
    expect(iso(nextDueAfter(daily, at('2026-03-08T07:00:00Z')))).toBe('2026-03-09T06:30:00.000Z');
  });

  it('on the day clocks go back, a time that happens twice runs once', () => {
    // New York, 1 November 2026: 01:00-02:00 happens in EDT and again in EST.
    const daily = { type: 'daily', time: '01:30', timeZone: NY } as const;
    const first = nextDueAfter(daily, at('2026-10-31T12:00:00Z'))!;
    expect(iso(first)).toBe('2026-11-01T05:30:00.000Z');
    expect(iso(nextDueAfter(daily, first))).toBe('2026-11-02T06:30:00.000Z');
  });

  it('a London cron of weekdays at 17:05 skips the weekend across the spring change', () => {
    const cron = { type: 'cron', expression: '5 17 * * 1-5', timeZone: 'Europe/London' } as const;
    // Friday 27 March 2026 17:05 GMT; London moves to BST on Sunday 29 March.
    expect(iso(nextDueAfter(cron, at('2026-03-27T12:00:00Z')))).toBe('2026-03-27T17:05:00.000Z');
    expect(iso(nextDueAfter(cron, at('2026-03-27T17:05:00Z')))).toBe('2026-03-30T16:05:00.000Z');
  });

  it('a schedule that never comes has no next time', () => {
    expect(nextDueAfter({ type: 'cron', expression: '0 0 30 2 *', timeZone: 'UTC' }, 0)).toBeNull();
  });
});

describe('missed since', () => {
  const daily = { type: 'daily', time: '06:00', timeZone: 'Europe/London' } as const;

  it('is nothing when no due time fell between the last handled one and now', () => {
    expect(missedDue(daily, at('2026-01-05T06:00:00Z'), at('2026-01-06T05:59:00Z'))).toBeNull();
  });

  it('is the latest due time of a stretch, once, however many days were missed', () => {
    // Closed from Monday 06:00 to Thursday 12:00: three runs missed, the latest is Thursday's.
    expect(iso(missedDue(daily, at('2026-01-05T06:00:00Z'), at('2026-01-08T12:00:00Z')))).toBe(
      '2026-01-08T06:00:00.000Z',
    );
  });

  it('counts a due time exactly at now as missed, and follows the zone across the DST change', () => {
    expect(iso(missedDue(daily, at('2026-03-28T06:00:00Z'), at('2026-03-29T05:00:00Z')))).toBe(
      '2026-03-29T05:00:00.000Z',
    );
  });
});

describe('job schema', () => {
  const job = {
    name: 'Evening export',
    schedule: { type: 'daily', time: '18:30', timeZone: NY },
    task: { kind: 'export', analyses: ['top-movers'], folder: '/tmp/exports' },
  };

  it('fills the defaults of an export', () => {
    const parsed = JobInputSchema.parse(job);
    expect(parsed.task).toEqual({
      kind: 'export',
      analyses: ['top-movers'],
      folder: '/tmp/exports',
      format: 'csv',
      period: 'today',
      interval: '1d',
    });
  });

  it('refuses bad fields with messages at the field', () => {
    const bad = JobInputSchema.safeParse({
      ...job,
      schedule: { type: 'daily', time: '25:00', timeZone: 'Mars/Base' },
      task: { kind: 'export', analyses: [], folder: 'exports' },
    });
    const paths = bad.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining(['schedule.time', 'schedule.timeZone', 'task.analyses', 'task.folder']),
    );
  });

  it('explains a wrong cron expression in croner words', () => {
    expect(cronProblem('61 * * * *')).toMatch(/minute/);
    expect(cronProblem('* * * * * *')).toMatch(/5 parts/);
    expect(cronProblem('*/15 9-17 * * 1-5')).toBeUndefined();
    const bad = JobInputSchema.safeParse({ ...job, schedule: { type: 'cron', expression: 'soon', timeZone: 'UTC' } });
    expect(bad.error?.issues[0]?.path).toEqual(['schedule', 'expression']);
  });

  it('a maintenance job must do something', () => {
    const none = { kind: 'maintenance', vacuum: false, analyze: false, checkpoint: false };
    expect(JobInputSchema.safeParse({ ...job, task: none }).success).toBe(false);
  });
});

describe('a schedule in words', () => {
  const cron = (expression: string) => scheduleInWords({ type: 'cron', expression, timeZone: 'UTC' });

  it('says the common schedules as a sentence, and shows any other cron expression as it is', () => {
    expect(scheduleInWords({ type: 'daily', time: '06:05', timeZone: NY })).toBe('Every day at 06:05');
    expect(cron('0 18 * * 1-5')).toBe('Weekdays at 18:00');
    expect(cron('5 9 * * *')).toBe('Every day at 09:05');
    expect(cron('30 7 * * 1,3,5')).toBe('Mondays, Wednesdays and Fridays at 07:30');
    expect(cron('0 3 * * 0')).toBe('Sundays at 03:00');
    expect(cron('0 3 * * 7')).toBe('Sundays at 03:00');
    expect(cron('0 3 * * 6,0')).toBe('Weekends at 03:00');
    expect(cron('0 3 * * 0-6')).toBe('Every day at 03:00');
    expect(cron('0 6 1 * *')).toBe('On day 1 of every month at 06:00');
    expect(cron('*/15 * * * *')).toBe('Every 15 minutes');
    expect(cron('20 * * * *')).toBe('Every hour at minute 20');
    for (const other of ['0 9-17/2 * * *', '0 6 1 1 *', '0 6 * * MON', '0 6 L * *'])
      expect(cron(other)).toBe(`Cron ${other}`);
  });
});
