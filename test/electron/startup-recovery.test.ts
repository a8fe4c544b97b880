import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import { openDatabase } from '../../engine/store/database.ts';
import { startEngineWorker } from '../../main/engine-thread/engine-worker.ts';
import {
  classifyStartupError,
  openWithRecovery,
  recoveryDialog,
  setAsideDatabase,
  type RecoveryDialog,
} from '../../main/electron/startup-recovery.ts';

let dir: string;
let dbPath: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-recovery-'));
  dbPath = path.join(dir, 'market-monitor.db');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('start-up errors from the real SQLite', () => {
  it('a file that is not a database is corrupt', () => {
    fs.writeFileSync(dbPath, 'this is not a database, just some text that is long enough '.repeat(20));
    const error = caught(() => openDatabase(dbPath));
    expect((error as { code?: string }).code).toMatch(/^SQLITE_(NOTADB|CORRUPT)/);
    expect(classifyStartupError(error)).toBe('corrupt');
  });

  it('a database another process holds locked is locked', () => {
    openDatabase(dbPath).close();
    const holder = new Database(dbPath);
    holder.pragma('locking_mode = EXCLUSIVE');
    holder.exec('BEGIN EXCLUSIVE');
    try {
      const error = caught(() => new Database(dbPath, { timeout: 0 }).pragma('user_version'));
      expect((error as { code?: string }).code).toMatch(/^SQLITE_BUSY/);
      expect(classifyStartupError(error)).toBe('locked');
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });

  it('a database another engine runs on (market-monitor serve or replay) is locked', async () => {
    const engine = await MarketMonitor.open({ dbPath });
    try {
      const error = await MarketMonitor.open({ dbPath }).catch((e: unknown) => e);
      expect(classifyStartupError(error)).toBe('locked');
    } finally {
      await engine.close();
    }
  });

  it('a database from a newer app is left alone', () => {
    const db = new Database(dbPath);
    db.pragma('user_version = 999');
    db.close();
    expect(classifyStartupError(caught(() => openDatabase(dbPath)))).toBe('newer-schema');
  });

  it('a folder that cannot be created is unwritable; anything else is unknown', () => {
    fs.writeFileSync(path.join(dir, 'file'), '');
    const error = caught(() => new Database(path.join(dir, 'file', 'x.db')));
    expect(classifyStartupError(error)).toBe('unwritable');
    expect(classifyStartupError(new Error('out of cheese'))).toBe('unknown');
    expect(classifyStartupError('a string')).toBe('unknown');
    expect(classifyStartupError(undefined)).toBe('unknown');
  });
});

describe('the recovery dialog', () => {
  const labels = (d: RecoveryDialog) => d.buttons.map((b) => b.action);

  it('offers retry for a lock, a copy and a fresh start for a damaged file, only quit for a newer file', () => {
    expect(labels(recoveryDialog('locked', dbPath, new Error('x')))).toEqual(['retry', 'quit']);
    expect(labels(recoveryDialog('corrupt', dbPath, new Error('x')))).toEqual(['set-aside-and-start-fresh', 'quit']);
    expect(labels(recoveryDialog('newer-schema', dbPath, new Error('x')))).toEqual(['quit']);
    expect(labels(recoveryDialog('unwritable', dbPath, new Error('x')))).toEqual(['retry', 'quit']);
    expect(labels(recoveryDialog('unknown', dbPath, new Error('x')))).toEqual(['quit']);
  });

  it('names the file, and Escape always means quit', () => {
    for (const problem of ['locked', 'corrupt', 'newer-schema', 'unwritable'] as const) {
      const d = recoveryDialog(problem, dbPath, new Error('disk says no'));
      expect(d.detail).toContain(dbPath);
      expect(d.buttons[d.cancelId]!.action).toBe('quit');
      expect(d.buttons[d.cancelId]!.label).toBe('Quit');
    }
    expect(recoveryDialog('corrupt', dbPath, new Error('disk says no')).detail).toContain('disk says no');
  });
});

describe('setting a damaged database aside', () => {
  it('renames the file and its WAL companions, never deleting anything', () => {
    for (const suffix of ['', '-wal', '-shm']) fs.writeFileSync(dbPath + suffix, `content${suffix}`);
    const aside = setAsideDatabase(dbPath, new Date('2026-05-01T12:00:00.000Z'));
    expect(aside).toBe(`${dbPath}.damaged-2026-05-01T12-00-00-000Z`);
    expect(fs.existsSync(dbPath)).toBe(false);
    expect(fs.readFileSync(aside, 'utf8')).toBe('content');
    expect(fs.readFileSync(`${aside}-wal`, 'utf8')).toBe('content-wal');
    expect(fs.readFileSync(`${aside}-shm`, 'utf8')).toBe('content-shm');
  });
});

describe('opening with recovery', () => {
  const failing = (...errors: unknown[]) => {
    let calls = 0;
    return async () => {
      const error = errors[calls++];
      if (error) throw error;
      return 'opened';
    };
  };
  const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
  const corrupt = Object.assign(new Error('file is not a database'), { code: 'SQLITE_NOTADB' });

  it('opens at once when nothing is wrong, without asking', async () => {
    const asked: RecoveryDialog[] = [];
    const result = await openWithRecovery(dbPath, {
      open: failing(),
      ask: async (d) => (asked.push(d), 0),
      setAside: () => 'x',
    });
    expect(result).toBe('opened');
    expect(asked).toEqual([]);
  });

  it('retries a locked database as often as the user asks, and quits when they say so', async () => {
    const answers = [0, 0];
    const result = await openWithRecovery(dbPath, {
      open: failing(busy, busy),
      ask: async () => answers.shift()!,
      setAside: () => 'x',
    });
    expect(result).toBe('opened');
    const quit = await openWithRecovery(dbPath, { open: failing(busy), ask: async () => 1, setAside: () => 'x' });
    expect(quit).toBeNull();
  });

  it('sets a damaged file aside once; a fresh file failing too is not offered the same way out', async () => {
    const asides: string[] = [];
    const dialogs: RecoveryDialog[] = [];
    const result = await openWithRecovery(dbPath, {
      open: failing(corrupt, corrupt),
      ask: async (d) => (dialogs.push(d), 0),
      setAside: (file) => (asides.push(file), `${file}.damaged`),
    });
    expect(result).toBeNull();
    expect(asides).toEqual([dbPath]);
    expect(dialogs.map((d) => d.title)).toEqual(['Database damaged', 'Market Monitor could not start']);
  });

  it('treats a dialog dismissed in an unexpected way as quit', async () => {
    expect(
      await openWithRecovery(dbPath, { open: failing(busy), ask: async () => 42, setAside: () => 'x' }),
    ).toBeNull();
  });

  it('starts the real engine fresh on a damaged file, in its thread as the app runs it, keeping the old bytes', async () => {
    const garbage = 'garbage '.repeat(500);
    fs.writeFileSync(dbPath, garbage);
    const engine = await openWithRecovery(dbPath, {
      open: () => startEngineWorker({ dbPath, starterSymbols: ['AAPL'] }),
      ask: async () => 0,
      setAside: (file) => setAsideDatabase(file),
    });
    expect(engine).not.toBeNull();
    try {
      const list = await engine!.call('watchlist.list', {});
      expect(list).toMatchObject({ ok: true, output: [{ symbol: 'AAPL' }] });
      const aside = fs.readdirSync(dir).find((f) => f.includes('.damaged-') && !/-(wal|shm)$/.test(f));
      expect(fs.readFileSync(path.join(dir, aside!), 'utf8')).toBe(garbage);
    } finally {
      await engine!.close();
    }
  });
});
