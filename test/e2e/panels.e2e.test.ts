import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.ts';
import { startHeadlessApp, type RunningApp } from '../support/headless-app.ts';

const SHOTS = path.resolve(import.meta.dirname, '..', '..', 'test-results');

/** The symbols of the panels, in grid order. */
const panelSymbols = (page: Page) => page.locator('[data-testid="panel"] .chart-header h2').allTextContents();

/** Marks every chart's root element, so that a rebuilt chart (a new element) can be told from a kept one. */
const markCharts = (page: Page) =>
  page.evaluate(() => {
    const roots = [...document.querySelectorAll('[data-testid="chart"] > .tv-lightweight-charts')];
    roots.forEach((el, i) => ((el as HTMLElement).dataset.mark = String(i)));
    return roots.length;
  });
const markedChartsLeft = (page: Page) =>
  page.evaluate(() => document.querySelectorAll('[data-testid="chart"] > .tv-lightweight-charts[data-mark]').length);

describe('a workspace of 16 panels in a real Chromium', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;
  /** Every history load the page asked for: a rebuilt chart asks again. */
  let historyCalls = 0;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    app = await startHeadlessApp();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: 'dark' });
    page.on('websocket', (ws) =>
      ws.on('framesent', ({ payload }) => {
        if ((JSON.parse(String(payload)) as { name?: string }).name === 'candles.history') historyCalls++;
      }),
    );
    await page.goto(app.url);
    await page.locator('[data-testid="panel"] .chart-header h2', { hasText: 'AAPL' }).waitFor({ timeout: 15_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('new panels go round the watchlist instead of all opening on its first symbol', async () => {
    expect(await panelSymbols(page)).toEqual(['AAPL']);
    for (let i = 1; i < 16; i++) await page.getByRole('button', { name: '+ Panel' }).click();
    await page.getByLabel('Columns').selectOption('4');
    await expect.poll(() => page.getByTestId('panel').count()).toBe(16);
    const watchlist = await page
      .locator('.watchlist li')
      .evaluateAll((lis) => lis.map((li) => li.getAttribute('data-symbol')));
    expect(watchlist).toHaveLength(4);
    expect(await panelSymbols(page)).toEqual([...watchlist, ...watchlist, ...watchlist, ...watchlist]);
  });

  it('fits all four rows in the window, and each chart keeps most of its cell', async () => {
    const boxes = await page.getByTestId('panel').evaluateAll((cells) =>
      cells.map((cell) => {
        const box = cell.getBoundingClientRect();
        const chart = cell.querySelector('[data-testid="chart"]')!.getBoundingClientRect();
        return { bottom: box.bottom, height: box.height, chart: chart.height };
      }),
    );
    const statusBar = await page.locator('.status-bar').boundingBox();
    for (const box of boxes) {
      expect(box.bottom).toBeLessThanOrEqual(statusBar!.y + 1);
      expect(box.chart).toBeGreaterThan(box.height * 0.75);
    }
    await page.getByTestId('panel').nth(5).hover();
    await page.screenshot({ path: path.join(SHOTS, 'e2e-panels16-dark-1440.png') });
  });

  it('toggles indicators and the theme on the same charts, and keeps indicators with the layout', async () => {
    expect(await markCharts(page)).toBe(16);
    const loadsBefore = historyCalls;
    const second = page.getByTestId('panel').nth(1);
    await second.getByRole('button', { name: 'Indicators' }).click();
    await expect
      .poll(() => second.getByRole('button', { name: 'Indicators' }).getAttribute('aria-pressed'))
      .toBe('true');
    await page.emulateMedia({ colorScheme: 'light' });
    await expect
      .poll(() => page.evaluate(() => getComputedStyle(document.body).backgroundColor))
      .not.toBe('rgb(15, 18, 24)');
    await second.getByRole('button', { name: 'Indicators' }).click();
    await second.getByRole('button', { name: 'Indicators' }).click();
    expect(await markedChartsLeft(page)).toBe(16);
    // Drawn from the bars already loaded: no history asked for again.
    expect(historyCalls).toBe(loadsBefore);

    // A tab switch neither: the charts are the same elements when the chart view comes back.
    await page.getByRole('button', { name: 'Alerts', exact: true }).click();
    await page.getByRole('button', { name: 'Add alert' }).waitFor();
    await page.getByRole('button', { name: 'Chart', exact: true }).click();
    await page.getByTestId('panel').first().waitFor();
    expect(await markedChartsLeft(page)).toBe(16);

    await page.reload();
    await expect.poll(() => page.getByTestId('panel').count(), { timeout: 15_000 }).toBe(16);
    const pressed = await page
      .getByTestId('panel')
      .getByRole('button', { name: 'Indicators' })
      .evaluateAll((buttons) => buttons.map((b) => b.getAttribute('aria-pressed')));
    expect(pressed.map((p, i) => (p === 'true' ? i : -1)).filter((i) => i >= 0)).toEqual([1]);
  });

  it('fits each legend on its line in a small panel, open, high and low read out when they leave it', async () => {
    /** Per legend: whether its line overflows, and the first word of each part still on the line. */
    const legends = () =>
      page.locator('[data-testid="legend"][data-close]').evaluateAll((nodes) =>
        nodes.map((legend) => ({
          clipped: legend.scrollWidth > legend.clientWidth + 1,
          shown: [...legend.children]
            .filter((part) => part.getBoundingClientRect().width > 1)
            .map((part) => part.textContent!.trim().split(' ')[0]),
          text: legend.textContent!,
        })),
      );
    const columns = page.getByLabel('Columns');
    // Four columns of 16 panels on a large screen and on a laptop's; two columns on a small one, and
    // four there too (about 150 px a panel: the close and its change, nothing else).
    for (const [width, height, cols, expected] of [
      [1920, 1080, '4', ['C', 'V']],
      [1440, 900, '4', ['C', 'V']],
      [1024, 640, '2', ['C', 'V']],
      [1024, 640, '4', ['C']],
    ] as const) {
      await page.setViewportSize({ width, height });
      await columns.selectOption(cols);
      await expect.poll(() => page.locator('[data-testid="legend"][data-close]').count()).toBeGreaterThan(3);
      for (const legend of await legends()) {
        expect(legend.clipped, `${width}px, ${cols} columns: ${legend.text}`).toBe(false);
        expect(legend.shown.slice(0, expected.length)).toEqual(expected);
        if (expected.length === 1) expect(legend.shown[1], legend.text).toMatch(/^[+-]?\d+\.\d+%$/);
        expect(legend.text).toMatch(/O .*H .*L .*C .*V /);
      }
    }
    await columns.selectOption('4');
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it("shows TradingView's logo on charts that can spare the room, not on the smallest", async () => {
    const logos = () =>
      page.evaluate(
        () =>
          [...document.querySelectorAll('[data-testid="chart"] #tv-attr-logo')].filter(
            (logo) => logo.getBoundingClientRect().width > 0,
          ).length,
      );
    const columns = page.getByLabel('Columns');
    await page.setViewportSize({ width: 1024, height: 640 });
    await columns.selectOption('4');
    await expect.poll(() => page.locator('[data-testid="chart"]').count()).toBe(16);
    await expect.poll(logos).toBe(0);
    // The active panel in full screen (F): the same chart, grown, shows it again; back in the grid (Esc), not.
    await page.getByTestId('panel').first().locator('.chart-header h2').click();
    await page.keyboard.press('f');
    await expect.poll(logos).toBe(1);
    await page.keyboard.press('Escape');
    await expect.poll(logos).toBe(0);
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it("keeps the controls' pop-over of the smallest panels inside the panel's width", async () => {
    await page.setViewportSize({ width: 1024, height: 640 });
    await page.getByLabel('Columns').selectOption('4');
    await expect.poll(() => page.locator('[data-testid="chart"]').count()).toBe(16);
    for (const n of [0, 1, 3]) {
      const panel = page.getByTestId('panel').nth(n);
      await panel.hover();
      await expect.poll(() => panel.locator('.panel-controls').evaluate((c) => getComputedStyle(c).opacity)).toBe('1');
      const outside = await panel.evaluate((cell) => {
        const { left, right, width } = cell.getBoundingClientRect();
        return [...cell.querySelectorAll('.panel-controls :is(button, select, summary)')]
          .map((control) => ({ control, box: control.getBoundingClientRect() }))
          .filter(({ box }) => box.width > 0 && (box.left < left - 0.5 || box.right > right + 0.5))
          .map(
            ({ control, box }) =>
              `${control.getAttribute('aria-label') || control.textContent}: ${box.left}-${box.right} of ${left}-${right} (${width} px)`,
          );
      });
      expect(outside, `panel ${n}`).toEqual([]);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('looks right at 1440x900 and 1024x640 in both themes', async () => {
    for (const colorScheme of ['dark', 'light'] as const) {
      for (const [width, height] of [
        [1440, 900],
        [1024, 640],
      ] as const) {
        await page.setViewportSize({ width, height });
        await page.emulateMedia({ colorScheme });
        await page.getByTestId('panel').nth(1).hover();
        await page.waitForTimeout(300); // the controls' 120 ms fade, in and out, is over
        await page.screenshot({ path: path.join(SHOTS, `e2e-panels16-${colorScheme}-${width}.png`) });
      }
    }
  });
});
