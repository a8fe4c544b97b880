import fs from 'node:fs/promises';
import path from 'node:path';
import type { AnalysisParams } from '../analyses/analysis.ts';
import type { ExportPeriod, JobTask } from '../domain/job.ts';
import { exportAnalysis, exportAnalysisParquet } from '../export/export-analysis.ts';
import type { SqliteDatabase } from '../store/database.ts';
import type { JobResult } from './job-result.ts';

type ExportTask = Extract<JobTask, { kind: 'export' }>;

const DAY_MS = 86_400_000;
const DAYS_BACK: Record<Exclude<ExportPeriod, 'all'>, [first: number, last: number]> = {
  today: [0, 0],
  yesterday: [1, 1],
  'last-7-days': [6, 0],
  'last-30-days': [29, 0],
};

/** The date (YYYY-MM-DD) of an instant in a zone. */
export function dateIn(ts: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ts);
}

/** Dates counted back from `date` by calendar, not by 24 h steps, so a DST day is one day like any other. */
function datesBefore(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The analysis period of a run for the date `runDate`: dates alone, which the analyses take as whole
 * exchange days in each symbol's zone (analyses/period.ts).
 */
export function periodParams(period: ExportPeriod, runDate: string): Pick<AnalysisParams, 'from' | 'to'> {
  if (period === 'all') return {};
  const [first, last] = DAYS_BACK[period];
  return { from: { date: datesBefore(runDate, first) }, to: { date: datesBefore(runDate, last) } };
}

/**
 * Writes each chosen analysis to the folder as `<analysis>[-<interval>]-<date>.<csv|parquet>`. A
 * file is written beside its final name and renamed, so a reader never sees half a file. An
 * analysis is one synchronous query (as on the Analyses tab); the event loop gets a turn between
 * analyses and while files are written.
 */
export async function runExport(
  db: SqliteDatabase,
  task: ExportTask,
  runFor: number,
  timeZone: string,
): Promise<JobResult> {
  const runDate = dateIn(runFor, timeZone);
  const params: AnalysisParams = { interval: task.interval, limit: 1_000_000, ...periodParams(task.period, runDate) };
  await fs.mkdir(task.folder, { recursive: true });
  const files: string[] = [];
  let rows = 0;
  for (const name of task.analyses) {
    const rendered = render(db, name, params, task.format);
    const file = path.join(task.folder, `${rendered.filename.replace(/\.[a-z]+$/, '')}-${runDate}.${task.format}`);
    await writeWhole(file, rendered.content);
    files.push(file);
    rows += rendered.rows;
    await new Promise((resolve) => setImmediate(resolve));
  }
  const count = files.length === 1 ? '1 file' : `${files.length} files`;
  return { outcome: 'ok', message: `${count}, ${rows.toLocaleString('en-US')} rows, for ${runDate}`, files };
}

function render(db: SqliteDatabase, name: string, params: AnalysisParams, format: ExportTask['format']) {
  if (format === 'csv') {
    const { filename, csv, rows } = exportAnalysis(db, name, params);
    return { filename, content: csv as string | Uint8Array, rows };
  }
  const { filename, bytes, rows } = exportAnalysisParquet(db, name, params);
  return { filename, content: bytes as string | Uint8Array, rows };
}

async function writeWhole(file: string, content: string | Uint8Array): Promise<void> {
  const partial = `${file}.partial`;
  try {
    await fs.writeFile(partial, content);
    await fs.rename(partial, file);
  } catch (error) {
    await fs.rm(partial, { force: true });
    throw error;
  }
}
