// Compare in a real Chromium: other symbols overlaid on a panel in percent, each with its colour
// and a legend entry giving its change and the correlation of its returns over the visible bars.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOnePanel } from '../support/chart-page.ts';
import { startSeededChartApp, type SeededChartApp } from '../support/seeded-chart-app.ts';

const SHOTS = path.resolve(import.meta.dirname, '..', '..', 'test-results');
const BARS = 300;

/**
 * ALPHA wanders; BETA is twice ALPHA (the same returns: correlation 1, the same % change); GAMMA
 * makes each of ALPHA's returns the other way (correlation -1).
 */
function closes(): Record<string, number[]> {
  const alpha = Array.from({ length: BARS }, (_, i) => 100 + Math.sin(i / 9) * 6 + i / 20);
  const gamma = [50];
  for (let i = 1; i < BARS; i++) gamma.push(gamma[i - 1]! * (1 - (alpha[i]! / alpha[i - 1]! - 1)));
  return { ALPHA: alpha, BETA: alpha.map((c) => c * 2), GAMMA: gamma };
}

describe('comparing symbols on a chart panel', () => {
  let seeded: SeededChartApp;
  let page: Page;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    seeded = await startSeededChartApp(closes());
    page = seeded.page;
    await openOnePanel(page, seeded.host.url, 'ALPHA');
  });

  afterAll(async () => {
    await seeded?.stop();
  });

  const entry = (symbol: string) => page.locator(`[data-testid="compare-legend"] li[data-symbol="${symbol}"]`);

  it('overlays a symbol with its change and correlation, and a second in another colour', async () => {
    const picker = page.getByRole('combobox', { name: 'Compare ALPHA with' });
    await expect.poll(() => picker.locator('option').allTextContents()).toEqual(['Compare…', 'BETA', 'GAMMA']);
    await picker.selectOption('BETA');
    await expect.poll(() => entry('BETA').locator('.correlation').textContent(), { timeout: 15_000 }).toBe('ρ 1.00');
    const main = await page.locator('.compare-main b').textContent();
    expect(main).toMatch(/^[+-]?\d+\.\d+%$/);
    expect(await entry('BETA').locator('b').textContent()).toBe(main);

    await picker.selectOption('GAMMA');
    await expect.poll(() => entry('GAMMA').locator('.correlation').textContent(), { timeout: 15_000 }).toBe('ρ -1.00');
    const colours = await page
      .locator('[data-testid="compare-legend"] .swatch')
      .evaluateAll((swatches) => swatches.map((s) => getComputedStyle(s).backgroundColor));
    expect(new Set(colours).size).toBe(2);
    expect(await picker.locator('option').allTextContents()).toEqual(['Compare…']);
    await page.screenshot({ path: path.join(SHOTS, 'chart-compare.png') });
  });

  it('stops comparing from the legend, and the price scale is in prices again with none left', async () => {
    await page.getByRole('button', { name: 'Stop comparing BETA' }).click();
    await expect.poll(() => entry('BETA').count()).toBe(0);
    expect(await entry('GAMMA').count()).toBe(1);
    await page.getByRole('button', { name: 'Stop comparing GAMMA' }).click();
    await expect.poll(() => page.locator('[data-testid="compare-legend"]').count()).toBe(0);
    const saved = await page.evaluate(() => localStorage.getItem('market-monitor.layout'));
    expect(JSON.parse(saved!).panels[0].compare).toEqual([]);
  });
});
