import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { parquetReadObjects } from 'hyparquet';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.ts';
import { startHeadlessApp, type RunningApp } from '../support/headless-app.ts';

const SHOTS = path.resolve(import.meta.dirname, '..', '..', 'test-results');
const QUERY = 'SELECT symbol, position FROM watchlist ORDER BY position';

function readDb<T>(file: string, sql: string): T[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

describe('SQL console in a real Chromium', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    app = await startHeadlessApp(['--rate', '200']);
    browser = await launchChromium();
    page = await browser.newPage({
      viewport: { width: 1440, height: 900 },
      acceptDownloads: true,
      colorScheme: 'dark',
    });
    await page.goto(app.url);
    await page.locator('.watchlist li').first().waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'SQL', exact: true }).click();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('lists the schema, runs a typed query and shows its rows as the database has them', async () => {
    await expect.poll(() => page.getByTestId('sql-schema').textContent(), { timeout: 10_000 }).toContain('candles');
    await page
      .getByTestId('sql-schema')
      .locator('summary', { hasText: /^ticks$/ })
      .click();
    await expect.poll(() => page.getByTestId('sql-schema').textContent()).toContain('price');

    await page.getByLabel('SQL query').fill(QUERY);
    await page.getByRole('button', { name: 'Run' }).click();
    const rows = page.getByTestId('sql-table').locator('tbody tr');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBeGreaterThan(0);
    const expected = readDb<{ symbol: string; position: number }>(app.dbPath, QUERY);
    const shown = await rows.evaluateAll((trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)),
    );
    expect(shown).toEqual(expected.map((r) => [r.symbol, String(r.position)]));
    expect(await page.getByTestId('sql-table').locator('th').allTextContents()).toEqual(['symbol', 'position']);
    expect(await page.getByTestId('sql-summary').textContent()).toContain(`${expected.length} rows`);
    await page.screenshot({ path: path.join(SHOTS, 'e2e-sql-1440.png') });
  });

  it('exports the result as CSV', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('query.csv');
    const csv = parse(fs.readFileSync((await download.path())!, 'utf8'), { columns: true }) as Record<string, string>[];
    const expected = readDb<{ symbol: string; position: number }>(app.dbPath, QUERY);
    expect(csv).toEqual(expected.map((r) => ({ symbol: r.symbol, position: String(r.position) })));
  });

  it('says when it shows only the first rows', async () => {
    await page
      .getByLabel('SQL query')
      .fill('WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT x FROM n');
    await page.getByLabel('Rows').selectOption('100');
    await page.getByRole('button', { name: 'Run' }).click();
    await expect
      .poll(() => page.getByTestId('sql-summary').textContent(), { timeout: 10_000 })
      .toContain('First 100 rows');
    expect(await page.getByTestId('sql-table').locator('tbody tr').count()).toBe(100);
  });

  it('cancels a query that would run for ever, and runs the next one', async () => {
    await page
      .getByLabel('SQL query')
      .fill('WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 10_000 }).toContain('cancelled');
    await page.getByLabel('SQL query').fill(QUERY);
    await page.getByRole('button', { name: 'Run' }).click();
    await expect
      .poll(() => page.getByTestId('sql-table').locator('tbody tr').count(), { timeout: 10_000 })
      .toBeGreaterThan(0);
  });

  it('refuses a write with the reason, and the table is untouched', async () => {
    const before = readDb(app.dbPath, 'SELECT * FROM watchlist ORDER BY symbol');
    await page.getByLabel('SQL query').fill('DELETE FROM watchlist');
    await page.getByRole('button', { name: 'Run' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 10_000 }).toContain('only reads');
    expect(readDb(app.dbPath, 'SELECT * FROM watchlist ORDER BY symbol')).toEqual(before);
  });

  it('saves a query by name, keeps it across a reload, and loads it back into the editor', async () => {
    await page.getByLabel('SQL query').fill(QUERY);
    await page.getByLabel('Name').fill('My watchlist');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByTestId('saved-queries').textContent()).toContain('My watchlist');
    expect(readDb(app.dbPath, 'SELECT name, sql FROM saved_queries')).toEqual([{ name: 'My watchlist', sql: QUERY }]);

    await page.reload();
    await page
      .getByTestId('saved-queries')
      .getByRole('button', { name: 'My watchlist', exact: true })
      .waitFor({ timeout: 10_000 });
    await page.getByLabel('SQL query').fill('');
    await page.getByTestId('saved-queries').getByRole('button', { name: 'My watchlist', exact: true }).click();
    expect(await page.getByLabel('SQL query').inputValue()).toBe(QUERY);
    await page.getByRole('button', { name: 'Run' }).click();
    await expect
      .poll(() => page.getByTestId('sql-table').locator('tbody tr').count(), { timeout: 10_000 })
      .toBeGreaterThan(0);

    await page.setViewportSize({ width: 1024, height: 640 });
    await page.screenshot({ path: path.join(SHOTS, 'e2e-sql-1024.png') });
    await page.getByRole('button', { name: 'Delete My watchlist' }).click();
    await expect.poll(() => page.getByTestId('saved-queries').textContent()).not.toContain('My watchlist');
    expect(readDb(app.dbPath, 'SELECT name FROM saved_queries')).toEqual([]);
  });

  it('exports an analysis as Parquet from the Analyses view, every value as stored', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.getByRole('button', { name: 'Analyses' }).click();
    await page.getByLabel('Analysis').selectOption('daily-volume');
    await expect
      .poll(() => page.getByTestId('analysis-table').locator('tbody tr').count(), { timeout: 10_000 })
      .toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => page.getByTestId('status-source').textContent()).toContain('paused');
    await page.waitForTimeout(500); // batches in flight when the source paused land first
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export Parquet' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('daily-volume.parquet');
    const bytes = fs.readFileSync((await download.path())!);
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const rows = (await parquetReadObjects({ file })) as Array<Record<string, unknown>>;
    const expected = readDb<{ start: number; symbol: string; volume: number; trades: number }>(
      app.dbPath,
      "SELECT start, symbol, volume, trades FROM candles WHERE interval = '1d' ORDER BY start, symbol",
    );
    expect(rows.map((r) => [r.day, r.symbol, r.volume, r.trades])).toEqual(
      expected.map((e) => [new Date(e.start), e.symbol, e.volume, BigInt(e.trades)]),
    );
  });
});
