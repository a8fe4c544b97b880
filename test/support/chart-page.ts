import type { Page } from 'playwright-core';

/** Opens the app on the chart view with one panel of `symbol` at `interval`, as a saved layout would. */
export async function openOnePanel(page: Page, url: string, symbol: string, interval = '1m'): Promise<void> {
  const layout = { columns: 1, active: 'p0', panels: [{ id: 'p0', symbol, interval, wide: false }] };
  await page.addInitScript((saved: string) => {
    localStorage.setItem('market-monitor.layout', saved);
    localStorage.setItem('market-monitor.view', 'chart');
  }, JSON.stringify(layout));
  await page.goto(url);
}
