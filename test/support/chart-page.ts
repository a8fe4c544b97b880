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

/**
 * The coloured bars of the volume pane, read from its canvases: for every pixel column, how many
 * pixels are green (a rising bar) and how many red (a falling one).
 */
export async function volumeColumns(page: Page, symbol: string): Promise<{ green: number[]; red: number[] }> {
  return page.evaluate((symbol) => {
    const chart = document.querySelector(`section[aria-label="${symbol} chart"] [data-testid="chart"]`)!;
    const canvases = [...chart.querySelectorAll('canvas')].filter((c) => c.getBoundingClientRect().width > 200);
    // Pane canvases come in pairs (drawing, crosshair) per pane, top to bottom: the second pane is volume.
    const tops = [...new Set(canvases.map((c) => Math.round(c.getBoundingClientRect().top)))].sort((a, b) => a - b);
    const pane = canvases.filter((c) => Math.round(c.getBoundingClientRect().top) === tops[1]);
    const green: number[] = [];
    const red: number[] = [];
    for (const canvas of pane) {
      const { data, width, height } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      for (let x = 0; x < width; x++) {
        let g = 0;
        let r = 0;
        for (let y = 0; y < height; y++) {
          const at = (y * width + x) * 4;
          const [R, G] = [data[at]!, data[at + 1]!];
          if (G > R + 30) g++;
          else if (R > G + 30) r++;
        }
        if (g > 0) green.push(g);
        if (r > 0) red.push(r);
      }
    }
    return { green, red };
  }, symbol);
}
