import type { Job } from '../domain/job.ts';
import type { SqliteDatabase } from '../store/database.ts';
import { runExport } from './export-job.ts';
import { reasonOf, type JobResult } from './job-result.ts';
import { runMaintenance } from './maintenance-job.ts';

/** What a backfill job needs of the app: its running source's history, if it has one. */
export type WatchlistBackfill = () => Promise<JobResult>;

/** Does a job's work. Never throws: whatever goes wrong (a folder that cannot be written) is a failed run with the reason. */
export async function runJob(
  job: Job,
  runFor: number,
  deps: { db: SqliteDatabase; backfill: WatchlistBackfill },
): Promise<JobResult> {
  try {
    const { task } = job;
    if (task.kind === 'export') return await runExport(deps.db, task, runFor, job.schedule.timeZone);
    if (task.kind === 'maintenance') return await runMaintenance(deps.db, task);
    return await deps.backfill();
  } catch (error) {
    return { outcome: 'failed', message: reasonOf(error), files: [] };
  }
}
