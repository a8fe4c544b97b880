import type { JobRun } from '../domain/job.ts';

/** How a run ended, as its history row keeps it. */
export type JobResult = Pick<JobRun, 'outcome' | 'message' | 'files'> & { outcome: 'ok' | 'failed' | 'skipped' };

/**
 * An error as the user reads it. Node's file errors read "ENOTDIR: not a directory, mkdir '/x'":
 * the operating system's reason, then the call; kept whole, since the path says where.
 */
export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
