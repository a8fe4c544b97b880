/**
 * The program of the process that runs one console query. better-sqlite3 runs a statement
 * synchronously inside SQLite's C code, which neither a worker's terminate() nor anything in
 * JavaScript can interrupt (a recursive CTE that counts for ever never returns to JS): only killing
 * the process stops it. So each query gets a process of its own (`node -e`), with its own read-only
 * connection; the time limit and cancel kill it (and so does the process itself, a little later,
 * when its parent is gone).
 *
 * Kept free of imports and closures: its source text is what the child runs.
 */
export function queryProcessMain(): void {
  type Cell = string | number | null;
  interface Job {
    sqlitePath: string;
    dbPath: string;
    sql: string;
    rowLimit: number;
    /** The process kills itself this long after the job came, should its parent be gone. */
    deadlineMs: number;
  }
  // The CommonJS require of `node -e`: the child has no module loader of its own.
  const load = require as (id: string) => unknown;

  const cell = (value: unknown): Cell => {
    if (value === null || value === undefined) return null;
    if (typeof value === 'bigint')
      return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(value)
        : value.toString();
    if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString('hex')}`;
    return value as string | number;
  };

  const run = (job: Job) => {
    type Statement = {
      reader: boolean;
      readonly: boolean;
      safeIntegers(on: boolean): Statement;
      raw(on: boolean): Statement;
      columns(): Array<{ name: string; type: string | null }>;
      iterate(): IterableIterator<unknown[]>;
    };
    const Database = load(job.sqlitePath) as new (
      file: string,
      options: object,
    ) => {
      pragma(text: string): unknown;
      prepare(sql: string): Statement;
    };
    const db = new Database(job.dbPath, { readonly: true, fileMustExist: true });
    db.pragma('query_only = ON');
    const statement = db.prepare(job.sql);
    // ATTACH, DETACH, BEGIN and pragma assignments count as "read-only" to SQLite but return no
    // rows: asking for a statement that both reads only and returns rows refuses them all.
    if (!statement.readonly || !statement.reader) return { ok: false, refused: true };
    statement.safeIntegers(true).raw(true);
    const columns = statement.columns().map((c) => ({ name: c.name, type: c.type }));
    const rows: Cell[][] = [];
    let truncated = false;
    for (const row of statement.iterate()) {
      if (rows.length === job.rowLimit) {
        truncated = true;
        break;
      }
      rows.push(row.map(cell));
    }
    return { ok: true, columns, rows, truncated };
  };

  // A watchdog on a thread of its own, since the main thread may be stuck in SQLite: if the parent
  // died (SIGKILL, a crash) nobody else would stop an endless query.
  const watchdog = (ms: number) => {
    const { Worker } = load('node:worker_threads') as typeof import('node:worker_threads');
    const source = `setTimeout(() => process.kill(${process.pid}, 'SIGKILL'), ${Math.ceil(ms)});`;
    new Worker(source, { eval: true }).unref();
  };

  const answer = (job: Job): object => {
    watchdog(job.deadlineMs);
    try {
      return run(job);
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  };
  // An Electron utility process talks through its parentPort; a Node child through its IPC channel.
  const port = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (port) {
    // postMessage has no callback to exit after: the parent ends the process once it has the answer.
    port.once('message', (event) => port.postMessage(answer(event.data as Job)));
  } else {
    process.once('message', (job: Job) => process.send!(answer(job), () => process.exit(0)));
  }
}

/** What an Electron utility process's `process.parentPort` offers (typed here: the engine imports no Electron). */
interface ElectronParentPort {
  once(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}
