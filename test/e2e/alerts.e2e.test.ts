import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.ts';
import { startHeadlessApp, type RunningApp } from '../support/headless-app.ts';

const SHOTS = path.resolve(import.meta.dirname, '..', '..', 'test-results');

interface StoredRule {
  id: number;
  symbol: string;
  kind: string;
  threshold: number;
  enabled: number;
  cooldown_ms: number;
}

function storedRules(dbPath: string): StoredRule[] {
  const db = new Database(dbPath, { readonly: true });
  const rows = db
    .prepare('SELECT id, symbol, kind, threshold, enabled, cooldown_ms FROM alert_rules ORDER BY id')
    .all() as StoredRule[];
  db.close();
  return rows;
}

describe('the alerts view in a real Chromium', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    app = await startHeadlessApp();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: 'dark' });
    await page.goto(app.url);
    await page.locator('.watchlist li').first().waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Alerts', exact: true }).click();
    await page.getByRole('button', { name: 'Add alert' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('after a refused "Moves by" rule, a "Price below" rule is added (the hidden window field does not block it)', async () => {
    await page.getByLabel('Alert kind').selectOption('move-percent');
    await page.getByLabel('Threshold').fill('1');
    await page.getByLabel('Window in minutes').fill('0');
    await page.getByRole('button', { name: 'Add alert' }).click();
    await expect.poll(() => page.locator('.alerts .field-error').allTextContents()).toContain('at least one second');
    await page.getByLabel('Window in minutes').fill('soon');
    await page.getByRole('button', { name: 'Add alert' }).click();
    await expect
      .poll(() => page.locator('.alerts .field-error').allTextContents())
      .toContain('Enter the minutes as a number, for example 5');

    await page.getByLabel('Alert kind').selectOption('price-below');
    await page.getByLabel('Threshold').fill('50');
    await page.getByRole('button', { name: 'Add alert' }).click();
    await expect.poll(() => page.getByTestId('alert-rules').textContent()).toContain('trades below 50');
    expect(await page.locator('.alerts .field-error').allTextContents()).toEqual(expect.not.arrayContaining([/\S/]));
    expect(storedRules(app.dbPath)).toMatchObject([{ kind: 'price-below', threshold: 50, cooldown_ms: 60_000 }]);
  });

  it('edits a rule in place, switches it off and on, and keeps the chosen cooldown', async () => {
    const [rule] = storedRules(app.dbPath);
    await page.getByRole('button', { name: `Edit alert ${rule!.id}` }).click();
    await expect.poll(() => page.getByLabel('Threshold').inputValue()).toBe('50');
    await page.getByLabel('Threshold').fill('40');
    await page.getByLabel('How often').selectOption({ label: 'At most once in 15 minutes' });
    await page.getByRole('button', { name: 'Save alert' }).click();
    await expect.poll(() => page.getByTestId('alert-rules').textContent()).toContain('trades below 40');
    expect(await page.getByTestId('alert-rules').textContent()).toContain('At most once in 15 minutes');
    expect(storedRules(app.dbPath)).toMatchObject([{ id: rule!.id, threshold: 40, cooldown_ms: 900_000, enabled: 1 }]);
    // The form is a new-rule form again.
    await expect.poll(() => page.getByRole('button', { name: 'Add alert' }).count()).toBe(1);

    // The box follows the engine's answer, so a click, then the stored state.
    await page.getByLabel(`Alert ${rule!.id} on`).click();
    await expect.poll(() => storedRules(app.dbPath)[0]?.enabled).toBe(0);
    // The list redraws from the engine's answer, which may come a moment after the row is stored.
    await expect.poll(() => page.getByTestId('alert-rules').textContent()).toContain('off');
    await page.getByLabel(`Alert ${rule!.id} on`).click();
    await expect.poll(() => storedRules(app.dbPath)[0]?.enabled).toBe(1);
    await expect.poll(() => page.getByLabel(`Alert ${rule!.id} on`).isChecked()).toBe(true);
  });

  it('shows an error that belongs to no field above the button: a rule removed elsewhere while edited', async () => {
    const [rule] = storedRules(app.dbPath);
    await page.getByRole('button', { name: `Edit alert ${rule!.id}` }).click();
    const other = await browser.newPage({ viewport: { width: 1024, height: 640 } });
    await other.goto(app.url);
    await other.getByRole('button', { name: 'Alerts', exact: true }).click();
    await other.getByRole('button', { name: `Remove alert ${rule!.id}` }).click();
    await expect.poll(() => storedRules(app.dbPath)).toEqual([]);
    await other.close();

    await page.getByRole('button', { name: 'Save alert' }).click();
    await expect.poll(() => page.getByRole('alert').allTextContents()).toContain(`There is no alert ${rule!.id}`);
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  it('a fired alert’s toast can be closed', async () => {
    const first = page.locator('.watchlist li').first();
    await page.getByRole('button', { name: 'Chart', exact: true }).click();
    await first.waitFor();
    const symbol = (await first.getAttribute('data-symbol'))!;
    const price = Number((await first.locator('.col-last').textContent())!.replace(/,/g, ''));
    await page.getByRole('button', { name: 'Alerts', exact: true }).click();
    await page.getByLabel('Alert symbol').fill(symbol);
    await page.getByLabel('Alert kind').selectOption('price-above');
    await page.getByLabel('Threshold').fill(String(Math.floor(price / 2)));
    await page.getByRole('button', { name: 'Add alert' }).click();
    const toast = page.locator('.toast', { hasText: symbol });
    await toast.first().waitFor({ timeout: 15_000 });
    await toast.first().getByRole('button', { name: 'Dismiss' }).click();
    await expect.poll(() => toast.count()).toBe(0);
  });

  it('looks right at 1440x900 and 1024x640 in both themes', async () => {
    const [rule] = storedRules(app.dbPath);
    for (const colorScheme of ['dark', 'light'] as const) {
      for (const [width, height] of [
        [1440, 900],
        [1024, 640],
      ] as const) {
        const shot = await browser.newPage({ viewport: { width, height }, colorScheme });
        await shot.goto(app.url);
        await shot.getByRole('button', { name: 'Alerts', exact: true }).click();
        await shot.getByRole('button', { name: `Edit alert ${rule!.id}` }).click();
        await shot.getByLabel('Alert kind').selectOption('move-percent');
        await shot.getByLabel('Window in minutes').fill('x');
        await shot.getByRole('button', { name: 'Save alert' }).click();
        await shot.locator('.alerts .field-error', { hasText: 'minutes' }).waitFor();
        await shot.screenshot({ path: path.join(SHOTS, `e2e-alerts-${colorScheme}-${width}.png`) });
        await shot.close();
      }
    }
    // Four pages loaded one after another: on a busy 2-core machine that takes longer than one test's default.
  }, 120_000);
});
