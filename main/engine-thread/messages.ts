import type { CallResult, EventName } from '../../engine/api/contract.ts';
import type { QueryAnswer, QueryJob } from '../../engine/sql/sql-console.ts';
import type { SyncRequest } from './sync-call.ts';

/** The SQL console's query processes, started by the host (Electron forks them from its main process). */
export type SqlProcessRequest =
  | { type: 'sql-start'; id: number }
  | { type: 'sql-send'; id: number; job: QueryJob }
  | { type: 'sql-kill'; id: number };

export type SqlProcessNews =
  { type: 'sql-answer'; id: number; answer: QueryAnswer } | { type: 'sql-end'; id: number; why: string };

/** From the host to the engine's thread. */
export type HostMessage =
  { type: 'call'; id: number; name: unknown; input: unknown } | { type: 'close' } | SqlProcessNews;

/** From the engine's thread to the host. */
export type ThreadMessage =
  | { type: 'ready' }
  /** The app could not open: its message, and what the host needs to tell the cause (a locked or damaged file). */
  | { type: 'failed'; message: string; name?: string; code?: string }
  | { type: 'result'; id: number; result: CallResult }
  | { type: 'event'; event: EventName; payload: unknown }
  | { type: 'log'; line: string }
  | { type: 'closed' }
  | SyncRequest
  | SqlProcessRequest;
