import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.ts';
import { startHeadlessApp, type RunningApp } from '../support/headless-app.ts';

const SHOTS = path.resolve(import.meta.dirname, '..', '..', 'test-results');

/** Whether the element is inside the window, not scrolled away. */
const inView = (page: Page, selector: string) =>
  page.evaluate((s) => {
    const el = document.querySelector(s);
    if (!el) return false;
    const r = el.getBoundingClientRect();
    return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight;
  }, selector);

describe('settings errors and drafts in a real Chromium', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    app = await startHeadlessApp();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1024, height: 640 }, colorScheme: 'dark' });
    await page.goto(app.url);
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await page.getByLabel('Ticks per second').waitFor({ timeout: 15_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('a refused save far below the error takes the user to it, with a summary next to Save', async () => {
    await page.getByLabel('Ticks per second').fill('0');
    // Down at the end of the form, where Save is.
    await page.locator('.workspace.single').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    expect(await inView(page, '[data-field="source.simulator.ticksPerSecond"]')).toBe(false);
    await page.getByRole('button', { name: 'Save' }).click();

    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-field')))
      .toBe('source.simulator.ticksPerSecond');
    expect(await inView(page, '[data-field="source.simulator.ticksPerSecond"]')).toBe(true);
    const summary = page.getByTestId('settings-errors');
    expect(await summary.textContent()).toContain('Source › Ticks per second: at least 1 tick per second');
    expect(await inView(page, '[data-testid="settings-errors"]')).toBe(true);
    expect(await inView(page, '.settings-actions button[type="submit"]')).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, 'e2e-settings-errors-dark-1024.png') });
  });

  it('says what is wrong in the field’s own terms, without schema paths or “received null”', async () => {
    await page.getByLabel('Ticks per second').fill('20');
    await page.getByLabel('Bus').selectOption('kafka');
    await page.getByLabel('Brokers').fill('localhost:9092, not a broker');
    await page.getByLabel('Allowed lateness (ms)').fill('soon');
    await page.getByRole('button', { name: 'Save' }).click();
    const summary = page.getByTestId('settings-errors');
    await expect.poll(() => summary.textContent()).toContain('Message bus › Brokers: a broker is host:port');
    const text = (await summary.textContent())!;
    expect(text).toContain('Event time › Allowed lateness (ms): must be a number');
    expect(text).not.toMatch(/brokers\.\d|expected|received|>=/);
    for (const message of await page.locator('.settings .field-error').allTextContents()) {
      expect(message).not.toMatch(/expected|received|>=/);
    }
    // A line of the summary leads to its field.
    await page.locator('.settings-actions').scrollIntoViewIfNeeded();
    await summary.getByRole('button', { name: 'Message bus › Brokers' }).click();
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-field')))
      .toBe('bus.kafka.brokers');
    await page.screenshot({ path: path.join(SHOTS, 'e2e-settings-summary-dark-1024.png') });
  });

  it('keeps a draft that was not saved across a tab switch, and can discard it', async () => {
    await page.getByRole('button', { name: 'Discard changes' }).click();
    await expect.poll(() => page.getByLabel('Seed').inputValue()).toBe('42');
    await page.getByLabel('Seed').fill('7');
    await page.getByRole('button', { name: 'Chart', exact: true }).click();
    await page.locator('.watchlist li').first().waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await expect.poll(() => page.getByLabel('Seed').inputValue()).toBe('7');
    expect(await page.locator('.settings-actions').textContent()).toContain('Unsaved changes');
    await page.getByRole('button', { name: 'Discard changes' }).click();
    await expect.poll(() => page.getByLabel('Seed').inputValue()).toBe('42');
    expect(await page.locator('.settings-actions').textContent()).not.toContain('Unsaved changes');
  });

  it('looks right at 1440x900 and 1024x640 in both themes', async () => {
    for (const colorScheme of ['dark', 'light'] as const) {
      for (const [width, height] of [
        [1440, 900],
        [1024, 640],
      ] as const) {
        const shot = await browser.newPage({ viewport: { width, height }, colorScheme });
        await shot.goto(app.url);
        await shot.getByRole('button', { name: 'Settings', exact: true }).click();
        await shot.getByLabel('Ticks per second').fill('0');
        await shot.getByLabel('Keep raw ticks (days)').fill('-1');
        await shot.getByRole('button', { name: 'Save' }).click();
        await shot.getByTestId('settings-errors').waitFor();
        await shot.screenshot({ path: path.join(SHOTS, `e2e-settings-errors-${colorScheme}-${width}.png`) });
        await shot.close();
      }
    }
  });
});
