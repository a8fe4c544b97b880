import type { JobTask } from '../domain/job.ts';
import type { SqliteDatabase } from '../store/database.ts';
import type { JobResult } from './job-result.ts';

type MaintenanceTask = Extract<JobTask, { kind: 'maintenance' }>;

/**
 * ANALYZE reads at most this many rows per index (PRAGMA analysis_limit), as SQLite recommends for
 * periodic runs: the statistics stay good and a large database is done in moments, not minutes.
 */
const ANALYSIS_LIMIT = 1_000;

/**
 * VACUUM, ANALYZE and a WAL checkpoint on the app's own connection. better-sqlite3 runs each
 * synchronously: the engine (ticks, the WebSocket) waits while it runs. ANALYZE (limited) and the
 * checkpoint take moments; VACUUM rewrites the whole file, seconds per gigabyte, which is why it is
 * off by default and its run's duration is recorded. A second connection would not help: the
 * engine's writes would wait on VACUUM's lock inside SQLite just the same (busy_timeout).
 */
export async function runMaintenance(db: SqliteDatabase, task: MaintenanceTask): Promise<JobResult> {
  const done: string[] = [];
  const step = () => new Promise((resolve) => setImmediate(resolve));
  if (task.vacuum) {
    const before = fileBytes(db);
    const started = performance.now();
    db.exec('VACUUM');
    done.push(`VACUUM ${mib(before)} → ${mib(fileBytes(db))} in ${Math.round(performance.now() - started)} ms`);
    await step();
  }
  if (task.analyze) {
    db.pragma(`analysis_limit = ${ANALYSIS_LIMIT}`);
    db.exec('ANALYZE');
    done.push('ANALYZE');
    await step();
  }
  if (task.checkpoint) {
    const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{
      busy: number;
      log: number;
      checkpointed: number;
    }>;
    // busy: a reader (the SQL console, say) held the log, so only part of it went into the file.
    if (result && result.busy) {
      return {
        outcome: 'failed',
        message: [
          ...done,
          `WAL checkpoint incomplete: a reader held the log (${result.checkpointed} of ${result.log} pages)`,
        ].join('; '),
        files: [],
      };
    }
    done.push(`WAL checkpoint (${result?.checkpointed ?? 0} pages)`);
  }
  return { outcome: 'ok', message: done.join('; '), files: [] };
}

function fileBytes(db: SqliteDatabase): number {
  const pages = db.pragma('page_count', { simple: true }) as number;
  const size = db.pragma('page_size', { simple: true }) as number;
  return pages * size;
}

function mib(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MiB`;
}
