// The Portfolio view in a real Chromium over a real SQLite file: lots added through the form (one
// short, one in euros valued through EURUSD=X), the figures checked against valuePortfolio over the
// same data, a mapped CSV imported, a bad row refused with nothing changed, and the export.
import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDate, valuePortfolio, type PortfolioSummary } from '../../engine/domain/portfolio.ts';
import { recordValueWhenNamed } from '../support/form-naming.ts';
import { PORTFOLIO_MARKET, seedPortfolioMarket, seededQuotes } from '../support/portfolio-market.ts';
import { startSeededChartApp, type SeededChartApp } from '../support/seeded-chart-app.ts';

const RATES = new Map([['EURUSD=X', PORTFOLIO_MARKET['EURUSD=X']!.closes.at(-1)!]]);

/** A figure as the page shows it ("+1,234.50", "−", "12.30%"), as a number. */
const figure = (text: string | null) => Number((text ?? '').replace(/[,%\s+]/g, '').replace('−', '-'));

describe('the Portfolio view', () => {
  let seeded: SeededChartApp;
  let page: Page;

  beforeAll(async () => {
    seeded = await startSeededChartApp({}, (db) => seedPortfolioMarket(db));
    page = seeded.page;
    await page.addInitScript(() => localStorage.setItem('market-monitor.view', 'portfolio'));
    await page.goto(seeded.host.url);
  });

  afterAll(async () => {
    await seeded?.stop();
  });

  const field = (name: string) => page.getByLabel(`Lot ${name}`, { exact: true });
  const errorAt = (name: string) =>
    page.locator('form[aria-label="Add a lot"] label', { has: field(name) }).locator('.field-error');
  const row = (account: string, symbol: string) =>
    page.locator(`[data-testid="positions"] tbody[data-account="${account}"] tr[data-symbol="${symbol}"]`);
  const expected = (): PortfolioSummary =>
    valuePortfolio(
      seeded.app.portfolio.lots().map(({ id: _id, ...lot }) => lot),
      seededQuotes(),
      RATES,
      'USD',
      localDate(Date.now()),
    );

  async function addLot(lot: { account: string; symbol: string; quantity: string; price: string; fees?: string }) {
    await field('account').fill(lot.account);
    await field('symbol').fill(lot.symbol);
    await field('quantity').fill(lot.quantity);
    await field('price').fill(lot.price);
    await field('trade date').fill('2024-01-02');
    await field('fees').fill(lot.fees ?? '');
    const count = seeded.app.portfolio.lots().length;
    await page.getByRole('button', { name: 'Add lot' }).click();
    await expect.poll(() => seeded.app.portfolio.lots().length).toBe(count + 1);
  }

  it('tells a new user what to do', async () => {
    const empty = page.getByTestId('portfolio-empty');
    await expect.poll(() => empty.textContent()).toContain('No positions yet');
    expect(await empty.textContent()).toContain('EURUSD=X');
    await page.screenshot({ path: '/tmp/portfolio-empty.png' });
  });

  it('shows what the engine refuses at the field, and adds nothing', async () => {
    await field('symbol').fill('AAPL');
    await field('quantity').fill('ten');
    await field('price').fill('150');
    await page.getByRole('button', { name: 'Add lot' }).click();
    await expect.poll(() => errorAt('quantity').textContent()).toBe('must be a number');
    await field('quantity').fill('0');
    await page.getByRole('button', { name: 'Add lot' }).click();
    await expect.poll(() => errorAt('quantity').textContent()).toBe('The quantity cannot be 0');
    await field('price').fill('-3');
    await field('quantity').fill('1');
    await page.getByRole('button', { name: 'Add lot' }).click();
    await expect.poll(() => errorAt('price').textContent()).toBe('The price cannot be negative');
    expect(await errorAt('quantity').textContent()).toBe('');
    expect(seeded.app.portfolio.lots()).toEqual([]);
  });

  it('values a long, a short and a euro listing as valuePortfolio does, P&L coloured by sign', async () => {
    await addLot({ account: 'Main', symbol: 'AAPL', quantity: '10', price: '150', fees: '1.5' });
    await addLot({ account: 'Main', symbol: 'MSFT', quantity: '-4', price: '420', fees: '2' });
    await addLot({ account: 'Europe', symbol: 'SAP.DE', quantity: '5', price: '190' });
    // The rate the euro listing needs is on the watchlist, so it streams in.
    expect(seeded.app.watchlist.symbols()).toEqual(expect.arrayContaining(['AAPL', 'MSFT', 'SAP.DE', 'EURUSD=X']));
    const want = expected();
    expect(want.unvalued).toBe(0);
    for (const p of want.positions) {
      const r = row(p.account, p.symbol);
      await expect.poll(() => r.locator('[data-col="value"]').textContent()).not.toBeNull();
      expect(figure(await r.locator('[data-col="quantity"]').textContent())).toBe(p.quantity);
      expect(figure(await r.locator('[data-col="last"]').textContent())).toBeCloseTo(p.lastPrice!, 2);
      expect(figure(await r.locator('[data-col="value"]').textContent())).toBeCloseTo(p.marketValue!, 2);
      expect(figure(await r.locator('[data-col="day"]').textContent())).toBeCloseTo(p.dayPnl!, 2);
      expect(figure(await r.locator('[data-col="total"]').textContent())).toBeCloseTo(p.totalPnl!, 2);
      expect(figure(await r.locator('[data-col="percent"]').textContent())).toBeCloseTo(p.totalPnlPercent!, 2);
      expect(figure(await r.locator('[data-col="weight"]').textContent())).toBeCloseTo(p.weight! * 100, 2);
      const cls = await r.locator('[data-col="total"]').getAttribute('class');
      expect(cls).toContain(p.totalPnl! > 0 ? 'up' : 'down');
    }
    // The short gained: MSFT fell from 420 to 405 (less the fees).
    const msft = want.positions.find((p) => p.symbol === 'MSFT')!;
    expect(msft.totalPnl).toBeCloseTo(-4 * (405 - 420) - 2, 9);
    expect(figure(await page.getByTestId('total-value').textContent())).toBeCloseTo(want.marketValue, 2);
    expect(figure(await page.getByTestId('total-day').textContent())).toBeCloseTo(want.dayPnl, 2);
    expect(figure((await page.getByTestId('total-pnl').textContent())!.split(' (')[0]!)).toBeCloseTo(want.totalPnl, 2);
    expect(await page.getByTestId('portfolio-totals').textContent()).toContain('EURUSD=X 1.1200');
    // The history chart draws the stored days.
    await expect.poll(() => page.locator('[data-testid="pnl-chart"] canvas').count()).toBeGreaterThan(0);
  });

  it('imports a CSV with a column mapping; a bad row is refused with its row and nothing changes', async () => {
    await page.getByRole('button', { name: 'Import CSV…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import lots from CSV' });
    await dialog.getByLabel('CSV text').fill('Ticker,Qty,Cost,When\nAAPL,5,170,2024-02-02\nMSFT,lots,400,2024-02-03\n');
    await dialog.getByLabel('Column for symbol').fill('Ticker');
    await dialog.getByLabel('Column for quantity').fill('Qty');
    await dialog.getByLabel('Column for price').fill('Cost');
    await dialog.getByLabel('Column for date').fill('When');
    await dialog.getByLabel('Default account').fill('Main');
    const before = seeded.app.portfolio.lots();
    await dialog.getByRole('button', { name: 'Import' }).click();
    await expect
      .poll(() => dialog.getByRole('alert').textContent())
      .toBe('Row 2 (line 3): quantity "lots": must be a number');
    expect(seeded.app.portfolio.lots()).toEqual(before);
    expect(await page.locator('[data-testid="lots"] tbody tr').count()).toBe(before.length);
    await page.screenshot({ path: '/tmp/portfolio-import.png' });

    await dialog.getByLabel('CSV text').fill('Ticker,Qty,Cost,When\nAAPL,5,170,2024-02-02\nMSFT,-1,400,2024-02-03\n');
    await dialog.getByRole('button', { name: 'Import' }).click();
    await expect.poll(() => page.locator('.portfolio-message').textContent()).toBe('Imported 2 lots');
    expect(await dialog.count()).toBe(0);
    expect(seeded.app.portfolio.lots()).toHaveLength(before.length + 2);
    await expect.poll(() => page.locator('[data-testid="lots"] tbody tr').count()).toBe(before.length + 2);
    const aapl = expected().positions.find((p) => p.symbol === 'AAPL')!;
    expect(aapl.quantity).toBe(15);
    await expect
      .poll(async () => figure(await row('Main', 'AAPL').locator('[data-col="value"]').textContent()))
      .toBeCloseTo(aapl.marketValue!, 2);
  });

  it('exports the positions as the CSV of the positions analysis', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-action="export-positions"]').click(),
    ]);
    expect(download.suggestedFilename()).toBe('positions.csv');
    const [header, ...rows] = parse(fs.readFileSync((await download.path())!, 'utf8')) as string[][];
    const want = expected();
    expect(rows.map((r) => [r[0], r[1], Number(r[2]), Number(r[8])])).toEqual(
      want.positions.map((p) => [p.account, p.symbol, p.quantity, p.marketValue]),
    );
    expect(header!.slice(0, 3)).toEqual(['account', 'symbol', 'quantity']);
    await page.screenshot({ path: '/tmp/portfolio.png' });
    await page.locator('[data-testid="lots"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/portfolio-lots.png' });
  });

  it('edits a lot in the form it was added with, and values it again', async () => {
    const lot = seeded.app.portfolio.lots().find((l) => l.symbol === 'AAPL')!;
    // What the quantity field held when the form took the lot's name: never empty, not even for a frame.
    await recordValueWhenNamed(page, 'form.lot-form', '[aria-label="Lot quantity"]', 'Edit lot');
    await page.getByRole('button', { name: new RegExp(`^Edit lot ${lot.id}:`) }).click();
    const form = page.getByRole('form', { name: `Edit lot ${lot.id}` });
    await form.waitFor();
    expect(await form.getAttribute('data-named-with')).toBe(String(lot.quantity));
    expect(await field('quantity').inputValue()).toBe(String(lot.quantity));
    expect(await field('price').inputValue()).toBe(String(lot.price));
    await field('quantity').fill('0');
    await form.getByRole('button', { name: 'Save lot' }).click();
    await expect
      .poll(() =>
        form
          .locator('label', { has: field('quantity') })
          .locator('.field-error')
          .textContent(),
      )
      .toBe('The quantity cannot be 0');
    expect(seeded.app.portfolio.lots().find((l) => l.id === lot.id)!.quantity).toBe(lot.quantity);

    await field('quantity').fill('12');
    await form.getByRole('button', { name: 'Save lot' }).click();
    await page.getByRole('form', { name: 'Add a lot' }).waitFor();
    expect(seeded.app.portfolio.lots().find((l) => l.id === lot.id)).toMatchObject({ ...lot, quantity: 12 });
    const want = expected().positions.find((p) => p.symbol === 'AAPL' && p.account === lot.account)!;
    await expect
      .poll(async () => figure(await row(lot.account, 'AAPL').locator('[data-col="value"]').textContent()))
      .toBeCloseTo(want.marketValue!, 2);
  });

  it('removes a lot', async () => {
    const lot = seeded.app.portfolio.lots().find((l) => l.symbol === 'MSFT' && l.quantity === -1)!;
    await page.getByRole('button', { name: new RegExp(`^Remove lot ${lot.id}:`) }).click();
    await expect.poll(() => seeded.app.portfolio.lots().some((l) => l.id === lot.id)).toBe(false);
    await expect.poll(() => page.locator(`[data-lot="${lot.id}"]`).count()).toBe(0);
    await expect
      .poll(async () => figure(await row('Main', 'MSFT').locator('[data-col="quantity"]').textContent()))
      .toBe(-4);
  });
});
