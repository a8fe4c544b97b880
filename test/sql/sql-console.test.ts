import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SQL_MAX_RUNNING, SqlConsole, SqlQueryError, startQueryProcess } from '../../engine/sql/sql-console.ts';
import { listSchema } from '../../engine/sql/schema.ts';
import { openDatabase } from '../../engine/store/database.ts';
import { SavedQueryRepo } from '../../engine/store/saved-query-repo.ts';
import { main } from '../../main/cli.ts';
import { tempDir } from '../unit/helpers.ts';

/** Counts for ever without returning a row: only killing its process stops it. */
const ENDLESS = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';
const numbers = (n: number) =>
  `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ${n}) SELECT x FROM c`;

/** Every row of every table, in a fixed order, read over a connection of the test's own. */
function snapshot(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    const dump = (tables as string[]).map((t) => [t, db.prepare(`SELECT * FROM "${t}" ORDER BY 1`).raw().all()]);
    return JSON.stringify([db.pragma('user_version', { simple: true }), dump]);
  } finally {
    db.close();
  }
}

async function refusal(run: Promise<unknown>): Promise<SqlQueryError> {
  const error = await run.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SqlQueryError);
  return error as SqlQueryError;
}

describe('SQL console', () => {
  const { dir, cleanup } = tempDir('mm-sql-');
  const dbPath = path.join(dir, 'market.db');
  const sqlConsole = new SqlConsole(dbPath);

  beforeAll(() => {
    const db = openDatabase(dbPath);
    const insert = db.prepare('INSERT INTO ticks (symbol, ts, price, volume, side, source) VALUES (?, ?, ?, ?, ?, ?)');
    insert.run('AAPL', 1_700_000_000_000, 189.25, 100, 'buy', 'simulator');
    insert.run('MSFT', 1_700_000_000_500, 370.5, 0.5, null, 'simulator');
    insert.run('AAPL', 1_700_000_001_000, 189.3, 20, 'sell', 'replay');
    db.close(); // the engine may hold it open too; the console has a connection of its own either way
  });
  afterAll(() => {
    sqlConsole.close();
    cleanup();
  });

  it('answers a SELECT with its columns and rows as SQLite gives them', async () => {
    const result = await sqlConsole.run(
      "SELECT symbol, ts, price, side, x'00ff' AS blob, 9007199254740993 AS big FROM ticks ORDER BY id",
    );
    expect(result.columns.map((c) => c.name)).toEqual(['symbol', 'ts', 'price', 'side', 'blob', 'big']);
    expect(result.columns[0]!.type).toBe('TEXT');
    expect(result.rows).toEqual([
      ['AAPL', 1_700_000_000_000, 189.25, 'buy', '0x00ff', '9007199254740993'],
      ['MSFT', 1_700_000_000_500, 370.5, null, '0x00ff', '9007199254740993'],
      ['AAPL', 1_700_000_001_000, 189.3, 'sell', '0x00ff', '9007199254740993'],
    ]);
    expect(result.truncated).toBe(false);
  });

  it('stops at the row limit and says the rows are the first ones', async () => {
    const cut = await sqlConsole.run(numbers(5_000), { rowLimit: 100 });
    expect(cut.rows).toEqual(Array.from({ length: 100 }, (_, i) => [i + 1]));
    expect(cut).toMatchObject({ truncated: true, rowLimit: 100 });
    const exact = await sqlConsole.run(numbers(100), { rowLimit: 100 });
    expect(exact.rows).toHaveLength(100);
    expect(exact.truncated).toBe(false);
  });

  it('kills a query past its time limit, and the next query runs', async () => {
    const error = await refusal(sqlConsole.run(ENDLESS, { timeLimitMs: 300 }));
    expect(error.reason).toBe('time-limit');
    expect(error.message).toContain('time limit of 300 ms');
    expect((await sqlConsole.run('SELECT count(*) AS n FROM ticks')).rows).toEqual([[3]]);
  });

  it('a query process whose parent never stops it kills itself at its deadline', async () => {
    // As if the engine had died: nobody kills the process, which is stuck in SQLite.
    const child = startQueryProcess();
    const exited = new Promise<string>((resolve) => child.onEnd(resolve));
    child.send({
      sqlitePath: createRequire(import.meta.url).resolve('better-sqlite3'),
      dbPath,
      sql: ENDLESS,
      rowLimit: 10,
      deadlineMs: 300,
    });
    expect(await exited).toBe('SIGKILL');
  });

  it('runs a few queries at a time and refuses more until one ends', async () => {
    const ids = Array.from({ length: SQL_MAX_RUNNING }, (_, i) => `busy-${i}`);
    const busy = ids.map((id) => sqlConsole.run(ENDLESS, { id, timeLimitMs: 60_000 }));
    const error = await refusal(sqlConsole.run('SELECT 1'));
    expect(error.message).toMatch(/running already/);
    for (const id of ids) sqlConsole.cancel(id);
    for (const query of busy) expect((await refusal(query)).reason).toBe('cancelled');
    expect((await sqlConsole.run('SELECT 1 AS one')).rows).toEqual([[1]]);
  });

  it('cancels a running query by its id', async () => {
    const running = sqlConsole.run(ENDLESS, { id: 'slow', timeLimitMs: 60_000 });
    // Cancel once the process is really at work: when a second query has gone through.
    await sqlConsole.run('SELECT 1');
    expect(sqlConsole.cancel('slow')).toBe(true);
    expect((await refusal(running)).reason).toBe('cancelled');
    expect(sqlConsole.cancel('slow')).toBe(false);
  });

  it.each([
    "INSERT INTO ticks (symbol, ts, price, volume, source) VALUES ('X', 1, 1, 1, 'x')",
    'UPDATE ticks SET price = 0',
    'DELETE FROM ticks',
    "REPLACE INTO settings (key, value) VALUES ('a', 'b')",
    'WITH t AS (SELECT 1) DELETE FROM ticks',
    'DROP TABLE ticks',
    'CREATE TABLE evil (x)',
    'CREATE TEMP TABLE scratch (x)',
    'ALTER TABLE ticks ADD COLUMN evil TEXT',
    'CREATE INDEX evil ON ticks (price)',
    `ATTACH DATABASE '${path.join(dir, 'other.db')}' AS other`,
    "ATTACH DATABASE ':memory:' AS other",
    'DETACH DATABASE main',
    'PRAGMA query_only = OFF',
    'PRAGMA journal_mode = DELETE',
    'PRAGMA user_version = 99',
    'BEGIN IMMEDIATE',
    'VACUUM',
    `VACUUM INTO '${path.join(dir, 'copy.db')}'`,
    'REINDEX',
    'ANALYZE',
  ])('refuses %s and leaves the database as it was', async (sql) => {
    const before = snapshot(dbPath);
    const error = await refusal(sqlConsole.run(sql));
    expect(error.reason).toBe('refused');
    expect(error.message).toMatch(/only reads/);
    expect(snapshot(dbPath)).toBe(before);
    expect(fs.existsSync(path.join(dir, 'other.db'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'copy.db'))).toBe(false);
  });

  it('refuses a second statement smuggled after a read', async () => {
    const before = snapshot(dbPath);
    const error = await refusal(sqlConsole.run('SELECT 1; DELETE FROM ticks'));
    expect(error.message).toMatch(/more than one statement/);
    expect(snapshot(dbPath)).toBe(before);
  });

  it('passes SQLite’s own message on for a mistake', async () => {
    expect((await refusal(sqlConsole.run('SELEC * FROM ticks'))).message).toMatch(/syntax error/);
    expect((await refusal(sqlConsole.run('SELECT * FROM nowhere'))).message).toMatch(/no such table: nowhere/);
  });

  it('reads pragmas that report, and lists the schema', async () => {
    const info = await sqlConsole.run("SELECT name FROM pragma_table_info('ticks') ORDER BY cid");
    expect(info.rows.flat()).toEqual(['id', 'symbol', 'ts', 'price', 'volume', 'side', 'source']);
    const db = new Database(dbPath, { readonly: true });
    const ticks = listSchema(db).find((t) => t.name === 'ticks');
    db.close();
    expect(ticks).toMatchObject({ type: 'table' });
    expect(ticks!.columns[0]).toEqual({ name: 'id', type: 'INTEGER', notNull: false, primaryKey: true });
    expect(ticks!.columns.find((c) => c.name === 'symbol')).toMatchObject({ notNull: true, primaryKey: false });
  });

  it('saves queries by name: saving a name again replaces its text; deleting removes it', () => {
    const db = openDatabase(dbPath);
    try {
      const repo = new SavedQueryRepo(db);
      repo.save('recent', 'SELECT * FROM ticks', 1);
      repo.save('Buys', "SELECT * FROM ticks WHERE side = 'buy'", 2);
      repo.save('recent', 'SELECT * FROM ticks ORDER BY ts DESC', 3);
      expect(repo.list().map(({ name, sql, updatedAt }) => ({ name, sql, updatedAt }))).toEqual([
        { name: 'Buys', sql: "SELECT * FROM ticks WHERE side = 'buy'", updatedAt: 2 },
        { name: 'recent', sql: 'SELECT * FROM ticks ORDER BY ts DESC', updatedAt: 3 },
      ]);
      expect(repo.remove(repo.list()[0]!.id)).toBe(true);
      expect(repo.list().map((q) => q.name)).toEqual(['recent']);
      expect(repo.remove(12_345)).toBe(false);
    } finally {
      db.close();
    }
  });

  describe('market-monitor sql', () => {
    async function cli(args: string[]) {
      let out = '';
      let err = '';
      const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
      const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
      try {
        return { code: await main(args), out, err };
      } finally {
        stdout.mockRestore();
        stderr.mockRestore();
      }
    }

    it('writes CSV by default and JSON with --format json', async () => {
      const query = "SELECT symbol, price, side FROM ticks WHERE symbol = 'AAPL' ORDER BY id";
      const csv = await cli(['sql', query, '--db', dbPath]);
      expect(csv).toMatchObject({ code: 0, err: '' });
      expect(csv.out).toBe('symbol,price,side\r\nAAPL,189.25,buy\r\nAAPL,189.3,sell\r\n');
      const json = await cli(['sql', query, '--db', dbPath, '--format', 'json']);
      expect(json.code).toBe(0);
      expect(JSON.parse(json.out)).toEqual([
        { symbol: 'AAPL', price: 189.25, side: 'buy' },
        { symbol: 'AAPL', price: 189.3, side: 'sell' },
      ]);
    });

    it('says when only the first rows were written', async () => {
      const { code, out, err } = await cli(['sql', numbers(50), '--db', dbPath, '--limit', '10']);
      expect(code).toBe(0);
      expect(out.trim().split('\r\n')).toHaveLength(11);
      expect(err).toContain('First 10 rows only');
    });

    it('refuses a write, a query past --timeout and bad options, with the reason', async () => {
      const before = snapshot(dbPath);
      const write = await cli(['sql', 'DELETE FROM ticks', '--db', dbPath]);
      expect(write.code).toBe(1);
      expect(write.err).toMatch(/only reads/);
      const slow = await cli(['sql', ENDLESS, '--db', dbPath, '--timeout', '0.3']);
      expect(slow.code).toBe(1);
      expect(slow.err).toMatch(/time limit/);
      expect((await cli(['sql', 'SELECT 1', '--db', dbPath, '--format', 'xml'])).code).toBe(2);
      expect((await cli(['sql', 'SELECT 1', '--db', path.join(dir, 'missing.db')])).err).toMatch(/No database/);
      expect(fs.existsSync(path.join(dir, 'missing.db'))).toBe(false);
      expect(snapshot(dbPath)).toBe(before);
    });
  });
});
