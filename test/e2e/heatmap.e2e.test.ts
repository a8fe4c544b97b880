import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.ts';
import { startHeadlessApp, type RunningApp } from '../support/headless-app.ts';

const SHOTS = path.resolve(import.meta.dirname, '..', '..', 'test-results');

type Row = Record<string, string | number | null>;

/** The analysis rows straight from the contract, on a socket of the page's own. */
function runAnalysis(page: Page, name: string): Promise<Row[]> {
  return page.evaluate(
    (name) =>
      new Promise<Row[]>((resolve, reject) => {
        const ws = new WebSocket(`${location.origin.replace('http', 'ws')}/api`);
        ws.onopen = () => ws.send(JSON.stringify({ type: 'call', id: 1, name: 'analyses.run', input: { name } }));
        ws.onmessage = (m) => {
          const data = JSON.parse(String(m.data)) as {
            type: string;
            result?: { ok: boolean; output: { rows: Row[] } };
          };
          if (data.type !== 'result') return;
          ws.close();
          if (data.result?.ok) resolve(data.result.output.rows);
          else reject(new Error(JSON.stringify(data.result)));
        };
      }),
    name,
  );
}

/** Every heatmap cell as [group, day, growth]. */
function heatCells(page: Page): Promise<Array<[string, number, number]>> {
  return page
    .getByTestId('heat-cell')
    .evaluateAll((cells) =>
      cells.map((c) => [c.dataset.group!, Number(c.dataset.day), Number(c.dataset.value)] as [string, number, number]),
    );
}

describe('growth heatmaps in a real Chromium', () => {
  let app: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    app = await startHeadlessApp(['--rate', '400']);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('draws one cell per group and day, equal to the analysis rows, red below zero and green above', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 }, colorScheme: 'dark' });
    await page.goto(app.url);
    await page.getByRole('button', { name: 'Analyses', exact: true }).click();
    await page.getByLabel('Analysis').selectOption('growth-by-industry');
    await page.getByTestId('heat-cell').first().waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => page.getByTestId('status-source').textContent()).toContain('paused');

    for (const name of ['growth-by-industry', 'growth-by-country', 'growth-by-technology']) {
      await page.getByLabel('Analysis').selectOption(name);
      // The view refreshes every 5 s; once paused, it settles on what the contract answers.
      await expect
        .poll(
          async () => {
            const rows = await runAnalysis(page, name);
            const expected = rows
              .map((r) => [String(r.group), Number(r.day), Number(r.averageGrowth)])
              .sort((a, b) => String(a[0]).localeCompare(String(b[0])) || Number(a[1]) - Number(b[1]));
            const shown = (await heatCells(page)).sort((a, b) => a[0].localeCompare(b[0]) || a[1] - b[1]);
            return rows.length > 0 && JSON.stringify(shown) === JSON.stringify(expected);
          },
          { timeout: 15_000, interval: 1_000 },
        )
        .toBe(true);
    }

    // Colour follows the sign: the green channel leads above zero, the red one below.
    const colours = await page
      .getByTestId('heat-cell')
      .evaluateAll((cells) =>
        cells.map((c) => ({ value: Number(c.dataset.value), rgb: getComputedStyle(c).backgroundColor })),
      );
    for (const { value, rgb } of colours) {
      // rgb(r, g, b) or color(srgb r g b): red and green are the first two numbers either way.
      const [r, g] = rgb
        .match(/[\d.]+/g)!
        .slice(0, 2)
        .map(Number);
      if (value > 0) expect(g, `${value} ${rgb}`).toBeGreaterThan(r!);
      if (value < 0) expect(r, `${value} ${rgb}`).toBeGreaterThan(g!);
    }
    // Numbers are formatted as percentages for the locale.
    expect(await page.getByTestId('heat-cell').first().textContent()).toMatch(/%/);

    await page.screenshot({ path: path.join(SHOTS, 'heatmap-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.screenshot({ path: path.join(SHOTS, 'heatmap-light.png') });

    // The table view of the same analysis is one click away.
    await page.getByRole('button', { name: 'Table', exact: true }).click();
    await page.getByTestId('analysis-table').waitFor();
    await page.close();
  });
});
