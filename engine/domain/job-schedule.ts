import { Cron } from 'croner';

/** The schedule fields these functions need (job.ts has the schema). */
export type ScheduleSpec =
  { type: 'daily'; time: string; timeZone: string } | { type: 'cron'; expression: string; timeZone: string };

/**
 * Five fields (minute hour day month weekday), as crontab has them: a sixth seconds field would
 * let a job run every second, which no export or VACUUM should.
 */
const CRON_MODE = '5-part';

/** Why the expression is no cron expression, in croner's words; undefined when it is one. */
export function cronProblem(expression: string): string | undefined {
  // croner's own words for this ("exactly five, six, or seven space separated parts") offer more
  // fields than the mode takes.
  const fields = expression.trim().split(/\s+/).length;
  if (fields !== 5) return `needs 5 parts (minute hour day month weekday), such as 0 18 * * 1-5; this has ${fields}`;
  try {
    new Cron(expression, { mode: CRON_MODE });
    return undefined;
  } catch (error) {
    return (error instanceof Error ? error.message : String(error)).replace(/^CronPattern: /, '');
  }
}

function cronOf(schedule: ScheduleSpec): Cron {
  const pattern =
    schedule.type === 'daily'
      ? `${Number(schedule.time.slice(3, 5))} ${Number(schedule.time.slice(0, 2))} * * *`
      : schedule.expression;
  // A daily time is a fixed time: croner runs it once on the day clocks go back, and at the first
  // valid minute after the gap on the day they go forward (02:30 New York becomes 03:00).
  return new Cron(pattern, { mode: CRON_MODE, timezone: schedule.timeZone });
}

/** The first due time strictly after `after` (epoch ms); null if the schedule never comes (30 February). */
export function nextDueAfter(schedule: ScheduleSpec, after: number): number | null {
  return cronOf(schedule).nextRun(new Date(after))?.getTime() ?? null;
}

/**
 * The latest due time in (since, now], or null if none fell there: what a job whose last handled
 * due time was `since` has missed by `now`. One value however many days were missed, since a job
 * closed for a week runs once at start, not seven times.
 */
export function missedDue(schedule: ScheduleSpec, since: number, now: number): number | null {
  const first = nextDueAfter(schedule, since);
  if (first === null || first > now) return null;
  const latest = cronOf(schedule)
    .previousRuns(1, new Date(now + 1))[0]
    ?.getTime();
  return latest !== undefined && latest > since && latest <= now ? latest : first;
}
