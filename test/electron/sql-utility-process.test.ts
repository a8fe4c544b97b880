// The packaged app's SQL console runs each query in an Electron utility process (its fuses disable
// ELECTRON_RUN_AS_NODE). No Electron binary runs here, so the utility process is played by a Node
// child that gives the query program the same `process.parentPort` (once('message') with
// { data }, postMessage) and the fork the same surface (postMessage, once('message'|'exit'),
// kill): the program's parentPort path and the adapter's wiring run for real against SQLite.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlConsole, SqlQueryError } from '../../engine/sql/sql-console.ts';
import { openDatabase } from '../../engine/store/database.ts';
import {
  utilityQueryProcesses,
  writeQueryProgram,
  type UtilityProcessLike,
} from '../../main/electron/sql-utility-process.ts';
import { tempDir } from '../unit/helpers.ts';

/** Electron's parentPort, as a utility process has it, over a Node child's IPC channel. */
const PARENT_PORT = `process.parentPort = {
  once: (event, listener) => process.once(event, (data) => listener({ data })),
  postMessage: (message) => process.send(message),
};`;

/** A stand-in for utilityProcess.fork: runs the program file with a parentPort, and never exits on its own. */
function forkLikeElectron(program: string): UtilityProcessLike & { exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['-e', `${PARENT_PORT}\nrequire(${JSON.stringify(program)});`], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    exited,
    postMessage: (message) => child.send(message as object),
    once: (event: 'message' | 'exit', listener: (value: never) => unknown) =>
      child.once(event, (value: unknown) => listener(value as never)),
    kill: () => child.kill('SIGKILL'),
  };
}

describe('the SQL console through utility processes', () => {
  const { dir, cleanup } = tempDir('mm-sql-utility-');
  const dbPath = path.join(dir, 'market.db');
  const forked: Array<ReturnType<typeof forkLikeElectron>> = [];
  const program = writeQueryProgram(path.join(dir, 'sql'));
  const sqlConsole = new SqlConsole(
    dbPath,
    utilityQueryProcesses((file) => {
      const child = forkLikeElectron(file);
      forked.push(child);
      return child;
    }, program),
  );

  beforeAll(() => {
    const db = openDatabase(dbPath);
    db.prepare('INSERT INTO ticks (symbol, ts, price, volume, side, source) VALUES (?, ?, ?, ?, ?, ?)').run(
      'AAPL',
      1_700_000_000_000,
      189.25,
      100,
      'buy',
      'simulator',
    );
    db.close();
  });
  afterAll(() => {
    sqlConsole.close();
    cleanup();
  });

  it('writes the query program to a file of its own', () => {
    expect(fs.readFileSync(program, 'utf8')).toContain('parentPort');
  });

  it('answers a query, and the process that answered is ended', async () => {
    const result = await sqlConsole.run('SELECT symbol, price FROM ticks');
    expect(result.columns.map((c) => c.name)).toEqual(['symbol', 'price']);
    expect(result.rows).toEqual([['AAPL', 189.25]]);
    expect(forked).toHaveLength(1);
    expect(await forked[0]!.exited).toBeNull(); // killed (SIGKILL), not left running
  });

  it('still refuses a write and stops a query past its time limit', async () => {
    const write = await sqlConsole.run("DELETE FROM ticks WHERE symbol = 'AAPL'").catch((e: unknown) => e);
    expect(write).toBeInstanceOf(SqlQueryError);
    expect((write as SqlQueryError).reason).toBe('refused');
    const endless = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';
    const slow = await sqlConsole.run(endless, { timeLimitMs: 300 }).catch((e: unknown) => e);
    expect((slow as SqlQueryError).reason).toBe('time-limit');
    expect((await sqlConsole.run('SELECT count(*) FROM ticks')).rows).toEqual([[1]]);
  });
});
