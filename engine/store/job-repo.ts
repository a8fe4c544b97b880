import { JobRunSchema, JobSchema, type Job, type JobRun } from '../domain/job.ts';
import type { SqliteDatabase } from './database.ts';

type JobValues = Pick<Job, 'name' | 'enabled' | 'schedule' | 'task'>;

interface JobRow {
  id: number;
  name: string;
  enabled: number;
  schedule: string;
  task: string;
  createdAt: number;
  handledDueAt: number | null;
}

interface RunRow extends Omit<JobRun, 'files'> {
  files: string;
}

const JOB_COLUMNS = 'id, name, enabled, schedule, task, created_at AS createdAt, handled_due_at AS handledDueAt';
const RUN_COLUMNS = `id, job_id AS jobId, trigger, started_at AS startedAt, finished_at AS finishedAt,
  duration_ms AS durationMs, outcome, message, files`;

/** Scheduled jobs and the history of their runs (migration "scheduled jobs"). */
export class JobRepo {
  private readonly db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  list(): Job[] {
    const rows = this.db.prepare(`SELECT ${JOB_COLUMNS} FROM jobs ORDER BY name COLLATE NOCASE, id`).all() as JobRow[];
    return rows.flatMap((row) => {
      const job = parseJob(row);
      return job ? [job] : [];
    });
  }

  get(id: number): Job | undefined {
    const row = this.db.prepare(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = ?`).get(id) as JobRow | undefined;
    return row ? parseJob(row) : undefined;
  }

  /**
   * A new job starts counting its due times from now (`handledDueAt` = now), so one saved at 19:00
   * for 18:30 does not run at once as "missed". Returns the job's id.
   */
  insert(job: JobValues, now: number): number {
    const result = this.db
      .prepare('INSERT INTO jobs (name, enabled, schedule, task, created_at, handled_due_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(job.name, job.enabled ? 1 : 0, JSON.stringify(job.schedule), JSON.stringify(job.task), now, now);
    return Number(result.lastInsertRowid);
  }

  /** An edited schedule counts from now too: a time moved to earlier today is not "missed". */
  update(id: number, job: JobValues, now: number): boolean {
    return (
      this.db
        .prepare('UPDATE jobs SET name = ?, enabled = ?, schedule = ?, task = ?, handled_due_at = ? WHERE id = ?')
        .run(job.name, job.enabled ? 1 : 0, JSON.stringify(job.schedule), JSON.stringify(job.task), now, id).changes > 0
    );
  }

  remove(id: number): boolean {
    return this.db.prepare('DELETE FROM jobs WHERE id = ?').run(id).changes > 0;
  }

  setHandledDue(id: number, dueAt: number): void {
    this.db.prepare('UPDATE jobs SET handled_due_at = MAX(COALESCE(handled_due_at, 0), ?) WHERE id = ?').run(dueAt, id);
  }

  startRun(jobId: number, trigger: JobRun['trigger'], startedAt: number): JobRun {
    const id = Number(
      this.db
        .prepare("INSERT INTO job_runs (job_id, trigger, started_at, outcome) VALUES (?, ?, ?, 'running')")
        .run(jobId, trigger, startedAt).lastInsertRowid,
    );
    return this.run(id)!;
  }

  finishRun(id: number, end: Pick<JobRun, 'outcome' | 'message' | 'files'>, finishedAt: number): JobRun {
    this.db
      .prepare(
        `UPDATE job_runs SET finished_at = @finishedAt, duration_ms = @finishedAt - started_at,
         outcome = @outcome, message = @message, files = @files WHERE id = @id`,
      )
      .run({ id, finishedAt, outcome: end.outcome, message: end.message, files: JSON.stringify(end.files) });
    return this.run(id)!;
  }

  /**
   * Runs still 'running' when the app starts were cut short by a crash or a kill: they failed, and
   * say so, rather than spinning in the history for ever.
   */
  failInterrupted(now: number): number {
    return this.db
      .prepare(
        `UPDATE job_runs SET finished_at = @now, duration_ms = NULL, outcome = 'failed',
         message = 'Interrupted: the app stopped during the run' WHERE outcome = 'running'`,
      )
      .run({ now }).changes;
  }

  run(id: number): JobRun | undefined {
    const row = this.db.prepare(`SELECT ${RUN_COLUMNS} FROM job_runs WHERE id = ?`).get(id) as RunRow | undefined;
    return row ? parseRun(row) : undefined;
  }

  /** The newest runs first, of one job or of all. */
  runs(limit: number, jobId?: number): JobRun[] {
    const rows = (
      jobId === undefined
        ? this.db.prepare(`SELECT ${RUN_COLUMNS} FROM job_runs ORDER BY started_at DESC, id DESC LIMIT ?`).all(limit)
        : this.db
            .prepare(`SELECT ${RUN_COLUMNS} FROM job_runs WHERE job_id = ? ORDER BY started_at DESC, id DESC LIMIT ?`)
            .all(jobId, limit)
    ) as RunRow[];
    return rows.map(parseRun);
  }

  lastRun(jobId: number): JobRun | undefined {
    return this.runs(1, jobId)[0];
  }
}

/** A row whose JSON no longer parses (written by a newer version, say) is left out, not a crash. */
function parseJob(row: JobRow): Job | undefined {
  const parsed = JobSchema.safeParse({
    ...row,
    enabled: row.enabled === 1,
    schedule: safeJson(row.schedule),
    task: safeJson(row.task),
  });
  return parsed.success ? parsed.data : undefined;
}

function parseRun(row: RunRow): JobRun {
  return JobRunSchema.parse({ ...row, files: safeJson(row.files) ?? [] });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
