import fs from 'node:fs';
import path from 'node:path';
import type { AxeResults, RunOptions } from 'axe-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.ts';
import { startHeadlessApp, type RunningApp } from '../support/headless-app.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SHOTS = path.join(ROOT, 'test-results');
const AXE_SOURCE = fs.readFileSync(path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const VIEWPORT = { width: 1024, height: 640 };

/** Each view: what shows it is ready, and the controls it is used by, which must be on screen. */
const VIEWS = [
  {
    tab: 'Chart',
    ready: '[data-testid="legend"][data-close]',
    controls: ['[aria-label="Symbol to add"]', '.add-symbol button', '.watchlist li', '.panel-cell.active h2'],
  },
  {
    tab: 'Analyses',
    ready: '[data-testid="analysis-table"]',
    controls: ['section.analyses label:has-text("Analysis") select', 'button:has-text("Export CSV")'],
  },
  { tab: 'Alerts', ready: 'button:has-text("Add alert")', controls: ['button:has-text("Add alert")'] },
  // The jobs come last: until they do, the view is a scrolling region with nothing to focus in it.
  { tab: 'Pipeline', ready: 'form[aria-label="New scheduled job"]', controls: ['[data-testid="partitions"]'] },
  {
    tab: 'Settings',
    ready: '[aria-label="Ticks per second"]',
    controls: ['[aria-label="Ticks per second"]', '.settings-actions button.primary'],
  },
  { tab: 'SQL', ready: '[aria-label="SQL query"]', controls: ['[aria-label="SQL query"]', 'button:has-text("Run")'] },
  {
    tab: 'Portfolio',
    ready: '.portfolio h2',
    controls: ['button:has-text("Import CSV…")', 'button:has-text("Add lot")'],
  },
] as const;

/**
 * axe-core over the WCAG 2.x A and AA rules and its best practices (names and labels of buttons,
 * links, fields, selects and images; ARIA roles, attributes and their values; landmarks; lists).
 *
 * - colour-contrast included (4.5:1 for text, 3:1 for large text), in both themes. A price's flash
 *   behind its text passes too (dark text on light, light on dark), so the moment axe looks at does
 *   not matter. The charts' axis text is drawn on canvases, which axe cannot read.
 * - Only serious and critical findings fail the test (heading-order, for one, is moderate).
 */
const AXE_OPTIONS: RunOptions = {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
  resultTypes: ['violations'],
};

/**
 * The page's serious and critical violations, one line each. axe goes in through the DevTools
 * protocol: the app's Content-Security-Policy (script-src 'self') refuses the inline script that
 * page.addScriptTag would add, and the page is tested as it is served.
 */
async function violations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(
    (options) =>
      (window as unknown as { axe: { run(c: Document, o: unknown): Promise<AxeResults> } }).axe.run(document, options),
    AXE_OPTIONS as unknown as Record<string, unknown>,
  );
  return [
    ...results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .flatMap((v) =>
        v.nodes.map((n) => `${v.id} (${v.impact}) at ${n.target.join(' ')}: ${n.failureSummary?.replace(/\s+/g, ' ')}`),
      ),
    ...(await faintPlaceholders(page)),
  ];
}

/**
 * Placeholders on screen whose text has less than 4.5:1 contrast with their field: axe does not
 * check them (they are a pseudo-element), and Chromium's own grey (#757575) fell short on the
 * dark theme's fields.
 */
const faintPlaceholders = (page: Page) =>
  page.evaluate(() => {
    const rgba = (colour: string) => (colour.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r, g, b]: number[]) => {
      const [R, G, B] = [r!, g!, b!].map((c) =>
        c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4,
      );
      return 0.2126 * R! + 0.7152 * G! + 0.0722 * B!;
    };
    /** The field's background, its translucent layers laid over what is behind them. */
    const backgroundOf = (el: Element | null): number[] => {
      if (!el) return [255, 255, 255];
      const [r = 0, g = 0, b = 0, a = 1] = rgba(getComputedStyle(el).backgroundColor);
      if (a >= 1) return [r, g, b];
      const below = backgroundOf(el.parentElement);
      return [r, g, b].map((c, i) => c * a + below[i]! * (1 - a));
    };
    return [...document.querySelectorAll<HTMLInputElement>('input[placeholder], textarea[placeholder]')]
      .filter((field) => field.placeholder && field.getClientRects().length > 0 && field.value === '')
      .flatMap((field) => {
        const background = backgroundOf(field);
        const [r = 0, g = 0, b = 0, a = 1] = rgba(getComputedStyle(field, '::placeholder').color);
        const opacity = Number(getComputedStyle(field, '::placeholder').opacity);
        const text = [r, g, b].map((c, i) => c * a * opacity + background[i]! * (1 - a * opacity));
        const [light, dark] = [luminance(text), luminance(background)].sort((x, y) => y - x);
        const ratio = (light! + 0.05) / (dark! + 0.05);
        return ratio < 4.5 ? [`placeholder "${field.placeholder}" has contrast ${ratio.toFixed(2)}:1`] : [];
      });
  });

/** Wider than the window: the page scrolls sideways. */
const horizontalOverflow = (page: Page) =>
  page.evaluate(() => document.scrollingElement!.scrollWidth - window.innerWidth);

