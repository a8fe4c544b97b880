import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.ts';
import { recordValueWhenNamed } from '../support/form-naming.ts';
import { startHeadlessApp, type RunningApp } from '../support/headless-app.ts';

const SCREENSHOT = '/tmp/jobs-pipeline.png';

function query<T>(dbPath: string, sql: string): T[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

describe('scheduled jobs in the Pipeline view, in a real Chromium', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;
  const exportsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-e2e-jobs-'));

  beforeAll(async () => {
    app = await startHeadlessApp(['--rate', '200']);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: 'dark' });
    await page.goto(app.url);
    await page.locator('.watchlist li').first().waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Pipeline', exact: true }).click();
    await page.getByRole('heading', { name: 'Scheduled jobs' }).waitFor({ timeout: 15_000 });
    // The analyses to choose from come from the engine.
    await page.getByRole('checkbox', { name: 'OHLCV candles' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    fs.rmSync(exportsDir, { recursive: true, force: true });
  });

  const form = () => page.getByRole('form', { name: 'New scheduled job' });

  it('refuses a bad cron expression, no analysis and no folder at their fields, and moves the focus there', async () => {
    await form().getByLabel('Schedule').selectOption('cron');
    await form().getByLabel('Cron expression').fill('every day at six');
    await form().getByRole('button', { name: 'Add job' }).click();
    const cronError = form().locator('#job-error-expression');
    await expect
      .poll(() => cronError.textContent())
      .toBe('needs 5 parts (minute hour day month weekday), such as 0 18 * * 1-5; this has 4');
    expect(await form().getByLabel('Cron expression').getAttribute('aria-invalid')).toBe('true');
    expect(await form().getByLabel('Cron expression').getAttribute('aria-describedby')).toBe('job-error-expression');
    expect(await form().locator('#job-error-analyses').textContent()).toBe('choose at least one analysis');
    expect(await form().locator('#job-error-folder').textContent()).toBe('choose a folder');
    // The first control in error has the focus.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Cron expression');

    await form().getByLabel('Cron expression').fill('0 25 * * *');
    await form().getByRole('button', { name: 'Add job' }).click();
    await expect.poll(() => cronError.textContent()).toBe('Invalid value for hour: 25');
    expect(query(app.dbPath, 'SELECT id FROM jobs')).toEqual([]);
    expect(await page.getByTestId('jobs').count()).toBe(0);
  });

  it('adds an export job, runs it now, and shows the run as ok while the CSV files are on disk', async () => {
    // The export takes everything stored: wait for the engine to have stored a day candle.
    await expect
      .poll(() => query<{ n: number }>(app.dbPath, "SELECT count(*) AS n FROM candles WHERE interval = '1d'")[0]!.n)
      .toBeGreaterThan(0);

    await form().getByLabel('Schedule').selectOption('cron');
    await form().getByLabel('Cron expression').fill('30 18 * * 1-5');
    await form().getByLabel('Time zone').fill('UTC');
    await form().getByLabel('Job name').fill('Evening export');
    await form().getByLabel('Export folder').fill(exportsDir);
    await form().getByLabel('Export period').selectOption('all');
    await form().getByRole('checkbox', { name: 'OHLCV candles' }).check();
    await form().getByRole('checkbox', { name: 'Top gainers and losers' }).check();
    await form().getByRole('button', { name: 'Add job' }).click();

    const row = page.getByTestId('jobs').locator('tr', { hasText: 'Evening export' });
    await row.waitFor();
    expect(await row.textContent()).toContain('Weekdays at 18:30 (UTC)');
    expect(await row.textContent()).toContain('not run yet');
    expect(await form().locator('.field-error:not(:empty)').count()).toBe(0);
    const [stored] = query<{ id: number; task: string }>(app.dbPath, 'SELECT id, task FROM jobs');
    expect(JSON.parse(stored!.task)).toMatchObject({
      kind: 'export',
      analyses: ['candles', 'top-movers'],
      folder: exportsDir,
      format: 'csv',
      period: 'all',
    });

    await row.getByRole('button', { name: 'Run Evening export now' }).click();
    const run = page.getByTestId('job-runs').locator('tbody tr').first();
    await expect.poll(() => run.locator('.state').textContent(), { timeout: 20_000 }).toBe('ok');
    const cells = await run.locator('td').allTextContents();
    expect(cells[1]).toBe('Evening export');
    expect(cells[2]).toBe('run now');
    expect(cells[3]).toMatch(/^\d+ ms$|^\d+\.\d s$/);
    expect(cells[5]).toMatch(/^2 files, [\d,]+ rows, for \d{4}-\d{2}-\d{2}$/);
    await expect.poll(() => row.locator('.state').textContent()).toBe('ok');

    const files = fs.readdirSync(exportsDir).sort();
    expect(files).toEqual([
      expect.stringMatching(/^candles-1d-\d{4}-\d{2}-\d{2}\.csv$/),
      expect.stringMatching(/^top-movers-\d{4}-\d{2}-\d{2}\.csv$/),
    ]);
    const candles = parse(fs.readFileSync(path.join(exportsDir, files[0]!), 'utf8'), {
      columns: true,
    }) as Record<string, string>[];
    expect(candles.length).toBeGreaterThan(0);
    // Each exported row is a day candle the engine stored.
    const stored1d = query<{ symbol: string; start: number }>(
      app.dbPath,
      "SELECT symbol, start FROM candles WHERE interval = '1d'",
    ).map((c) => `${c.symbol} ${new Date(c.start).toISOString()}`);
    for (const c of candles) {
      expect(c.interval).toBe('1d');
      expect(stored1d).toContain(`${c.symbol} ${c.start}`);
    }
    const history = query<{ outcome: string; trigger: string; files: string }>(
      app.dbPath,
      'SELECT outcome, trigger, files FROM job_runs',
    );
    expect(history).toMatchObject([{ outcome: 'ok', trigger: 'manual' }]);
    expect(JSON.parse(history[0]!.files)).toEqual(files.map((f) => path.join(exportsDir, f)));
  });

  it('a run that cannot write shows as failed with the reason, and Run now works from the keyboard', async () => {
    const blocker = path.join(exportsDir, 'a-file');
    fs.writeFileSync(blocker, 'in the way');
    await form().getByLabel('Job kind').selectOption('export');
    await form().getByLabel('Job name').fill('Blocked export');
    await form().getByLabel('Schedule').selectOption('daily');
    await form().getByLabel('Time of day').fill('07:15');
    await form().getByLabel('Time zone').fill('Europe/London');
    await form().getByLabel('Export folder').fill(path.join(blocker, 'exports'));
    await form().getByRole('checkbox', { name: 'Daily traded volume per stock' }).check();
    await form().getByRole('button', { name: 'Add job' }).click();
    const row = page.getByTestId('jobs').locator('tr', { hasText: 'Blocked export' });
    await row.waitFor();
    expect(await row.textContent()).toContain('Every day at 07:15 (Europe/London)');

    await row.getByRole('button', { name: 'Run Blocked export now' }).focus();
    await page.keyboard.press('Enter');
    const run = page.getByTestId('job-runs').locator('tbody tr', { hasText: 'Blocked export' }).first();
    await expect.poll(() => run.locator('.state').textContent(), { timeout: 20_000 }).toBe('failed');
    expect(await run.locator('td.job-result').textContent()).toMatch(/ENOTDIR|EEXIST/);
    expect(await run.locator('td.job-result').textContent()).toContain(blocker);

    // The history of one job shows only its runs.
    await row.getByRole('button', { name: 'Runs of Blocked export' }).click();
    await expect.poll(() => page.getByTestId('job-runs').locator('tbody tr').count()).toBe(1);
    await page.getByLabel('Show the runs of').selectOption({ label: 'every job' });
    await expect.poll(() => page.getByTestId('job-runs').locator('tbody tr').count()).toBe(2);

    await page.getByTestId('job-runs').scrollIntoViewIfNeeded();
    await page.screenshot({ path: SCREENSHOT });
    await page.locator('.scheduled-jobs').screenshot({ path: SCREENSHOT.replace('.png', '-section.png') });
  });

  it('edits a job in place: the form holds it, a refusal keeps it, and its runs stay with it', async () => {
    const row = page.getByTestId('jobs').locator('tr', { hasText: 'Evening export' });
    // What the cron field held when the form took the job's name: never empty, not even for a frame.
    await recordValueWhenNamed(page, 'form.job-form', '[aria-label="Cron expression"]', 'Edit');
    await row.getByRole('button', { name: 'Edit Evening export' }).click();
    const editForm = page.getByRole('form', { name: 'Edit the job Evening export' });
    await editForm.waitFor();
    expect(await editForm.getAttribute('data-named-with')).toBe('30 18 * * 1-5');
    expect(await editForm.getByLabel('Cron expression').inputValue()).toBe('30 18 * * 1-5');
    expect(await editForm.getByLabel('Export folder').inputValue()).toBe(exportsDir);
    expect(await editForm.getByRole('checkbox', { name: 'Top gainers and losers' }).isChecked()).toBe(true);

    await editForm.getByLabel('Cron expression').fill('every evening');
    await editForm.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => editForm.locator('.field-error:not(:empty)').count()).toBeGreaterThan(0);
    const [before] = query<{ schedule: string }>(app.dbPath, "SELECT schedule FROM jobs WHERE name = 'Evening export'");
    expect(JSON.parse(before!.schedule)).toMatchObject({ expression: '30 18 * * 1-5' });

    await editForm.getByLabel('Cron expression').fill('0 7 * * 1-5');
    await editForm.getByRole('checkbox', { name: 'Top gainers and losers' }).uncheck();
    await editForm.getByRole('button', { name: 'Save changes' }).click();
    await form().waitFor();
    await expect.poll(() => row.locator('.job-schedule').textContent()).toBe('Weekdays at 07:00 (UTC)');
    // The next run is read in the job's own zone.
    expect(await row.locator('.job-next').textContent()).toContain('07:00:00 AM UTC');
    const jobs = query<{ id: number; task: string }>(
      app.dbPath,
      "SELECT id, task FROM jobs WHERE name = 'Evening export'",
    );
    expect(jobs).toHaveLength(1);
    expect(JSON.parse(jobs[0]!.task)).toMatchObject({ analyses: ['candles'], folder: exportsDir });
    expect(
      query<{ n: number }>(app.dbPath, `SELECT count(*) AS n FROM job_runs WHERE job_id = ${jobs[0]!.id}`),
    ).toEqual([{ n: 1 }]);
  });

  it('removes a job and its runs', async () => {
    const row = page.getByTestId('jobs').locator('tr', { hasText: 'Blocked export' });
    await row.getByRole('button', { name: 'Remove Blocked export' }).click();
    await row.waitFor({ state: 'detached' });
    expect(query<{ name: string }>(app.dbPath, 'SELECT name FROM jobs').map((j) => j.name)).toEqual(['Evening export']);
    expect(query<{ n: number }>(app.dbPath, 'SELECT count(*) AS n FROM job_runs')).toEqual([{ n: 1 }]);
  });
});
