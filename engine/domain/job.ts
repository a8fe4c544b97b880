import { z } from 'zod';
import { TimeZoneSchema } from './exchange-time-zone.ts';
import { IntervalSchema } from './interval.ts';
import { cronProblem } from './job-schedule.ts';

/** Daily at a wall-clock time of a chosen zone, or a five-field cron expression read in that zone. */
export const JobScheduleSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('daily'),
      time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM, such as 18:30'),
      timeZone: TimeZoneSchema,
    })
    .strict(),
  z
    .object({
      type: z.literal('cron'),
      expression: z
        .string()
        .trim()
        .min(1, 'type a cron expression, such as 0 18 * * 1-5')
        .superRefine((expression, ctx) => {
          const problem = cronProblem(expression);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        }),
      timeZone: TimeZoneSchema,
    })
    .strict(),
]);
export type JobSchedule = z.infer<typeof JobScheduleSchema>;

/** Which exchange dates an export covers, counted back from the run's date in the job's zone. */
export const ExportPeriodSchema = z.enum(['today', 'yesterday', 'last-7-days', 'last-30-days', 'all']);
export type ExportPeriod = z.infer<typeof ExportPeriodSchema>;

/** A folder on this computer, written as an absolute path (a relative one would depend on where the app started). */
const FolderSchema = z
  .string()
  .trim()
  .min(1, 'choose a folder')
  .refine((f) => /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(f), 'an absolute path, such as /home/me/exports');

export const JobTaskSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('export'),
      /** Names from the analysis catalog; the contract checks them against it (domain does not know it). */
      analyses: z.array(z.string().min(1)).min(1, 'choose at least one analysis'),
      folder: FolderSchema,
      format: z.enum(['csv', 'parquet']).default('csv'),
      period: ExportPeriodSchema.default('today'),
      interval: IntervalSchema.default('1d'),
    })
    .strict(),
  /** History of the watchlist, from a source that can backfill (Yahoo). */
  z.object({ kind: z.literal('backfill') }).strict(),
  z
    .object({
      kind: z.literal('maintenance'),
      vacuum: z.boolean().default(false),
      analyze: z.boolean().default(true),
      checkpoint: z.boolean().default(true),
    })
    .strict()
    .refine((t) => t.vacuum || t.analyze || t.checkpoint, {
      message: 'choose at least one of VACUUM, ANALYZE and WAL checkpoint',
      path: ['analyze'],
    }),
]);
export type JobTask = z.infer<typeof JobTaskSchema>;
export type JobKind = JobTask['kind'];

/** What the user saves: without `id` a new job, with one a change to it. */
export const JobInputSchema = z
  .object({
    id: z.number().int().optional(),
    name: z.string().trim().min(1, 'give the job a name').max(80),
    enabled: z.boolean().default(true),
    schedule: JobScheduleSchema,
    task: JobTaskSchema,
  })
  .strict();
export type JobInput = z.input<typeof JobInputSchema>;

export const JobSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  enabled: z.boolean(),
  schedule: JobScheduleSchema,
  task: JobTaskSchema,
  createdAt: z.number(),
  /** The latest due time the scheduler has handled (run, or run once for a stretch it missed). */
  handledDueAt: z.number().nullable(),
});
export type Job = z.infer<typeof JobSchema>;

export const JobOutcomeSchema = z.enum(['running', 'ok', 'failed', 'skipped']);
export type JobOutcome = z.infer<typeof JobOutcomeSchema>;

export const JobRunSchema = z.object({
  id: z.number().int(),
  jobId: z.number().int(),
  /** schedule: at its due time; missed: due while the app was closed; manual: Run now. */
  trigger: z.enum(['schedule', 'missed', 'manual']),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
  durationMs: z.number().nullable(),
  outcome: JobOutcomeSchema,
  message: z.string(),
  files: z.array(z.string()),
});
export type JobRun = z.infer<typeof JobRunSchema>;

/** A job as the Pipeline view lists it. */
export const JobViewSchema = JobSchema.extend({
  nextRunAt: z.number().nullable(),
  lastRun: JobRunSchema.nullable(),
});
export type JobView = z.infer<typeof JobViewSchema>;
