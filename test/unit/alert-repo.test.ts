import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../engine/api/dispatch.ts';
import { createHandlers } from '../../engine/app/handlers.ts';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import { AlertRepo } from '../../engine/store/alert-repo.ts';
import { openDatabase } from '../../engine/store/database.ts';
import { MIGRATIONS } from '../../engine/store/migrations.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
const tempFile = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-alert-repo-'));
  dirs.push(dir);
  return path.join(dir, 'market.db');
};

describe('alert rules in SQLite', () => {
  it('an older database keeps its rules, which get the default one-minute cooldown', () => {
    const file = tempFile();
    const old = new Database(file);
    const before = MIGRATIONS.findIndex((m) => m.includes('ADD COLUMN cooldown_ms'));
    for (const sql of MIGRATIONS.slice(0, before)) old.exec(sql);
    old.pragma(`user_version = ${before}`);
    old
      .prepare('INSERT INTO alert_rules (symbol, kind, threshold, window_ms, created_at) VALUES (?, ?, ?, ?, ?)')
      .run('AAPL', 'move-percent', 0.05, 300_000, 1);
    old.close();

    const db = openDatabase(file);
    expect(new AlertRepo(db).rules()).toMatchObject([{ symbol: 'AAPL', threshold: 0.05, cooldownMs: 60_000 }]);
    db.close();
  });

  it('edits a rule in place and switches it off and on, and both outlive a reopen', () => {
    const file = tempFile();
    let db = openDatabase(file);
    const repo = new AlertRepo(db);
    const { id } = repo.addRule({ symbol: 'AAPL', kind: 'price-above', threshold: 200, windowMs: 300_000 });
    expect(
      repo.updateRule(id, { symbol: 'MSFT', kind: 'price-below', threshold: 90, windowMs: 300_000, cooldownMs: 0 }),
    ).toBe(true);
    expect(repo.setEnabled(id, false)).toBe(true);
    expect(repo.updateRule(id + 1, { symbol: 'MSFT', kind: 'price-below', threshold: 1, windowMs: 1_000 })).toBe(false);
    db.close();
    db = openDatabase(file);
    expect(new AlertRepo(db).rules()).toMatchObject([
      { id, symbol: 'MSFT', kind: 'price-below', threshold: 90, cooldownMs: 0, enabled: false },
    ]);
    db.close();
  });
});

describe('alert commands through the contract', () => {
  it('edit and enable/disable are validated per field and answer with the rules', async () => {
    const app = await MarketMonitor.open({ dbPath: tempFile(), starterSymbols: ['AAPL'] });
    try {
      const handlers = createHandlers(app);
      const added = await dispatch(handlers, 'alerts.add', { symbol: 'AAPL', kind: 'price-above', threshold: 10 });
      if (!added.ok) throw new Error(added.error.message);
      const id = (added.output as Array<{ id: number }>)[0]!.id;

      const bad = await dispatch(handlers, 'alerts.edit', { id, symbol: 'AAPL', kind: 'volume-spike', threshold: 0.5 });
      expect(bad.ok ? null : bad.error.fields).toHaveProperty('threshold');
      const edited = await dispatch(handlers, 'alerts.edit', {
        id,
        symbol: 'AAPL',
        kind: 'move-percent',
        threshold: 2,
        windowMs: 600_000,
        cooldownMs: 300_000,
      });
      expect(edited.ok && edited.output).toMatchObject([
        { id, kind: 'move-percent', windowMs: 600_000, cooldownMs: 300_000 },
      ]);
      const off = await dispatch(handlers, 'alerts.setEnabled', { id, enabled: false });
      expect(off.ok && off.output).toMatchObject([{ id, enabled: false }]);
      const missing = await dispatch(handlers, 'alerts.setEnabled', { id: id + 1, enabled: true });
      expect(missing.ok ? null : missing.error.message).toBe(`There is no alert ${id + 1}`);
    } finally {
      await app.close();
    }
  });
});
