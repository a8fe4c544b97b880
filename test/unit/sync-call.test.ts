import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { answerSyncCall, syncCallBuffer, type SyncRequest } from '../../main/engine-thread/sync-call.ts';

type Result = { op: string; value?: unknown; error?: string };

/** Runs `ops` as synchronous calls in a thread; `answer` decides when this thread answers each. */
function callsFromAThread(
  ops: string[],
  waitMs: number,
  answer: (request: SyncRequest, reply: () => void) => void,
): Promise<Result[]> {
  const buffer = syncCallBuffer();
  const worker = new Worker(path.join(import.meta.dirname, '..', 'support', 'sync-call-worker.ts'), {
    workerData: { buffer, ops, waitMs },
  });
  const services = {
    echo: (input: unknown) => `answer to ${String(input)}`,
    slow: (input: unknown) => `answer to ${String(input)}`,
    fails: () => {
      throw new Error('the keychain is locked');
    },
  };
  return new Promise((resolve, reject) => {
    worker.on('error', reject);
    worker.on('message', (message: SyncRequest | { type: 'results'; results: Result[] }) => {
      if (message.type === 'results') {
        void worker.terminate();
        resolve(message.results);
      } else answer(message, () => answerSyncCall(buffer, services, message));
    });
  });
}

describe('synchronous calls from the engine thread to its host', () => {
  it('returns what the host answered, and throws what the host threw', async () => {
    const results = await callsFromAThread(['echo', 'fails', 'echo'], 5_000, (_request, reply) => reply());
    expect(results).toEqual([
      { op: 'echo', value: 'answer to echo' },
      { op: 'fails', error: 'the keychain is locked' },
      { op: 'echo', value: 'answer to echo' },
    ]);
  });

  it('never hands a late answer to the next call: the one that waited too long fails, the next gets its own', async () => {
    let echoes = 0;
    const results = await callsFromAThread(['slow', 'echo', 'echo'], 300, (request, reply) => {
      // The first is answered at 500 ms, after its caller gave up (300 ms) and while the next call
      // waits for its own answer, which comes at about 550 ms.
      if (request.op === 'slow') setTimeout(reply, 500);
      else if (echoes++ === 0) setTimeout(reply, 250);
      else reply();
    });
    expect(results[0]).toMatchObject({ op: 'slow', error: expect.stringMatching(/did not answer in time/) });
    expect(results.slice(1)).toEqual([
      { op: 'echo', value: 'answer to echo' },
      { op: 'echo', value: 'answer to echo' },
    ]);
  });
});
