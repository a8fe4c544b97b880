// Drawings in a real Chromium: lines, rectangles and notes drawn with clicks on a panel, stored per
// symbol, drawn in every panel of it (another interval too), and a line turned into a price alert.
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrawingRepo } from '../../engine/store/drawing-repo.ts';
import { BackfillCandles } from '../../engine/store/backfill-candles.ts';
import { windowStart } from '../../engine/domain/interval.ts';
import type { Candle } from '../../engine/domain/candle.ts';
import type { Drawing } from '../../engine/domain/drawing.ts';
import { startSeededChartApp, type SeededChartApp } from '../support/seeded-chart-app.ts';

const SHOTS = path.resolve(import.meta.dirname, '..', '..', 'test-results');
const BARS = 300;
const CLOSES = Array.from({ length: BARS }, (_, i) => 100 + Math.sin(i / 15) * 8);

/** Counts the chart's pixels of the drawings' colour (#4f9dff) near a point, or over the whole chart. */
function drawnPixels(chart: Locator, at?: { x: number; y: number; radius: number }): Promise<number> {
  return chart.evaluate((body, near) => {
    let count = 0;
    const box = body.getBoundingClientRect();
    for (const canvas of body.querySelectorAll('canvas')) {
      const rect = canvas.getBoundingClientRect();
      const scale = canvas.width / rect.width;
      const [left, top] = [rect.left - box.left, rect.top - box.top];
      const from = near ? { x: near.x - near.radius - left, y: near.y - near.radius - top } : { x: 0, y: 0 };
      const size = near ? near.radius * 2 : Math.max(rect.width, rect.height);
      const [x0, y0] = [Math.max(0, from.x), Math.max(0, from.y)];
      const [x1, y1] = [Math.min(rect.width, from.x + size), Math.min(rect.height, from.y + size)];
      if (x1 <= x0 || y1 <= y0) continue;
      const data = canvas
        .getContext('2d')!
        .getImageData(x0 * scale, y0 * scale, Math.ceil((x1 - x0) * scale), Math.ceil((y1 - y0) * scale)).data;
      for (let i = 0; i < data.length; i += 4) {
        if (Math.abs(data[i]! - 79) < 30 && Math.abs(data[i + 1]! - 157) < 30 && data[i + 2]! > 225) count++;
      }
    }
    return count;
  }, at);
}

/** The stored one-minute bars rolled up into five-minute ones, for a panel on another interval. */
function fiveMinuteBars({ app }: SeededChartApp): Candle[] {
  const byStart = new Map<number, Candle>();
  for (const c of app.store.candles({ symbol: 'ALPHA', interval: '1m', limit: 10_000 })) {
    const start = windowStart(c.start, '5m');
    const bar = byStart.get(start);
    if (!bar) byStart.set(start, { ...c, interval: '5m', start, closeTs: start + 5 * 60_000 - 1 });
    else
      Object.assign(bar, {
        high: Math.max(bar.high, c.high),
        low: Math.min(bar.low, c.low),
        close: c.close,
        volume: bar.volume + c.volume,
        turnover: bar.turnover + c.turnover,
        trades: bar.trades + c.trades,
        buyVolume: bar.buyVolume + c.buyVolume,
        sellVolume: bar.sellVolume + c.sellVolume,
      });
  }
  return [...byStart.values()];
}

