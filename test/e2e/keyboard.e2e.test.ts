import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.ts';
import { startHeadlessApp, type RunningApp } from '../support/headless-app.ts';

const watchlist = (page: Page) =>
  page.locator('.watchlist li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-symbol')));
const focused = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? null);

describe('keyboard use and the page icon, in a real Chromium', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    app = await startHeadlessApp();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: 'dark' });
    await page.goto(app.url);
    await page.locator('.watchlist li').first().waitFor({ timeout: 15_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('reaches a watchlist row’s remove button with Tab, shows it, and removes with Enter or Delete', async () => {
    const [first, second, ...rest] = await watchlist(page);
    await page.locator(`.watchlist li[data-symbol="${first}"] button.symbol`).focus();
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe(`Remove ${first}`);
    expect(
      await page.locator(`.watchlist li[data-symbol="${first}"] .remove`).evaluate((b) => getComputedStyle(b).opacity),
    ).toBe('1');
    await page.keyboard.press('Enter');
    await expect.poll(() => watchlist(page)).toEqual([second, ...rest]);

    await page.locator(`.watchlist li[data-symbol="${second}"] button.symbol`).focus();
    await page.keyboard.press('Delete');
    await expect.poll(() => watchlist(page)).toEqual(rest);
  });

  it('closes the shortcut help with Escape', async () => {
    await page.locator('body').click({ position: { x: 700, y: 20 } });
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog', { name: 'Keyboard shortcuts' }).count()).toBe(0);
  });

  it('has a favicon the host serves', async () => {
    const href = await page.locator('link[rel="icon"]').getAttribute('href');
    expect(href).toBeTruthy();
    const response = await page.request.get(new URL(href!, page.url()).href);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toContain('image/svg+xml');
    expect(await response.text()).toContain('<svg');
  });
});

/** The watchlist row whose symbol button has the focus, or null when the focus is elsewhere. */
const focusedRow = (page: Page) =>
  page.evaluate(() => {
    const active = document.activeElement;
    return active?.matches('.watchlist li > button.symbol') ? active.closest('li')!.getAttribute('data-symbol') : null;
  });
const activePanelTitle = (page: Page) => page.locator('.panel-cell.active .chart-panel h2').textContent();

