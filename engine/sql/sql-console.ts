import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { SQL_DEFAULT_ROW_LIMIT, SQL_DEFAULT_TIME_LIMIT_MS } from '../domain/sql-limits.ts';
import { queryProcessMain } from './query-process.ts';

export type SqlCell = string | number | null;

export interface SqlResult {
  columns: Array<{ name: string; type: string | null }>;
  rows: SqlCell[][];
  /** True when the query had more rows than `rowLimit`: `rows` are its first `rowLimit`. */
  truncated: boolean;
  rowLimit: number;
  elapsedMs: number;
}

export interface SqlRunOptions {
  /** A name the caller picks, so that it can cancel the query while it runs. */
  id?: string;
  rowLimit?: number;
  timeLimitMs?: number;
}

/** Why a query gave no result: the text says it as the user should read it. */
export class SqlQueryError extends Error {
  readonly reason: 'refused' | 'time-limit' | 'cancelled' | 'failed';

  constructor(reason: SqlQueryError['reason'], message: string) {
    super(message);
    this.reason = reason;
  }
}

/** The source text of a query process: `node -e` runs it, a host that needs a file writes it to one. */
export const QUERY_PROGRAM = `(${queryProcessMain.toString()})();`;
// import.meta.dirname, not .url: the Electron bundle is CommonJS and defines only the former.
const SQLITE_PATH = createRequire(path.join(import.meta.dirname, 'sql-console.ts')).resolve('better-sqlite3');

export interface QueryAnswer {
  ok: boolean;
  refused?: boolean;
  message?: string;
  columns?: SqlResult['columns'];
  rows?: SqlCell[][];
  truncated?: boolean;
}

/**
 * Read-only SQL over the store's file, for people: each query runs in a process of its own with a
 * read-only connection (`readonly`, then `PRAGMA query_only`), so the engine never waits on it and
 * a query past its time limit, or cancelled, is killed (see query-process.ts for why a process).
 */
export class SqlConsole {
  private readonly running = new Map<string, (reason: 'time-limit' | 'cancelled') => void>();
  private nextId = 1;

  private readonly dbPath: string;
  private readonly startProcess: QueryProcessStarter;

  /** `startProcess` is how a query process starts here: `node -e` unless the host has its own way. */
  constructor(dbPath: string, startProcess: QueryProcessStarter = startQueryProcess) {
    this.dbPath = dbPath;
    this.startProcess = startProcess;
  }

  run(sql: string, options: SqlRunOptions = {}): Promise<SqlResult> {
    if (this.dbPath === ':memory:') {
      return Promise.reject(new SqlQueryError('failed', 'The SQL console needs a database file, not :memory:.'));
    }
    const id = options.id ?? `query-${this.nextId++}`;
    if (this.running.size >= SQL_MAX_RUNNING) {
      return Promise.reject(
        new SqlQueryError('failed', `${SQL_MAX_RUNNING} queries are running already: wait for one, or cancel it.`),
      );
    }
    if (this.running.has(id)) {
      return Promise.reject(new SqlQueryError('failed', `A query named "${id}" is already running.`));
    }
    const rowLimit = options.rowLimit ?? SQL_DEFAULT_ROW_LIMIT;
    const timeLimitMs = options.timeLimitMs ?? SQL_DEFAULT_TIME_LIMIT_MS;
    const started = Date.now();
    return new Promise<SqlResult>((resolve, reject) => {
      const child = this.startProcess();
      let settled = false;
      const finish = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.running.delete(id);
        outcome();
      };
      const stop = (reason: 'time-limit' | 'cancelled') =>
        finish(() => {
          child.kill();
          reject(
            reason === 'cancelled'
              ? new SqlQueryError('cancelled', 'The query was cancelled.')
              : new SqlQueryError(
                  'time-limit',
                  `The query ran past its time limit of ${formatSeconds(timeLimitMs)} and was stopped.`,
                ),
          );
        });
      const timer = setTimeout(() => stop('time-limit'), timeLimitMs);
      this.running.set(id, stop);
      child.onAnswer((answer) =>
        finish(() => {
          if (answer.ok) {
            resolve({
              columns: answer.columns!,
              rows: answer.rows!,
              truncated: answer.truncated!,
              rowLimit,
              elapsedMs: Date.now() - started,
            });
          } else if (answer.refused) {
            reject(
              new SqlQueryError(
                'refused',
                'The console only reads: run a SELECT (or WITH, EXPLAIN, or a PRAGMA that reports). ' +
                  'Statements that change the database or the connection (INSERT, UPDATE, DELETE, CREATE, DROP, ATTACH...) are refused.',
              ),
            );
          } else reject(new SqlQueryError('failed', answer.message ?? 'The query failed.'));
        }),
      );
      child.onEnd((why) =>
        finish(() => reject(new SqlQueryError('failed', `The query process ended without an answer (${why}).`))),
      );
      const job = {
        sqlitePath: SQLITE_PATH,
        dbPath: this.dbPath,
        sql,
        rowLimit,
        deadlineMs: timeLimitMs + ORPHAN_GRACE_MS,
      };
      child.send(job);
    });
  }

  /** Stops a running query; false when none of that name runs (it may have just finished). */
  cancel(id: string): boolean {
    const stop = this.running.get(id);
    stop?.('cancelled');
    return stop !== undefined;
  }

  /** Stops every running query (at shutdown). */
  close(): void {
    for (const stop of [...this.running.values()]) stop('cancelled');
  }
}

/** Each query is a process: a few at a time, so that a page cannot start hundreds. */
export const SQL_MAX_RUNNING = 4;

/** How long past its time limit a query process waits for its parent to kill it, before it does so itself. */
export const ORPHAN_GRACE_MS = 5_000;

/** The job a query process is sent: where better-sqlite3 and the database are, and what to run. */
export interface QueryJob {
  sqlitePath: string;
  dbPath: string;
  sql: string;
  rowLimit: number;
  deadlineMs: number;
}

/**
 * One query process as the console drives it, whatever started it: a Node child process here and
 * in the CLI, an Electron utility process in the packaged app (whose fuses disable
 * ELECTRON_RUN_AS_NODE, so `process.execPath` cannot act as Node there).
 */
export interface QueryProcess {
  send(job: QueryJob): void;
  onAnswer(listener: (answer: QueryAnswer) => void): void;
  /** It ended, or could not start: `why` is the exit code, signal or error. */
  onEnd(listener: (why: string) => void): void;
  kill(): void;
}
export type QueryProcessStarter = () => QueryProcess;

/** A query process as a Node child (`node -e`), talking over its IPC channel. */
export function startQueryProcess(): QueryProcess {
  // In Electron without the fuse, process.execPath is the app itself: ELECTRON_RUN_AS_NODE makes it a plain Node.
  const child = spawn(process.execPath, ['-e', QUERY_PROGRAM], {
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  return childQueryProcess(child);
}

export function childQueryProcess(child: ChildProcess): QueryProcess {
  return {
    send: (job) => child.send(job),
    onAnswer: (listener) => child.once('message', (answer) => listener(answer as QueryAnswer)),
    onEnd(listener) {
      child.once('error', (error) => listener(error.message));
      child.once('exit', (code, signal) => listener(String(signal ?? code)));
    },
    kill: () => child.kill('SIGKILL'),
  };
}

function formatSeconds(ms: number): string {
  return ms % 1_000 === 0 ? `${ms / 1_000} s` : `${ms} ms`;
}
