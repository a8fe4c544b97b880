/**
 * A thread that makes synchronous calls to its parent (main/engine-thread/sync-call.ts) and posts
 * what each returned or threw: for the tests of the calls' numbering and time limit.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { syncCaller, type SyncRequest } from '../../main/engine-thread/sync-call.ts';

const { buffer, ops, waitMs } = workerData as { buffer: SharedArrayBuffer; ops: string[]; waitMs: number };
const call = syncCaller(buffer, (request: SyncRequest) => parentPort!.postMessage(request), waitMs);
const results = ops.map((op) => {
  try {
    return { op, value: call(op, op) };
  } catch (error) {
    return { op, error: (error as Error).message };
  }
});
parentPort!.postMessage({ type: 'results', results });
