// A panel's views in a real Chromium: its clock (exchange, local, UTC), pre-market shading, log
// scale, full screen, and named workspaces switched from the toolbar and the command palette.
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackfillCandles } from '../../engine/store/backfill-candles.ts';
import { WatchlistRepo } from '../../engine/store/watchlist-repo.ts';
import { minuteCandle } from '../support/minute-candle.ts';
import { startSeededChartApp, type SeededChartApp } from '../support/seeded-chart-app.ts';

const SHOTS = path.resolve(import.meta.dirname, '..', '..', 'test-results');
const MINUTE = 60_000;
/** Monday 30 November 2026, 08:00 in New York (EST, UTC-5): 90 pre-market minutes, then 90 regular. */
const FIRST = Date.UTC(2026, 10, 30, 13, 0);
const BARS = 180;

function seedBars(symbol: string, base: number) {
  return Array.from({ length: BARS }, (_, i) => {
    const close = base + Math.sin(i / 12) * base * 0.05;
    return minuteCandle(symbol, FIRST + i * MINUTE, {
      open: close,
      high: close * 1.002,
      low: close * 0.998,
      close,
      volume: 10,
    });
  });
}

/** The most common colour of a few pixels across a row of the chart's bottom canvas, at a share of its width. */
function backgroundAt(chart: Locator, share: number): Promise<string> {
  return chart.evaluate((body, x) => {
    const canvas = [...body.querySelectorAll('canvas')].sort((a, b) => b.width * b.height - a.width * a.height)[0]!;
    const context = canvas.getContext('2d')!;
    const counts = new Map<string, number>();
    // Near the top, above every bar (the scale keeps a margin there).
    for (let dx = -6; dx <= 6; dx += 2) {
      const pixel = context.getImageData(Math.round(canvas.width * x) + dx, 6, 1, 1).data;
      const key = `${pixel[0]},${pixel[1]},${pixel[2]}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return [...counts].sort((a, b) => b[1] - a[1])[0]![0];
  }, share);
}

describe('chart panel views', () => {
  let seeded: SeededChartApp;
  let page: Page;
  const panel = (i = 0) => page.locator('section.chart-panel').nth(i);
  const chart = (i = 0) => panel(i).getByTestId('chart');
  const savedLayout = async () =>
    JSON.parse((await page.evaluate(() => localStorage.getItem('market-monitor.layout')))!);
  const options = async (symbol: string) => {
    const menu = panel().locator('details.chart-options');
    if (!(await menu.evaluate((d) => (d as HTMLDetailsElement).open)))
      await panel().getByLabel(`Chart options of ${symbol}`).click();
    return menu;
  };

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    seeded = await startSeededChartApp({}, (db) => {
      new BackfillCandles(db).fillMissing([...seedBars('ACME', 100), ...seedBars('BETA', 50)]);
      for (const symbol of ['ACME', 'BETA']) new WatchlistRepo(db).add(symbol);
    });
    await seeded.page.close();
    // Tokyo, so local time differs from both UTC and New York.
    page = await seeded.browser.newPage({ viewport: { width: 1280, height: 760 }, timezoneId: 'Asia/Tokyo' });
    const layout = {
      columns: 2,
      active: 'p0',
      panels: [
        { id: 'p0', symbol: 'ACME', interval: '1m', wide: false },
        { id: 'p1', symbol: 'BETA', interval: '1m', wide: false },
      ],
    };
    await page.addInitScript((saved: string) => {
      if (localStorage.getItem('market-monitor.layout')) return;
      localStorage.setItem('market-monitor.layout', saved);
      localStorage.setItem('market-monitor.view', 'chart');
    }, JSON.stringify(layout));
    await page.goto(seeded.host.url);
    await panel().locator('[data-testid="legend"][data-close]').waitFor({ timeout: 15_000 });
  });

  afterAll(async () => {
    await seeded?.stop();
  });

  it('shows one panel full screen, and the grid again with Escape or F', async () => {
    await panel(1).getByRole('button', { name: 'Full screen' }).click();
    await expect.poll(() => page.locator('[data-testid="panel"]:visible').count()).toBe(1);
    const grid = (await page.locator('.panel-grid').boundingBox())!;
    const alone = (await page.locator('[data-testid="panel"]:visible').boundingBox())!;
    expect(alone.width).toBeGreaterThan(grid.width - 4);
    expect(alone.height).toBeGreaterThan(grid.height - 4);
    expect((await savedLayout()).maximized).toBe('p1');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('[data-testid="panel"]:visible').count()).toBe(2);
    // F: the active panel (the one just shown alone), then the grid.
    await page.locator('body').press('f');
    await expect.poll(() => page.locator('[data-testid="panel"]:visible').count()).toBe(1);
    await page.locator('body').press('f');
    await expect.poll(() => page.locator('[data-testid="panel"]:visible').count()).toBe(2);
    // The rest of the test reads one big panel.
    await panel(0).getByRole('button', { name: 'Full screen' }).click();
    await expect.poll(() => page.locator('[data-testid="panel"]:visible').count()).toBe(1);
  });

  it('reads its times in the exchange’s zone, UTC or local time, as chosen', async () => {
    const time = panel().locator('.legend-time');
    // The newest bar starts at 15:59 UTC: 10:59 in New York, 00:59 the next day in Tokyo.
    await expect.poll(() => time.textContent()).toMatch(/Nov 30, 2026.*10:59:00 AM EST/);
    await (await options('ACME')).getByLabel(/^UTC/).check();
    await expect.poll(() => time.textContent()).toMatch(/Nov 30, 2026.*03:59:00 PM UTC/);
    await (await options('ACME')).getByLabel(/^Local/).check();
    await expect.poll(() => time.textContent()).toMatch(/Dec 01, 2026.*12:59:00 AM$/);
    expect((await savedLayout()).panels[0].timeZone).toBe('local');
    await (await options('ACME')).getByLabel(/^Exchange/).check();
    await expect.poll(() => time.textContent()).toContain('EST');
  });

  it('shades the pre-market bars, and not once switched off', async () => {
    // The view shows the newest ~140 bars: its left part before 09:30 New York, its right part after.
    await expect.poll(async () => (await backgroundAt(chart(), 0.1)) !== (await backgroundAt(chart(), 0.8))).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, 'chart-sessions.png') });
    await (await options('ACME')).getByLabel('Shade pre-market and after-hours').uncheck();
    await expect.poll(async () => (await backgroundAt(chart(), 0.1)) === (await backgroundAt(chart(), 0.8))).toBe(true);
    expect((await savedLayout()).panels[0].sessions).toBe(false);
    await (await options('ACME')).getByLabel('Shade pre-market and after-hours').check();
  });

  it('puts the price scale in log, in percent while comparing, and back in log after', async () => {
    expect(await chart().getAttribute('data-scale')).toBe('price');
    await (await options('ACME')).getByLabel('Log price scale').check();
    await expect.poll(() => chart().getAttribute('data-scale')).toBe('log');
    await panel().getByRole('combobox', { name: 'Compare ACME with' }).selectOption('BETA');
    await expect.poll(() => chart().getAttribute('data-scale')).toBe('percent');
    await panel().getByRole('button', { name: 'Stop comparing BETA' }).click();
    await expect.poll(() => chart().getAttribute('data-scale')).toBe('log');
    expect((await savedLayout()).panels[0].log).toBe(true);
  });

  it('keeps named workspaces, switched from the toolbar and the command palette, over a reload', async () => {
    const picker = page.getByRole('combobox', { name: 'Workspace' });
    expect(await picker.inputValue()).toBe('Main');
    await page.getByRole('button', { name: 'Save as…' }).click();
    const name = page.getByRole('textbox', { name: 'New workspace name' });
    await name.fill('main');
    await name.press('Enter');
    await expect
      .poll(() => page.locator('#workspace-name-problem').textContent())
      .toBe('There is a workspace named Main already');
    await name.fill('Day trading');
    await name.press('Enter');
    await expect.poll(() => picker.inputValue()).toBe('Day trading');

    // This workspace: back to the grid, with a third panel.
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: '+ Panel' }).click();
    await expect.poll(() => page.locator('[data-testid="panel"]').count()).toBe(3);

    await picker.selectOption('Main');
    await expect.poll(() => page.locator('[data-testid="panel"]').count()).toBe(2);
    await expect.poll(() => page.locator('[data-testid="panel"]:visible').count()).toBe(1);

    await page.keyboard.press('Control+k');
    const palette = page.getByRole('dialog', { name: 'Command palette' });
    await palette.waitFor();
    await page.keyboard.type('day trad');
    expect(await palette.getByRole('option').first().textContent()).toBe('Switch to the workspace Day trading');
    await page.keyboard.press('Enter');
    await expect.poll(() => picker.inputValue()).toBe('Day trading');
    await expect.poll(() => page.locator('[data-testid="panel"]:visible').count()).toBe(3);

    await page.reload();
    await expect.poll(() => page.getByRole('combobox', { name: 'Workspace' }).inputValue()).toBe('Day trading');
    await expect.poll(() => page.locator('[data-testid="panel"]').count()).toBe(3);
    await page.screenshot({ path: path.join(SHOTS, 'chart-workspaces.png') });

    const remove = page.getByRole('button', { name: 'Delete', exact: true });
    await remove.click();
    await page.getByRole('button', { name: 'Delete Day trading?' }).click();
    await expect.poll(() => page.getByRole('combobox', { name: 'Workspace' }).inputValue()).toBe('Main');
    expect(await page.getByRole('combobox', { name: 'Workspace' }).locator('option').allTextContents()).toEqual([
      'Main',
    ]);
    await expect.poll(() => page.locator('[data-testid="panel"]').count()).toBe(2);
  });
});
