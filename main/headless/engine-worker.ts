import { Worker } from 'node:worker_threads';
import type { CallResult } from '../../engine/api/contract.ts';
import type { EngineEndpoint, EventListener } from '../../engine/api/endpoint.ts';
import type { MarketMonitorOptions } from '../../engine/app/market-monitor.ts';
import type { HostMessage, ThreadMessage } from './engine-thread-messages.ts';

export interface EngineWorker extends EngineEndpoint {
  /** Closes the app in its thread (every batch stored), then ends the thread. */
  close(): Promise<void>;
  /** Settles if the engine's thread dies on its own (an uncaught error): the host cannot go on. */
  readonly died: Promise<Error>;
}

/** Options a worker can be given: plain data only (no injected clients or functions). */
export type EngineThreadOptions = Pick<MarketMonitorOptions, 'dbPath' | 'overrides' | 'starterSymbols'>;

/**
 * Opens the app in a thread of its own and answers for it here. Resolves once the app is open;
 * rejects with the app's own message when it cannot open (a database in use, bad settings).
 */
export function startEngineWorker(options: EngineThreadOptions): Promise<EngineWorker> {
  const worker = new Worker(new URL('./engine-thread.ts', import.meta.url), { workerData: options });
  const pending = new Map<number, (result: CallResult) => void>();
  const listeners = new Set<EventListener>();
  let nextId = 1;
  let closed: (() => void) | null = null;
  let died: (error: Error) => void = () => {};
  const diedPromise = new Promise<Error>((resolve) => (died = resolve));
  const send = (message: HostMessage) => worker.postMessage(message);

  return new Promise((resolve, reject) => {
    const endpoint: EngineWorker = {
      call: (name, input) =>
        new Promise((answer) => {
          const id = nextId++;
          pending.set(id, answer);
          send({ type: 'call', id, name, input });
        }),
      subscribe: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      close: () =>
        new Promise<void>((done) => {
          closed = done;
          send({ type: 'close' });
        }).then(() => worker.terminate().then(() => undefined)),
      died: diedPromise,
    };
    worker.on('message', (message: ThreadMessage) => {
      switch (message.type) {
        case 'ready':
          return resolve(endpoint);
        case 'failed':
          void worker.terminate();
          return reject(new Error(message.message));
        case 'result':
          pending.get(message.id)?.(message.result);
          pending.delete(message.id);
          return;
        case 'event':
          for (const listener of listeners) listener(message.event, message.payload as never);
          return;
        case 'closed':
          closed?.();
      }
    });
    worker.on('error', (error) => {
      reject(error);
      // Callers waiting on a dead engine get an answer, not a hang.
      for (const answer of pending.values())
        answer({ ok: false, error: { code: 'failed', message: `The engine stopped: ${error.message}` } });
      pending.clear();
      closed?.();
      died(error);
    });
  });
}
