import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyCipher } from '../../engine/app/encrypted-key-file.ts';
import { startQueryProcess } from '../../engine/sql/sql-console.ts';
import { DatabaseInUseError } from '../../engine/store/engine-lock.ts';
import { startEngineWorker, type EngineWorker } from '../../main/engine-thread/engine-worker.ts';
import { classifyStartupError } from '../../main/electron/startup-recovery.ts';

describe('the engine in its own thread', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-engine-worker-'));
  const dbPath = path.join(dir, 'market-monitor.db');
  let engine: EngineWorker;

  beforeAll(async () => {
    engine = await startEngineWorker({
      dbPath,
      starterSymbols: ['AAA', 'BBB'],
      overrides: { source: { kind: 'simulator', simulator: { ticksPerSecond: 500 } } },
    });
  });

  afterAll(async () => {
    await engine?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers commands through the contract, its refusals included', async () => {
    const list = await engine.call('watchlist.list', {});
    if (!list.ok) throw new Error(list.error.message);
    expect((list.output as Array<{ symbol: string }>).map((w) => w.symbol)).toEqual(['AAA', 'BBB']);
    const refused = await engine.call('candles.history', { symbol: 'AAA', interval: '2m' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(await engine.call('no.such', {})).toMatchObject({ ok: false, error: { code: 'unknown-command' } });
  });

  it('streams its events, and hands history columns over as typed arrays equal to the store', async () => {
    const seen = new Set<string>();
    const off = engine.subscribe((event) => seen.add(event));
    await expect.poll(() => seen.has('candles') && seen.has('status'), { timeout: 10_000 }).toBe(true);
    off();
    const history = await engine.call('candles.history', { symbol: 'AAA', interval: '1s', limit: 50 });
    if (!history.ok) throw new Error(history.error.message);
    const columns = history.output as unknown as Record<string, Float64Array>;
    expect(columns.close).toBeInstanceOf(Float64Array);
    expect(columns.close!.length).toBeGreaterThan(0);
    const list = await engine.call('candles.list', { symbol: 'AAA', interval: '1s', limit: 50 });
    if (!list.ok) throw new Error(list.error.message);
    const starts = (list.output as Array<{ start: number }>).map((c) => c.start);
    // The newest candle may have moved on between the two calls: compare those both answers hold.
    const common = Array.from(columns.start!).filter((s) => starts.includes(s));
    expect(common.length).toBeGreaterThan(columns.start!.length - 2);
  });

  it('refuses a second engine on the same database with the app’s own message', async () => {
    const refused = await startEngineWorker({ dbPath }).catch((error: unknown) => error);
    // The host's start-up recovery tells a locked file from a damaged one by the error itself.
    expect(refused).toBeInstanceOf(DatabaseInUseError);
    expect(classifyStartupError(refused)).toBe('locked');
  });

  it('stores everything before its thread ends on close', async () => {
    const before = await engine.call('status.get', {});
    expect(before.ok).toBe(true);
    await engine.close();
    const db = new Database(dbPath, { readonly: true });
    const ticks = db.prepare('SELECT count(*) AS n FROM ticks').get() as { n: number };
    db.close();
    expect(ticks.n).toBeGreaterThan(0);
    // A new engine opens the same file once the first has gone.
    engine = await startEngineWorker({ dbPath });
    expect((await engine.call('watchlist.list', {})).ok).toBe(true);
  });
});

describe("the engine in its own thread, with its host's services", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-engine-host-'));
  const dbPath = path.join(dir, 'market-monitor.db');
  const keysFile = path.join(dir, 'provider-keys.json');
  /** A stand-in keychain that records the thread each call ran in (sealing reverses the bytes). */
  const calls: Array<{ op: string; thread: number }> = [];
  const cipher: KeyCipher = {
    available: () => (calls.push({ op: 'available', thread: threadId }), true),
    encrypt: (plain) => (calls.push({ op: 'encrypt', thread: threadId }), Buffer.from(plain).reverse()),
    decrypt: (sealed) => (calls.push({ op: 'decrypt', thread: threadId }), Buffer.from(sealed).reverse().toString()),
    backend: () => 'test-keyring',
  };
  let started = 0;
  const host = {
    keys: { file: keysFile, cipher },
    sqlProcesses: () => (started++, startQueryProcess()),
  };

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("seals a provider key with the host's keychain, called in the host's thread", async () => {
    const engine = await startEngineWorker({ dbPath, starterSymbols: ['AAA'] }, host);
    try {
      const set = await engine.call('providers.setKey', { provider: 'finnhub', key: 'sample-key-0123' });
      if (!set.ok) throw new Error(set.error.message);
      const finnhub = (set.output as Array<{ id: string; key: { present: boolean; where: string } | null }>).find(
        (p) => p.id === 'finnhub',
      );
      expect(finnhub?.key).toMatchObject({ present: true, where: 'OS keychain' });
    } finally {
      await engine.close();
    }
    const sealed = JSON.parse(fs.readFileSync(keysFile, 'utf8')) as Record<string, string>;
    expect(Buffer.from(sealed.finnhub!, 'base64').reverse().toString()).toBe('sample-key-0123');
    expect(calls.map((c) => c.op)).toContain('encrypt');
    expect(new Set(calls.map((c) => c.thread))).toEqual(new Set([threadId]));

    // The next engine reads it back through the same keychain.
    calls.length = 0;
    const again = await startEngineWorker({ dbPath }, host);
    try {
      const list = await again.call('providers.list', {});
      if (!list.ok) throw new Error(list.error.message);
      const view = (list.output as Array<{ id: string; key: { present: boolean } | null }>).find(
        (p) => p.id === 'finnhub',
      );
      expect(view?.key?.present).toBe(true);
      expect(calls.map((c) => c.op)).toContain('decrypt');
    } finally {
      await again.close();
    }
  });

  it('settles every close asked for, and answers a call made after it at once', async () => {
    const engine = await startEngineWorker({ dbPath }, host);
    const [first, second] = [engine.close(), engine.close()];
    expect(await engine.call('watchlist.list', {})).toMatchObject({ ok: false, error: { code: 'failed' } });
    await Promise.all([first, second]);
    expect(await engine.call('watchlist.list', {})).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/stopped|closing/) },
    });
    // Closed as asked: that is not a death.
    const died = await Promise.race([engine.died, new Promise((resolve) => setTimeout(() => resolve('alive'), 200))]);
    expect(died).toBe('alive');
  });

  it('runs the SQL console in the processes the host starts', async () => {
    const engine = await startEngineWorker({ dbPath }, host);
    try {
      const result = await engine.call('sql.run', { sql: 'SELECT symbol FROM watchlist ORDER BY symbol' });
      if (!result.ok) throw new Error(result.error.message);
      expect((result.output as { rows: unknown[][] }).rows).toEqual([['AAA']]);
      expect(started).toBe(1);
    } finally {
      await engine.close();
    }
  });

  it('refuses a damaged database with an error the start-up recovery reads as damage', async () => {
    const damaged = path.join(dir, 'damaged.db');
    fs.writeFileSync(damaged, 'this is not an SQLite database, just text that is long enough to be read'.repeat(20));
    const refused = await startEngineWorker({ dbPath: damaged }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Error);
    // SQLite's own code crosses from the thread: recovery reads it before any message.
    expect((refused as { code?: string }).code).toMatch(/^SQLITE_NOTADB/);
    expect(classifyStartupError(refused)).toBe('corrupt');
  });
});