describe('the watchlist as a keyboard list and the chart panel header, at 1024 x 640', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    app = await startHeadlessApp();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1024, height: 640 }, colorScheme: 'dark' });
    await page.goto(app.url);
    await page.locator('.watchlist li').first().waitFor({ timeout: 15_000 });
    await page.locator('.panel-cell.active .chart-panel h2').waitFor({ timeout: 15_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('enters the list at one row with Tab, moves with the arrows, Home and End, and opens a symbol with Enter', async () => {
    const symbols = (await watchlist(page)) as string[];
    expect(symbols.length).toBeGreaterThanOrEqual(4);
    const shown = await activePanelTitle(page);
    // Each row is announced as its symbol, last price, change in price and percent, and volume.
    for (const symbol of symbols) {
      const name = new RegExp(`^${symbol} last [\\d.,]+ change [-+]?[\\d.,]+ [-+]?[\\d.,]+% volume [\\d.,]+[KMB]?$`);
      await expect.poll(() => page.locator('.watchlist ul').getByRole('button', { name }).count()).toBe(1);
    }
    // One tab stop for the whole list: the row on the chart. Tab goes from the last sort button to it.
    await page.locator('.watch-header button').last().focus();
    await page.keyboard.press('Tab');
    await expect.poll(() => focusedRow(page)).toBe(shown);
    expect(symbols.indexOf(shown!)).toBe(0);

    await page.keyboard.press('ArrowDown');
    await expect.poll(() => focusedRow(page)).toBe(symbols[1]);
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => focusedRow(page)).toBe(symbols[2]);
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => focusedRow(page)).toBe(symbols[1]);
    await page.keyboard.press('End');
    await expect.poll(() => focusedRow(page)).toBe(symbols.at(-1));
    await page.keyboard.press('ArrowDown'); // stays on the last row
    await expect.poll(() => focusedRow(page)).toBe(symbols.at(-1));
    await page.keyboard.press('Home');
    await expect.poll(() => focusedRow(page)).toBe(symbols[0]);
    await page.keyboard.press('ArrowUp'); // stays on the first row
    await expect.poll(() => focusedRow(page)).toBe(symbols[0]);

    // The focused row shows a focus ring, and the row under it is marked.
    const ring = await page
      .locator(`.watchlist li[data-symbol="${symbols[0]}"] > button.symbol`)
      .evaluate((b) => ({ style: getComputedStyle(b).outlineStyle, width: getComputedStyle(b).outlineWidth }));
    expect(ring.style).not.toBe('none');
    expect(parseFloat(ring.width)).toBeGreaterThanOrEqual(2);

    // Enter shows the focused symbol in the active chart panel, as a click does; the focus stays.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => focusedRow(page)).toBe(symbols[2]);
    await page.keyboard.press('Enter');
    await expect.poll(() => activePanelTitle(page)).toBe(symbols[2]);
    await expect.poll(() => page.locator('.watchlist li.selected').getAttribute('data-symbol')).toBe(symbols[2]);
    expect(await focusedRow(page)).toBe(symbols[2]);

    // The row keeps the list's one tab stop: Tab reaches its remove button, then leaves the list.
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe(`Remove ${symbols[2]}`);
    await page.keyboard.press('Tab');
    expect(
      await page.evaluate(() => document.activeElement?.closest('.watchlist ul') === null),
      'Tab leaves the list after the row’s own controls',
    ).toBe(true);
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await expect.poll(() => focusedRow(page)).toBe(symbols[2]);
  });

  it('moves the focused row down and up the saved order with Alt and an arrow, the focus staying on it', async () => {
    const symbols = (await watchlist(page)) as string[];
    const [first, second, third] = symbols;
    await page.locator(`.watchlist li[data-symbol="${first}"] > button.symbol`).focus();
    await page.keyboard.press('Alt+ArrowDown');
    await expect.poll(() => watchlist(page)).toEqual([second, first, ...symbols.slice(2)]);
    await expect.poll(() => focusedRow(page)).toBe(first);
    await page.keyboard.press('Alt+ArrowDown');
    await expect.poll(() => watchlist(page)).toEqual([second, third, first, ...symbols.slice(3)]);
    await expect.poll(() => focusedRow(page)).toBe(first);
    // The order is the engine's: a reloaded page lists it so.
    await page.reload();
    await expect.poll(() => watchlist(page)).toEqual([second, third, first, ...symbols.slice(3)]);
    await page.locator(`.watchlist li[data-symbol="${first}"] > button.symbol`).focus();
    // Pressed twice before the engine answers the first (as a held key repeats): each press moves
    // the row on from where the one before put it.
    await page.evaluate(() => {
      const press = () =>
        document.activeElement!.dispatchEvent(
          new KeyboardEvent('keydown', { key: 'ArrowUp', code: 'ArrowUp', altKey: true, bubbles: true }),
        );
      press();
      press();
    });
    await expect.poll(() => watchlist(page)).toEqual(symbols);
    await expect.poll(() => focusedRow(page)).toBe(first);
    await page.keyboard.press('Alt+ArrowUp'); // the first row stays first
    await expect.poll(() => watchlist(page)).toEqual(symbols);
  });

  it('moves the active chart panel back and on with Alt+Shift and an arrow, keeping it active', async () => {
    const titles = () => page.locator('.panel-cell .chart-panel h2').allTextContents();
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    while ((await titles()).length < 3) await page.keyboard.press('Alt+N');
    await expect.poll(async () => (await titles()).length).toBe(3);
    const [a, b, c] = await titles();
    // The panel added last is the active one, at the end.
    expect(await activePanelTitle(page)).toBe(c);
    await page.keyboard.press('Alt+Shift+ArrowLeft');
    await expect.poll(titles).toEqual([a, c, b]);
    await page.keyboard.press('Alt+Shift+ArrowLeft');
    await expect.poll(titles).toEqual([c, a, b]);
    await page.keyboard.press('Alt+Shift+ArrowLeft'); // the first stays first
    await expect.poll(titles).toEqual([c, a, b]);
    expect(await activePanelTitle(page)).toBe(c);
    await page.keyboard.press('Alt+Shift+ArrowRight');
    await expect.poll(titles).toEqual([a, c, b]);
    // Without Shift, Alt and an arrow still only moves which panel is active.
    await page.keyboard.press('Alt+ArrowRight');
    await expect.poll(() => activePanelTitle(page)).toBe(b);
    await expect.poll(titles).toEqual([a, c, b]);
  });

  it('removes the focused row with Delete or Backspace and moves the focus to the next row', async () => {
    const symbols = (await watchlist(page)) as string[];
    await page.locator(`.watchlist li[data-symbol="${symbols[1]}"] > button.symbol`).focus();
    await page.keyboard.press('Delete');
    await expect.poll(() => watchlist(page)).toEqual(symbols.filter((s) => s !== symbols[1]));
    await expect.poll(() => focusedRow(page)).toBe(symbols[2]);

    // The last row's removal moves the focus up to the row before it.
    await page.keyboard.press('End');
    await expect.poll(() => focusedRow(page)).toBe(symbols.at(-1));
    await page.keyboard.press('Backspace');
    await expect.poll(() => watchlist(page)).toEqual(symbols.filter((s) => s !== symbols[1] && s !== symbols.at(-1)));
    await expect.poll(() => focusedRow(page)).toBe(symbols.at(-2));

    // Removing with the row's remove button from the keyboard hands the focus on in the same way.
    const left = (await watchlist(page)) as string[];
    await page.locator(`.watchlist li[data-symbol="${left[0]}"] > button.symbol`).focus();
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe(`Remove ${left[0]}`);
    await page.keyboard.press('Enter');
    await expect.poll(() => watchlist(page)).toEqual(left.slice(1));
    await expect.poll(() => focusedRow(page)).toBe(left[1]);
  });

  it('reaches every control of a chart panel’s header with Tab, each with a visible focus ring', async () => {
    const header = page.locator('.panel-cell.active .chart-header');
    // What the keyboard can reach: enabled, and not inside a closed disclosure (a disabled Compare
    // when nothing else is on the watchlist is skipped, as Tab skips it).
    const reachable = 'button:not(:disabled), select:not(:disabled), summary, input:not(:disabled)';
    const controls = await header
      .locator(reachable)
      .evaluateAll((els) =>
        els
          .filter((e) => e.checkVisibility({ visibilityProperty: true }))
          .map((e) => e.getAttribute('aria-label') ?? e.textContent!.trim()),
      );
    const symbol = await activePanelTitle(page);
    expect(controls).toEqual(
      expect.arrayContaining([
        '1m',
        '1d',
        'Indicators',
        `Draw on ${symbol}`,
        '✎ 0 drawings',
        `Symbol of the ${symbol} panel`,
        `Widen the ${symbol} panel`,
      ]),
    );
    await header.locator(reachable).first().focus();
    const seen: string[] = [];
    for (let i = 0; i < controls.length; i++) {
      if (i > 0) await page.keyboard.press('Tab');
      const state = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        const style = getComputedStyle(el);
        return {
          name: el.getAttribute('aria-label') ?? el.textContent!.trim(),
          inHeader: el.closest('.panel-cell.active .chart-header') !== null,
          outline: style.outlineStyle,
          width: parseFloat(style.outlineWidth),
        };
      });
      expect(state.inHeader, `Tab ${i} stays in the panel header`).toBe(true);
      expect(state.outline, `${state.name} shows its focus`).not.toBe('none');
      // The app's 2 px ring, not Chromium's own 1 px one (which a page style could hide).
      expect(state.width, `${state.name} shows its focus`).toBeGreaterThanOrEqual(2);
      // In a small panel the controls float over the chart, shown while one of them has the focus.
      await expect
        .poll(
          () =>
            page.evaluate(() => {
              const c = document.activeElement?.closest('.panel-controls');
              return c ? getComputedStyle(c).opacity : '1';
            }),
          { message: `${state.name} is shown` },
        )
        .toBe('1');
      seen.push(state.name);
    }
    expect(seen).toEqual(controls);
  });
});
