import type { CommandInput, CommandOutput } from '../../../../engine/api/contract.ts';
import type { Interval } from '../../../../engine/domain/interval.ts';
import { scheduleInWords } from '../../../../engine/domain/job-words.ts';

export type JobView = CommandOutput<'jobs.list'>[number];
export type JobRun = CommandOutput<'jobs.runs'>[number];
export type JobSaveInput = CommandInput<'jobs.save'>;
export type Kind = JobView['task']['kind'];
type Task = JobView['task'];
type Period = Extract<Task, { kind: 'export' }>['period'];
type Format = Extract<Task, { kind: 'export' }>['format'];

export const KINDS: Array<{ kind: Kind; label: string; name: string }> = [
  { kind: 'export', label: 'Export analyses to a folder', name: 'Daily export' },
  { kind: 'backfill', label: 'Backfill the watchlist’s history', name: 'Watchlist backfill' },
  { kind: 'maintenance', label: 'Database maintenance', name: 'Database maintenance' },
];

export const PERIODS: Array<{ period: Period; label: string }> = [
  { period: 'today', label: 'The day of the run' },
  { period: 'yesterday', label: 'The day before the run' },
  { period: 'last-7-days', label: 'The last 7 days' },
  { period: 'last-30-days', label: 'The last 30 days' },
  { period: 'all', label: 'Everything stored' },
];

/** The job form as typed: text until it is sent, checked by the engine's schema only. */
export interface JobDraft {
  name: string;
  /** The name follows the kind until the user types one of their own. */
  nameEdited: boolean;
  kind: Kind;
  scheduleType: 'daily' | 'cron';
  time: string;
  expression: string;
  timeZone: string;
  analyses: string[];
  folder: string;
  format: Format;
  period: Period;
  interval: Interval;
  vacuum: boolean;
  analyze: boolean;
  checkpoint: boolean;
}

export const emptyDraft = (timeZone: string): JobDraft => ({
  name: KINDS[0]!.name,
  nameEdited: false,
  kind: 'export',
  scheduleType: 'daily',
  time: '18:00',
  expression: '0 18 * * 1-5',
  timeZone,
  analyses: [],
  folder: '',
  format: 'csv',
  period: 'today',
  interval: '1d',
  vacuum: false,
  analyze: true,
  checkpoint: true,
});

/** A saved job as the form edits it: the fields of other kinds keep their defaults. */
export function draftOf(job: JobView): JobDraft {
  const draft: JobDraft = { ...emptyDraft(job.schedule.timeZone), name: job.name, nameEdited: true };
  draft.kind = job.task.kind;
  if (job.schedule.type === 'daily') draft.time = job.schedule.time;
  else Object.assign(draft, { scheduleType: 'cron', expression: job.schedule.expression });
  const task = job.task;
  if (task.kind === 'export') {
    const { analyses, folder, format, period, interval } = task;
    Object.assign(draft, { analyses, folder, format, period, interval });
  } else if (task.kind === 'maintenance') {
    Object.assign(draft, { vacuum: task.vacuum, analyze: task.analyze, checkpoint: task.checkpoint });
  }
  return draft;
}

/** The command input of a draft: only the fields of its kind and schedule type are sent. */
export function jobInput(draft: JobDraft): JobSaveInput {
  const schedule: JobSaveInput['schedule'] =
    draft.scheduleType === 'daily'
      ? { type: 'daily', time: draft.time, timeZone: draft.timeZone }
      : { type: 'cron', expression: draft.expression, timeZone: draft.timeZone };
  const task: JobSaveInput['task'] =
    draft.kind === 'export'
      ? {
          kind: 'export',
          analyses: draft.analyses,
          folder: draft.folder,
          format: draft.format,
          period: draft.period,
          interval: draft.interval,
        }
      : draft.kind === 'maintenance'
        ? { kind: 'maintenance', vacuum: draft.vacuum, analyze: draft.analyze, checkpoint: draft.checkpoint }
        : { kind: 'backfill' };
  return { name: draft.name, schedule, task };
}

/** The contract's field paths the form shows next to a control; "task.analyses.2" goes with the checkboxes. */
const FIELD_OF: Record<string, string> = {
  name: 'name',
  'schedule.time': 'time',
  'schedule.expression': 'expression',
  'schedule.timeZone': 'timeZone',
  'task.analyses': 'analyses',
  'task.folder': 'folder',
  'task.analyze': 'maintenance',
};

/** What each control of the visible form is called, for messages that have no place beside one. */
const LABEL_OF: Record<string, string> = {
  'task.format': 'Format',
  'task.period': 'Period',
  'task.interval': 'Candle interval',
};

export function splitErrors(errors: Record<string, string>): { byField: Record<string, string>; others: string[] } {
  const byField: Record<string, string> = {};
  const others: string[] = [];
  for (const [path, message] of Object.entries(errors)) {
    const field = FIELD_OF[path.replace(/^task\.analyses\.\d+$/, 'task.analyses')];
    if (field) byField[field] = byField[field] ? `${byField[field]}; ${message}` : message;
    else others.push(LABEL_OF[path] ? `${LABEL_OF[path]}: ${message}` : message);
  }
  return { byField, others };
}

export const kindLabel = (kind: Kind): string =>
  ({ export: 'Export', backfill: 'Backfill', maintenance: 'Maintenance' })[kind];

/** What the job does, in a line: "OHLCV candles, Top movers as CSV → /home/me/exports (the day of the run)". */
export function taskInWords(task: Task, titles: ReadonlyMap<string, string>): string {
  if (task.kind === 'backfill') return 'History of the watchlist from Yahoo Finance';
  if (task.kind === 'maintenance') {
    const steps = [task.vacuum && 'VACUUM', task.analyze && 'ANALYZE', task.checkpoint && 'WAL checkpoint'];
    return steps.filter(Boolean).join(', ');
  }
  const names = task.analyses.map((a) => titles.get(a) ?? a).join(', ');
  const period = PERIODS.find((p) => p.period === task.period)?.label.toLowerCase() ?? task.period;
  return `${names} as ${task.format.toUpperCase()} → ${task.folder} (${period})`;
}

export const scheduleText = (schedule: JobView['schedule']): string =>
  `${scheduleInWords(schedule)} (${schedule.timeZone})`;

export function formatDuration(ms: number | null): string {
  if (ms === null) return '–';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms - minutes * 60_000) / 1_000)} s`;
}

/** How far ahead a time is, roughly: "in 40 s", "in 25 min", "in 5 h", "in 3 days" (the status events re-render it). */
export function untilText(at: number, now: number): string {
  const seconds = Math.max(0, Math.round((at - now) / 1_000));
  if (seconds < 60) return `in ${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `in ${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `in ${hours} h`;
  return `in ${Math.round(hours / 24)} days`;
}

/** A run's outcome in the colours of the other states (.state). */
export const OUTCOME_TONE: Record<JobRun['outcome'], string> = {
  running: 'starting',
  ok: 'ok',
  failed: 'error',
  skipped: 'delayed',
};

export const TRIGGER_LABEL: Record<JobRun['trigger'], string> = {
  schedule: 'on schedule',
  missed: 'missed while closed',
  manual: 'run now',
};

/** The zones the browser knows, with UTC (which some leave out of the list). */
export function timeZones(): string[] {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return known.includes('UTC') ? known : ['UTC', ...known];
}

export const localTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