/** Whether the element is inside the window and on top at its centre (not covered or cut off). */
const onScreen = (page: Page, selector: string) =>
  page
    .locator(selector)
    .first()
    .evaluate((el) => {
      const box = el.getBoundingClientRect();
      const inside =
        box.width > 0 && box.left >= 0 && box.top >= 0 && box.right <= innerWidth && box.bottom <= innerHeight;
      const top = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
      return { inside, onTop: top !== null && (el.contains(top) || top.contains(el)) };
    });

describe('accessibility at 1024 x 640, in a real Chromium with axe-core', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    app = await startHeadlessApp(['--rate', '50']);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: VIEWPORT, colorScheme: 'dark' });
    await page.goto(app.url);
    await page.locator('.watchlist li').first().waitFor({ timeout: 15_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  const show = async (tab: string, ready: string) => {
    await page.getByRole('button', { name: tab, exact: true }).click();
    await page.locator(ready).first().waitFor({ timeout: 15_000 });
  };

  for (const view of VIEWS) {
    it(`${view.tab}: names and labels for everything, no sideways scrolling, its controls on screen`, async () => {
      await show(view.tab, view.ready);
      expect(await violations(page)).toEqual([]);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      for (const control of view.controls) {
        expect(await onScreen(page, control), control).toEqual({ inside: true, onTop: true });
      }
      await page.screenshot({ path: path.join(SHOTS, `a11y-${view.tab.toLowerCase()}-1024x640.png`) });
    });
  }

  /** Runs `work` with the page in the light theme, and puts the dark one back whatever happens. */
  const inLightTheme = async (work: () => Promise<void>) => {
    await page.emulateMedia({ colorScheme: 'light' });
    try {
      await work();
    } finally {
      await page.emulateMedia({ colorScheme: 'dark' });
    }
  };

  it('light theme: every view keeps its text readable (contrast) and its names', async () => {
    await inLightTheme(async () => {
      for (const view of VIEWS) {
        await show(view.tab, view.ready);
        // Gains and losses are on screen (the detail and the watchlist show changes), where the
        // light theme's colours used to fail.
        expect(await violations(page), `${view.tab} (light)`).toEqual([]);
        await page.screenshot({ path: path.join(SHOTS, `a11y-light-${view.tab.toLowerCase()}-1024x640.png`) });
      }
    });
  });

  /** Checks the page as it is now, in both themes, and keeps a screenshot of it by this name. */
  const check = async (name: string) => {
    expect(await violations(page), name).toEqual([]);
    expect(await horizontalOverflow(page), `${name} scrolls sideways`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(SHOTS, `a11y-${name}-1024x640.png`) });
    // The same content in the light theme: its colours (a heatmap's cells, gains and losses) differ.
    await inLightTheme(async () => expect(await violations(page), `${name} (light)`).toEqual([]));
  };

  it('stays labelled with content: an alert rule, a lot, a query result, a heatmap, two chart panels', async () => {
    await show('Alerts', 'button:has-text("Add alert")');
    await page.getByLabel('Threshold', { exact: true }).fill('1000000');
    await page.getByRole('button', { name: 'Add alert' }).click();
    await page.locator('[data-testid="alert-rules"] li').first().waitFor();
    await check('alerts-with-rule');

    await show('Portfolio', '.portfolio h2');
    await page.getByLabel('Lot symbol', { exact: true }).fill('AAPL');
    await page.getByLabel('Lot quantity', { exact: true }).fill('10');
    await page.getByLabel('Lot price', { exact: true }).fill('100');
    await page.getByRole('button', { name: 'Add lot' }).click();
    await page.locator('[data-testid="positions"]').waitFor();
    await page.locator('[data-testid="lots"]').waitFor();
    await check('portfolio-with-lot');

    await show('SQL', '[aria-label="SQL query"]');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.locator('[data-testid="sql-table"]').waitFor();
    await page.locator('.sql-schema summary').first().click(); // a table's columns shown
    await check('sql-with-result');

    await show('Analyses', '[data-testid="analysis-table"]');
    await page.getByLabel('Analysis').selectOption('growth-by-industry');
    await page.locator('.analyses .segmented button').first().waitFor();
    await check('analyses-growth');

    await show('Chart', '[data-testid="legend"][data-close]');
    await page.getByRole('button', { name: '+ Panel' }).click();
    await page.getByLabel('Columns').selectOption('2');
    await expect.poll(() => page.locator('.panel-cell').count()).toBe(2);
    await page.locator('.panel-cell.active [data-testid="legend"][data-close]').waitFor({ timeout: 15_000 });
    await check('chart-two-panels');
  });

  it('labels the dialogs: shortcut help, command palette, lot import', async () => {
    await show('Chart', '[data-testid="legend"][data-close]');
    await page.locator('.top-bar h1').click();
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await check('shortcut-help');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);

    await page.keyboard.press('Control+k');
    await page.getByRole('dialog', { name: 'Command palette' }).waitFor();
    await page.keyboard.type('port');
    await check('command-palette');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);

    await show('Portfolio', '.portfolio h2');
    await page.getByRole('button', { name: 'Import CSV…' }).click();
    await page.getByRole('dialog', { name: 'Import lots from CSV' }).waitFor();
    await check('portfolio-import');
  });
});
