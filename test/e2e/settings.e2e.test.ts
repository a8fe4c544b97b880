import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../engine/store/database.ts';
import { SettingsRepo } from '../../engine/store/settings-repo.ts';
import { launchChromium } from '../support/chromium.ts';
import { startHeadlessApp, type RunningApp } from '../support/headless-app.ts';

const SHOTS = path.resolve(import.meta.dirname, '..', '..', 'test-results');

function storedSource(dbPath: string): { simulator: { sessions?: string } } | undefined {
  const db = new Database(dbPath, { readonly: true });
  const row = db.prepare("SELECT value FROM settings WHERE key = 'source'").get() as { value: string } | undefined;
  db.close();
  return row ? JSON.parse(row.value) : undefined;
}

function storedStream(dbPath: string): { futureSkewMs?: number; timeZones?: Record<string, string> } | undefined {
  const db = new Database(dbPath, { readonly: true });
  const row = db.prepare("SELECT value FROM settings WHERE key = 'stream'").get() as { value: string } | undefined;
  db.close();
  return row ? JSON.parse(row.value) : undefined;
}

describe('settings view in a real Chromium', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    app = await startHeadlessApp();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 760 }, colorScheme: 'light' });
    await page.goto(app.url);
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Ticks per second').waitFor({ timeout: 15_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('refuses an out-of-range rate next to its field and keeps the stored settings', async () => {
    await page.getByLabel('Ticks per second').fill('0');
    await page.getByLabel('Allowed lateness (ms)').fill('soon');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => page.locator('.field-error').allTextContents())
      .toEqual(
        expect.arrayContaining([expect.stringMatching(/at least 1 tick per second/), expect.stringMatching(/number/i)]),
      );
    await page.screenshot({ path: path.join(SHOTS, 'e2e-settings-light.png') });
    const db = new Database(app.dbPath, { readonly: true });
    const stored = db.prepare("SELECT value FROM settings WHERE key = 'source'").get();
    db.close();
    expect(stored).toBeUndefined();
  });

  it('saves a valid rate, stores it, and the running source follows it', async () => {
    await page.getByLabel('Ticks per second').fill('250');
    await page.getByLabel('Allowed lateness (ms)').fill('30000');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('.toast').allTextContents()).toContain('Settings saved');
    const db = new Database(app.dbPath, { readonly: true });
    const source = JSON.parse(
      (db.prepare("SELECT value FROM settings WHERE key = 'source'").get() as { value: string }).value,
    );
    const stream = JSON.parse(
      (db.prepare("SELECT value FROM settings WHERE key = 'stream'").get() as { value: string }).value,
    );
    db.close();
    expect(source.simulator.ticksPerSecond).toBe(250);
    expect(stream.allowedLatenessMs).toBe(30_000);
    await expect.poll(() => page.getByTestId('status-source').getAttribute('title')).toContain('250 ticks/s');
  });

  it('saves exchange trading hours for the simulator, and the running source follows them', async () => {
    await page.getByLabel('Trading hours').selectOption('exchange');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => storedSource(app.dbPath)?.simulator.sessions).toBe('exchange');
    await expect.poll(() => page.getByTestId('status-source').getAttribute('title')).toContain('New York');
  });

  it('refuses a negative retention next to its field, then keeps ticks for the days given', async () => {
    await page.getByLabel('Keep raw ticks (days)').fill('-3');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('.field-error').allTextContents()).toContain('0 keeps every tick');
    await page.getByLabel('Keep raw ticks (days)').fill('7');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => {
        const db = new Database(app.dbPath, { readonly: true });
        const row = db.prepare("SELECT value FROM settings WHERE key = 'storage'").get() as
          { value: string } | undefined;
        db.close();
        return row ? JSON.parse(row.value).tickRetentionDays : undefined;
      })
      .toBe(7);
  });
  it('sets a symbol’s exchange time zone, refuses a zone that is none, and stores the future tolerance in milliseconds', async () => {
    const zones = page.getByLabel('Exchange time zones');
    await zones.fill('vod.l=Mars/Olympus');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => page.getByTestId('settings-errors').textContent())
      .toContain('Event time › Exchange time zones: not a time zone');
    expect(storedStream(app.dbPath)?.timeZones ?? {}).toEqual({});

    await zones.fill('vod.l=Europe/London, 7203.T = Asia/Tokyo');
    await page.getByLabel('Future tolerance (minutes)').fill('30');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => storedStream(app.dbPath))
      .toMatchObject({ futureSkewMs: 1_800_000, timeZones: { 'VOD.L': 'Europe/London', '7203.T': 'Asia/Tokyo' } });
    await expect.poll(() => zones.inputValue()).toBe('VOD.L=Europe/London, 7203.T=Asia/Tokyo');
  });
});

describe('pipeline view in a real Chromium', () => {
  let app: RunningApp;
  let browser: Browser;

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('shows the source, the bus partitions with their offsets, the engine counters and the database size', async () => {
    app = await startHeadlessApp(['--rate', '300']);
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 }, colorScheme: 'dark' });
    await page.goto(app.url);
    await page.getByRole('button', { name: 'Pipeline' }).click();
    await expect.poll(() => page.getByTestId('pipeline-source').textContent(), { timeout: 10_000 }).toContain('live');
    await expect.poll(() => page.getByTestId('partitions').locator('tbody tr').count()).toBe(4);
    await expect.poll(() => page.getByTestId('pipeline-database').textContent()).toMatch(/Database[\d.,]+\s?[KMG]?B/);
    // Offsets grow while the simulator runs.
    const consumed = async () => {
      const cells = await page.getByTestId('partitions').locator('tbody tr td:nth-child(3)').allTextContents();
      return cells.reduce((sum, c) => sum + Number(c.replace(/\D/g, '')), 0);
    };
    const first = await consumed();
    await expect.poll(consumed, { timeout: 10_000 }).toBeGreaterThan(first);
    await page.screenshot({ path: path.join(SHOTS, 'e2e-pipeline-dark.png') });
  });
});

describe('a settings save from the form', () => {
  let app: RunningApp;
  let browser: Browser;

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('keeps the replay settings the form has no field for (bad-row limit, time zone)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-e2e-'));
    const dbPath = path.join(dir, 'market-monitor.db');
    const db = openDatabase(dbPath);
    new SettingsRepo(db).writeAll({
      source: { kind: 'simulator', replay: { file: '', speed: 'max', maxBadRows: 7, timeZone: 'Asia/Tokyo' } },
    });
    db.close();
    app = await startHeadlessApp([], { dbPath });
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    await page.goto(app.url);
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Ticks per second').fill('30');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('.toast').allTextContents()).toContain('Settings saved');
    const source = storedSource(dbPath) as { simulator: { ticksPerSecond: number }; replay: Record<string, unknown> };
    expect(source.simulator.ticksPerSecond).toBe(30);
    expect(source.replay).toMatchObject({ maxBadRows: 7, timeZone: 'Asia/Tokyo' });
  });
});
