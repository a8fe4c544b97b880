import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngineWorker, type EngineWorker } from '../../main/headless/engine-worker.ts';

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
    await expect(startEngineWorker({ dbPath })).rejects.toThrow(/in use|another|running/i);
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
