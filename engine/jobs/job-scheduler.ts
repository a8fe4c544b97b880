import { JobInputSchema, type Job, type JobInput, type JobRun, type JobView } from '../domain/job.ts';
import { missedDue, nextDueAfter } from '../domain/job-schedule.ts';
import type { JobRepo } from '../store/job-repo.ts';
import type { JobClock } from './clock.ts';
import { reasonOf, type JobResult } from './job-result.ts';

/**
 * The longest the timer sleeps before looking again. A due time days away is still met on time:
 * waking each minute survives a changed system clock, a laptop's sleep, and setTimeout's limit of
 * 24.8 days, at the cost of one cheap look a minute.
 */
const MAX_SLEEP_MS = 60_000;

export interface JobSchedulerOptions {
  repo: JobRepo;
  clock: JobClock;
  /** Does the job's work for the due time `runFor` (the run's date, for an export). Should not throw; a throw is a failed run. */
  execute: (job: Job, runFor: number) => Promise<JobResult>;
  /** The jobs or their runs changed: the UI hears of it. */
  onChange: () => void;
}

/**
 * Runs scheduled jobs one at a time, on a timer that wakes at the next due time. At start, a job
 * whose due time passed while the app was closed runs once, however many due times it missed.
 */
export class JobScheduler {
  private readonly options: JobSchedulerOptions;
  private timer: unknown;
  /** Runs go one after another: two exports or a VACUUM beside an export would only compete. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly queued = new Set<number>();
  private stopped = true;

  constructor(options: JobSchedulerOptions) {
    this.options = options;
  }

  /** Marks runs a crash cut short, runs what was missed while closed, and arms the timer. */
  start(): void {
    this.stopped = false;
    this.options.repo.failInterrupted(this.now());
    this.runDue('missed');
    this.arm();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.options.clock.clearTimeout(this.timer);
    await this.queue;
  }

  /** Resolves once no run is queued or under way (tests; a host that waits for a run it caused). */
  async idle(): Promise<void> {
    let seen: Promise<unknown> | undefined;
    while (seen !== this.queue) {
      seen = this.queue;
      await seen;
    }
  }

  views(): JobView[] {
    const { repo } = this.options;
    return repo.list().map((job) => ({
      ...job,
      nextRunAt: job.enabled ? nextDueAfter(job.schedule, Math.max(this.now(), job.handledDueAt ?? 0)) : null,
      lastRun: repo.lastRun(job.id) ?? null,
    }));
  }

  runs(limit: number, jobId?: number): JobRun[] {
    return this.options.repo.runs(limit, jobId);
  }

  save(input: JobInput): JobView[] {
    const { id, ...job } = JobInputSchema.parse(input);
    if (id === undefined) this.options.repo.insert(job, this.now());
    else if (!this.options.repo.update(id, job, this.now())) throw new Error(`There is no job ${id}`);
    return this.changed();
  }

  remove(id: number): JobView[] {
    if (!this.options.repo.remove(id)) throw new Error(`There is no job ${id}`);
    return this.changed();
  }

  /** Runs the job now, after whatever runs already; resolves with the finished run. */
  runNow(id: number): Promise<JobRun> {
    const job = this.options.repo.get(id);
    if (!job) throw new Error(`There is no job ${id}`);
    return this.enqueue(job, 'manual', this.now());
  }

  /** Queues every enabled job that is due now (the timer calls this; tests too). */
  runDue(trigger: 'schedule' | 'missed' = 'schedule'): void {
    const now = this.now();
    for (const job of this.options.repo.list()) {
      if (!job.enabled || this.queued.has(job.id)) continue;
      const due = missedDue(job.schedule, job.handledDueAt ?? job.createdAt, now);
      if (due === null) continue;
      // Handled as soon as it is queued: a crash during the run is recorded as such, not run again.
      this.options.repo.setHandledDue(job.id, due);
      // Nobody waits for a scheduled run: a job removed before its turn is simply not run.
      this.enqueue(job, trigger, due).catch(() => undefined);
    }
  }

  private enqueue(job: Job, trigger: JobRun['trigger'], runFor: number): Promise<JobRun> {
    this.queued.add(job.id);
    const run = this.queue.then(() => this.execute(job, trigger, runFor));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async execute(queuedJob: Job, trigger: JobRun['trigger'], runFor: number): Promise<JobRun> {
    const { repo } = this.options;
    this.queued.delete(queuedJob.id);
    // As it is now: removed or edited while it waited behind another run.
    const job = repo.get(queuedJob.id);
    if (!job) throw new Error(`There is no job ${queuedJob.id}: it was removed before its run began`);
    const started = repo.startRun(job.id, trigger, this.now());
    this.options.onChange();
    let result: JobResult;
    try {
      result = await this.options.execute(job, runFor);
    } catch (error) {
      result = { outcome: 'failed', message: reasonOf(error), files: [] };
    }
    const finished = repo.finishRun(started.id, result, this.now());
    this.options.onChange();
    return finished;
  }

  private changed(): JobView[] {
    this.arm();
    this.options.onChange();
    return this.views();
  }

  /** Sleeps until the next due time of any enabled job (at most a minute), then runs what is due. */
  private arm(): void {
    const { clock } = this.options;
    clock.clearTimeout(this.timer);
    if (this.stopped) return;
    const now = this.now();
    const next = this.views().reduce<number | null>(
      (soonest, job) =>
        job.nextRunAt === null || (soonest !== null && soonest <= job.nextRunAt) ? soonest : job.nextRunAt,
      null,
    );
    const sleep = next === null ? MAX_SLEEP_MS : Math.min(Math.max(next - now, 0), MAX_SLEEP_MS);
    this.timer = clock.setTimeout(() => {
      this.runDue('schedule');
      this.arm();
    }, sleep);
  }

  private now(): number {
    return this.options.clock.now();
  }
}
