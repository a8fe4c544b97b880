import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CallResult } from '../../engine/api/contract.ts';
import type { EngineEndpoint, EventListener } from '../../engine/api/endpoint.ts';
import type { KeyCipher } from '../../engine/app/encrypted-key-file.ts';
import type { MarketMonitorOptions } from '../../engine/app/market-monitor.ts';
import type { QueryProcessStarter } from '../../engine/sql/sql-console.ts';
import { DatabaseInUseError } from '../../engine/store/engine-lock.ts';
import { cipherServices, serveQueryProcesses } from './host-services.ts';
import type { HostMessage, ThreadMessage } from './messages.ts';
import { answerSyncCall, syncCallBuffer, type SyncServices } from './sync-call.ts';

export interface EngineWorker extends EngineEndpoint {
  /** Closes the app in its thread (every batch stored), then ends the thread. */
  close(): Promise<void>;
  /** Settles if the engine's thread dies on its own (an uncaught error): the host cannot go on. */
  readonly died: Promise<Error>;
}

/** Options a worker can be given: plain data only (no injected clients or functions). */
export type EngineThreadOptions = Pick<MarketMonitorOptions, 'dbPath' | 'overrides' | 'starterSymbols'>;

/** What the host does for the engine in its thread (Electron's main process: its log, keychain and utility processes). */
export interface EngineHostServices {
  /** Where the engine's log lines go (standard error when absent). */
  log?: (line: string) => void;
  /** Provider keys in `file`, sealed by `cipher` (the environment's keys when absent). */
  keys?: { file: string; cipher: KeyCipher };
  /** Where the SQL console runs each query (a Node child process when absent). */
  sqlProcesses?: QueryProcessStarter;
}

/**
 * The thread's script: in the desktop app's bundle, engine-thread.cjs beside main.cjs (which this
 * module is part of there); run from source (the command line, the tests), thread.ts beside this file.
 */
function threadScript(): string {
  const bundled = path.join(import.meta.dirname, 'engine-thread.cjs');
  if (fs.existsSync(bundled)) return bundled;
  const source = path.join(import.meta.dirname, 'thread.ts');
  if (fs.existsSync(source)) return source;
  throw new Error(`The engine's thread is missing: no ${bundled} (npm run build:electron builds it)`);
}

/** What the thread is started with. */
export interface EngineThreadData {
  options: EngineThreadOptions;
  keysFile?: string;
  sqlProcesses: boolean;
  sync: SharedArrayBuffer;
}

/** The error the app gave in its thread, as the host's start-up recovery tells causes apart. */
function openingError(message: Extract<ThreadMessage, { type: 'failed' }>, dbPath: string): Error {
  if (message.name === 'DatabaseInUseError') return new DatabaseInUseError(dbPath);
  return Object.assign(new Error(message.message), message.code ? { code: message.code } : {});
}

/**
 * Opens the app in a thread of its own and answers for it here. Resolves once the app is open;
 * rejects with the app's own error when it cannot open (a database in use, bad settings).
 */
export function startEngineWorker(options: EngineThreadOptions, host: EngineHostServices = {}): Promise<EngineWorker> {
  const sync = syncCallBuffer();
  const data: EngineThreadData = {
    options,
    sqlProcesses: host.sqlProcesses !== undefined,
    sync,
    ...(host.keys ? { keysFile: host.keys.file } : {}),
  };
  const worker = new Worker(threadScript(), { workerData: data });
  const services: SyncServices = host.keys ? cipherServices(host.keys.cipher) : {};
  const send = (message: HostMessage) => worker.postMessage(message);
  const sql = host.sqlProcesses ? serveQueryProcesses(host.sqlProcesses, send) : null;
  const log = host.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const pending = new Map<number, (result: CallResult) => void>();
  const listeners = new Set<EventListener>();
  let nextId = 1;
  /** Closing: asked to close; gone: the thread ended (closed, failed to open, or died). */
  let state: 'opening' | 'running' | 'closing' | 'gone' = 'opening';
  let closing: Promise<void> | null = null;
  let closedNow = () => {};
  let died: (error: Error) => void = () => {};
  const diedPromise = new Promise<Error>((resolve) => (died = resolve));
  const refused = (why: string): CallResult => ({ ok: false, error: { code: 'failed', message: `The engine ${why}` } });

  return new Promise((resolve, reject) => {
    /** The thread is gone: whoever waits on it gets an answer, not a hang. */
    const gone = (error: Error) => {
      if (state === 'gone') return;
      const unexpected = state === 'running';
      state = 'gone';
      reject(error);
      for (const answer of pending.values()) answer(refused(`stopped: ${error.message}`));
      pending.clear();
      sql?.killAll();
      closedNow();
      if (unexpected) died(error);
    };
    const endpoint: EngineWorker = {
      call: (name, input) =>
        state !== 'running'
          ? Promise.resolve(refused(state === 'closing' ? 'is closing' : 'has stopped'))
          : new Promise((answer) => {
              const id = nextId++;
              pending.set(id, answer);
              send({ type: 'call', id, name, input });
            }),
      subscribe: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      close: () => {
        if (closing) return closing;
        // A thread that ended has nothing left to store: closing it is done.
        if (state === 'gone') return Promise.resolve();
        state = 'closing';
        closing = new Promise<void>((done) => {
          closedNow = done;
          send({ type: 'close' });
        }).then(() => worker.terminate().then(() => undefined));
        return closing;
      },
      died: diedPromise,
    };
    worker.on('message', (message: ThreadMessage) => {
      switch (message.type) {
        case 'ready':
          state = 'running';
          return resolve(endpoint);
        case 'failed':
          // Rejected once the thread is gone, with the files it opened: the host may set the
          // database aside next, which Windows refuses for a file still open.
          state = 'gone';
          return void worker.terminate().then(() => reject(openingError(message, options.dbPath)));
        case 'result':
          pending.get(message.id)?.(message.result);
          pending.delete(message.id);
          return;
        case 'event':
          for (const listener of listeners) listener(message.event, message.payload as never);
          return;
        case 'log':
          return log(message.line);
        case 'sync':
          return answerSyncCall(sync, services, message);
        case 'closed':
          return closedNow();
        default:
          return sql?.handle(message);
      }
    });
    worker.on('error', gone);
    // An end without an error (the engine called process.exit, say) is a death all the same.
    worker.on('exit', (code) => gone(new Error(`its thread ended (exit code ${code})`)));
  });
}