describe('drawing on chart panels', () => {
  let seeded: SeededChartApp;
  let page: Page;
  let repo: DrawingRepo;
  const panel = (i: number) => page.locator('section.chart-panel').nth(i);
  const chart = (i: number) => panel(i).getByTestId('chart');
  const stored = (): Drawing[] => repo.list('ALPHA');

  /** Clicks the first panel's chart at a share of its width and of its price pane's height. */
  async function clickAt(share: { x: number; y: number }): Promise<{ x: number; y: number }> {
    const box = (await chart(0).boundingBox())!;
    const point = { x: Math.round(box.width * share.x), y: Math.round(box.height * share.y) };
    await page.mouse.click(box.x + point.x, box.y + point.y);
    return point;
  }

  async function arm(tool: string): Promise<void> {
    await panel(0).getByRole('combobox', { name: 'Draw on ALPHA' }).selectOption(tool);
  }

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    seeded = await startSeededChartApp({ ALPHA: CLOSES });
    repo = new DrawingRepo(seeded.app.db);
    new BackfillCandles(seeded.app.db).fillMissing(fiveMinuteBars(seeded));
    page = seeded.page;
    await page.setViewportSize({ width: 1280, height: 1150 });
    const panels = [
      { id: 'p0', symbol: 'ALPHA', interval: '1m', wide: false },
      { id: 'p1', symbol: 'ALPHA', interval: '5m', wide: false },
    ];
    await page.addInitScript(
      (saved: string) => {
        localStorage.setItem('market-monitor.layout', saved);
        localStorage.setItem('market-monitor.view', 'chart');
      },
      JSON.stringify({ columns: 1, active: 'p0', panels }),
    );
    await page.goto(seeded.host.url);
    await panel(1).locator('[data-testid="legend"][data-close]').waitFor({ timeout: 15_000 });
  });

  afterAll(async () => {
    await seeded?.stop();
  });

  it('draws a horizontal line with one click, in both panels of the symbol', async () => {
    expect(await drawnPixels(chart(0))).toBe(0);
    expect(await drawnPixels(chart(1))).toBe(0);
    await arm('hline');
    await expect.poll(() => panel(0).getByTestId('drawing-hint').textContent()).toContain('Click the price');
    const at = await clickAt({ x: 0.5, y: 0.3 });
    await expect.poll(() => stored().length).toBe(1);
    const [line] = stored();
    expect(line!.spec.kind).toBe('hline');
    const price = line!.spec.kind === 'hline' ? line!.spec.price : 0;
    expect(price).toBeGreaterThan(Math.min(...CLOSES) * 0.99);
    expect(price).toBeLessThan(Math.max(...CLOSES) * 1.01);
    await expect.poll(() => drawnPixels(chart(0), { ...at, radius: 12 })).toBeGreaterThan(0);
    await expect.poll(() => drawnPixels(chart(1))).toBeGreaterThan(0);
    for (const i of [0, 1])
      await expect.poll(() => panel(i).locator('.drawing-list summary').getAttribute('data-count')).toBe('1');
    expect(await panel(0).getByTestId('drawing-hint').count()).toBe(0);
  });

  it('draws a trend line with two quick clicks, its draft following the pointer', async () => {
    await arm('trend');
    const a = await clickAt({ x: 0.3, y: 0.45 });
    await expect.poll(() => panel(0).getByTestId('drawing-hint').textContent()).toContain('where it ends');
    const b = await clickAt({ x: 0.6, y: 0.15 });
    await expect.poll(() => stored().filter((d) => d.spec.kind === 'trend').length).toBe(1);
    const trend = stored().find((d) => d.spec.kind === 'trend')!.spec;
    if (trend.kind !== 'trend') throw new Error('a trend line');
    expect(trend.to.time).toBeGreaterThan(trend.from.time);
    expect(trend.to.price).toBeGreaterThan(trend.from.price);
    const mid = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2, radius: 4 };
    await expect.poll(() => drawnPixels(chart(0), mid)).toBeGreaterThan(0);
  });

  it('cancels a rectangle with Escape, then draws one', async () => {
    await arm('rect');
    await clickAt({ x: 0.2, y: 0.2 });
    await expect.poll(() => panel(0).getByTestId('drawing-hint').textContent()).toContain('opposite corner');
    await page.keyboard.press('Escape');
    await expect.poll(() => panel(0).getByTestId('drawing-hint').count()).toBe(0);
    await clickAt({ x: 0.4, y: 0.4 });
    expect(stored().filter((d) => d.spec.kind === 'rect')).toHaveLength(0);

    await arm('rect');
    const a = await clickAt({ x: 0.15, y: 0.2 });
    const b = await clickAt({ x: 0.35, y: 0.5 });
    await expect.poll(() => stored().filter((d) => d.spec.kind === 'rect').length).toBe(1);
    await expect.poll(() => drawnPixels(chart(0), { x: a.x, y: (a.y + b.y) / 2, radius: 3 })).toBeGreaterThan(0);
  });

  it('places a note and asks for its text', async () => {
    await arm('note');
    await clickAt({ x: 0.7, y: 0.5 });
    const input = panel(0).getByRole('textbox', { name: 'Note text' });
    await expect.poll(() => input.evaluate((el) => el === document.activeElement)).toBe(true);
    await input.fill('Earnings call');
    await input.press('Enter');
    await expect.poll(() => stored().filter((d) => d.spec.kind === 'note').length).toBe(1);
    const note = stored().find((d) => d.spec.kind === 'note')!.spec;
    expect(note.kind === 'note' && note.text).toBe('Earnings call');
    await panel(0).locator('.drawing-list summary').click();
    expect(await panel(0).locator('.drawing-list li').allTextContents()).toContainEqual(
      expect.stringContaining('Earnings call'),
    );
    await page.screenshot({ path: path.join(SHOTS, 'chart-drawings.png') });
  });

  it('turns the horizontal line into a price alert on the side the price must move to', async () => {
    const line = stored().find((d) => d.spec.kind === 'hline')!;
    const price = line.spec.kind === 'hline' ? line.spec.price : 0;
    const last = CLOSES.at(-1)!;
    await panel(0).locator('.drawing-list li[data-kind="hline"]').getByRole('button', { name: 'Alert' }).click();
    const side = price > last ? 'rises to' : 'falls to';
    await expect.poll(() => panel(0).locator('.drawing-bar').textContent()).toContain(`when ALPHA ${side}`);
    const rule = seeded.app.alerts.rules().find((r) => r.symbol === 'ALPHA');
    expect(rule).toMatchObject({ threshold: price, kind: price > last ? 'price-above' : 'price-below' });
  });

  it('removes a drawing from both panels, keeps the rest over a reload, and says when one is gone already', async () => {
    const list = panel(0).locator('.drawing-list');
    if (!(await list.evaluate((d) => (d as HTMLDetailsElement).open))) await list.locator('summary').click();
    await list
      .locator('li[data-kind="trend"]')
      .getByRole('button', { name: /^Remove/ })
      .click();
    await expect
      .poll(() =>
        stored()
          .map((d) => d.spec.kind)
          .sort(),
      )
      .toEqual(['hline', 'note', 'rect']);
    for (const i of [0, 1])
      await expect.poll(() => panel(i).locator('.drawing-list summary').getAttribute('data-count')).toBe('3');

    await page.reload();
    for (const i of [0, 1])
      await expect.poll(() => panel(i).locator('.drawing-list summary').getAttribute('data-count')).toBe('3');
    await expect.poll(() => drawnPixels(chart(1))).toBeGreaterThan(0);

    // Removed behind the page's back: the list still has it, and the engine's refusal is shown.
    const rect = stored().find((d) => d.spec.kind === 'rect')!;
    repo.remove(rect.id);
    await panel(0).locator('.drawing-list summary').click();
    await panel(0)
      .locator('.drawing-list li[data-kind="rect"]')
      .getByRole('button', { name: /^Remove/ })
      .click();
    await expect.poll(() => panel(0).getByRole('alert').textContent()).toContain('it was removed');
  });

  it('draws a line at the last price from the keyboard alone', async () => {
    const before = stored().length;
    const draw = panel(0).getByRole('combobox', { name: 'Draw on ALPHA' });
    await draw.focus();
    await draw.selectOption('hline-at-last');
    await expect.poll(() => stored().length).toBe(before + 1);
    expect(stored().at(-1)!.spec).toEqual({ kind: 'hline', price: CLOSES.at(-1) });
    for (const i of [0, 1])
      await expect
        .poll(() => panel(i).locator('.drawing-list summary').getAttribute('data-count'))
        .toBe(String(before + 1));
  });
});
