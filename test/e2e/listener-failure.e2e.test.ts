import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertRepo } from '../../engine/store/alert-repo.ts';
import { openDatabase } from '../../engine/store/database.ts';
import { launchChromium } from '../support/chromium.ts';
import { startHeadlessApp, type RunningApp } from '../support/headless-app.ts';

const SHOTS = path.resolve(import.meta.dirname, '..', '..', 'test-results');
const REFUSAL = 'alert history is read-only here';

const ticksPerSymbol = (dbPath: string): Record<string, number> => {
  const db = new Database(dbPath, { readonly: true });
  const rows = db.prepare('SELECT symbol, count(*) AS n FROM ticks GROUP BY symbol').all() as Array<{
    symbol: string;
    n: number;
  }>;
  db.close();
  return Object.fromEntries(rows.map((r) => [r.symbol, r.n]));
};

describe('a post-commit listener that fails, in a real Chromium', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    // A rule that fires on the first AAPL trade, and a database that refuses to record its firing:
    // the alerts listener fails on a real SQLite error after the batch committed.
    const dbPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mm-e2e-')), 'market-monitor.db');
    const db = openDatabase(dbPath);
    new AlertRepo(db).addRule({ symbol: 'AAPL', kind: 'price-above', threshold: 0.01, windowMs: 300_000 });
    db.exec(`CREATE TRIGGER refuse_alert_events BEFORE INSERT ON alert_events
             BEGIN SELECT RAISE(ABORT, '${REFUSAL}'); END`);
    db.close();
    app = await startHeadlessApp(['--rate', '200'], { dbPath });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 760 }, colorScheme: 'dark' });
    await page.goto(app.url);
    await page.locator('.watchlist li').first().waitFor({ timeout: 15_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('shows the failure in the status bar and the Pipeline view, and every symbol keeps trading', async () => {
    await expect
      .poll(() => page.getByTestId('status-listeners').textContent(), { timeout: 10_000 })
      .toContain('alerts');
    const before = ticksPerSymbol(app.dbPath);
    const symbols = await page.locator('.watchlist li').evaluateAll((items) => items.map((i) => i.dataset.symbol!));
    expect(symbols.length).toBeGreaterThan(1);
    await expect
      .poll(
        () => {
          const now = ticksPerSymbol(app.dbPath);
          return symbols.every((s) => (now[s] ?? 0) > (before[s] ?? 0) + 20);
        },
        { timeout: 15_000 },
      )
      .toBe(true);

    await page.getByRole('button', { name: 'Pipeline' }).click();
    const errors = page.getByTestId('listener-errors');
    await errors.waitFor();
    const text = (await errors.textContent())!;
    expect(text).toContain('alerts failed 1×');
    expect(text).toContain(REFUSAL);
    expect(await page.getByTestId('pipeline-bus').locator('.field-error').count()).toBe(0);
    expect(app.output()).toContain(`Post-commit listener "alerts" failed: ${REFUSAL}`);
    await page.screenshot({ path: path.join(SHOTS, 'pipeline-listener-failure-dark.png') });
  });
});
