// The InfluxDB mirror as a user meets it, in a real Chromium against a real InfluxDB 1.x: fill the
// settings, test the connection, save, and watch the Pipeline card while the server goes away and
// comes back; the ticks the app stored in SQLite are in InfluxDB.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import { startHeadlessHost, type HeadlessHost } from '../../main/headless/server.ts';
import { rendererDir } from '../../main/paths.ts';
import { launchChromium } from '../support/chromium.ts';
import { INFLUX_SKIP_REASON, influxSink, startTestInflux, type TestInflux } from '../support/influx.ts';

const SHOTS = path.resolve(import.meta.dirname, '..', '..', 'test-results');
/** `npm test` builds the renderer into dist/renderer first; a run of this file alone may point elsewhere. */
const STATIC_DIR = process.env.MARKET_MONITOR_RENDERER_DIR ?? rendererDir();

describe.skipIf(INFLUX_SKIP_REASON !== null)(
  `InfluxDB mirror in the UI${INFLUX_SKIP_REASON ? ` (skipped: ${INFLUX_SKIP_REASON})` : ''}`,
  { timeout: 60_000 },
  () => {
    let influx: TestInflux;
    let app: MarketMonitor;
    let host: HeadlessHost;
    let browser: Browser;
    let page: Page;
    let dir: string;

    const mirrorCard = () => page.getByTestId('pipeline-sink-influx').textContent();

    beforeAll(async () => {
      fs.mkdirSync(SHOTS, { recursive: true });
      influx = await startTestInflux();
      await influx.query('CREATE DATABASE e2e');
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-e2e-influx-'));
      app = await MarketMonitor.open({
        dbPath: path.join(dir, 'market-monitor.db'),
        starterSymbols: ['AAPL', 'MSFT'],
        overrides: { source: { kind: 'simulator', simulator: { ticksPerSecond: 50 } } },
      });
      host = await startHeadlessHost({ app, port: 0, host: '127.0.0.1', staticDir: STATIC_DIR });
      browser = await launchChromium();
      page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
      await page.goto(host.url);
    });

    afterAll(async () => {
      await browser?.close();
      await host?.close();
      await app?.close();
      await influx?.cleanup();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it('shows the mirror as off until it is enabled', async () => {
      await page.getByRole('button', { name: 'Pipeline' }).click();
      await expect.poll(mirrorCard, { timeout: 15_000 }).toMatch(/InfluxDB mirror\s*off/);
    });

    it('tests the connection from the settings and names what answered, or what is missing', async () => {
      await page.getByRole('button', { name: 'Settings' }).click();
      await page.getByLabel('Mirror to InfluxDB').check();
      await page.getByLabel('Address', { exact: true }).fill(influx.url);
      await page.getByLabel('Database', { exact: true }).fill('missing_db');
      await page.getByRole('button', { name: 'Test InfluxDB connection' }).click();
      await expect
        .poll(() => page.getByTestId('influx-test').textContent())
        .toMatch(/^InfluxDB 1\.\S+ answered, but has no database "missing_db"/);

      await page.getByLabel('Database', { exact: true }).fill('e2e');
      await page.getByRole('button', { name: 'Test InfluxDB connection' }).click();
      await expect
        .poll(() => page.getByTestId('influx-test').textContent())
        .toMatch(/^InfluxDB 1\.\S+ answered; database "e2e" is there$/);
    });

    it('saves, mirrors what the app stores, and shows the outage and the recovery on the Pipeline card', async () => {
      await page.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => page.locator('.toast').allTextContents()).toContain('Settings saved');
      expect(app.settings.influx).toMatchObject({ enabled: true, url: influx.url, db: 'e2e' });

      await page.getByRole('button', { name: 'Pipeline' }).click();
      await expect.poll(mirrorCard, { timeout: 15_000 }).toMatch(/ok.*InfluxDB 1\.x .* e2e.*[1-9][\d,]* written/);

      await influx.stop();
      await expect.poll(mirrorCard, { timeout: 15_000 }).toMatch(/(retrying|failing).*did not answer/);
      await page
        .getByTestId('pipeline-sink-influx')
        .screenshot({ path: path.join(SHOTS, 'e2e-influx-mirror-failing.png') });
      await influx.start();
      // Back to ok, and the outage's error is not shown as if it were current.
      await expect.poll(mirrorCard, { timeout: 30_000 }).toMatch(/^InfluxDB mirror\s*ok(?!.*did not answer)/);
      await page.getByTestId('pipeline-sink-influx').screenshot({ path: path.join(SHOTS, 'e2e-influx-mirror-ok.png') });

      app.setPaused(true);
      await app.drain();
      // The last lines wait for the mirror's next flush (every second by default), spilled ones
      // for their replay: the default one-second poll could end just before either.
      await expect
        .poll(
          () => {
            const m = influxSink(app.status())!;
            return m.buffered + m.spilled;
          },
          { timeout: 15_000 },
        )
        .toBe(0);
      const stored = app.db.prepare('SELECT COUNT(DISTINCT symbol || ts) FROM ticks').pluck().get() as number;
      const [count] = await influx.query('SELECT COUNT(price) FROM "stock-price-v1"', 'e2e');
      // Ticks from before the mirror was enabled are not sent; everything after is.
      expect(count!.values[0]![1]).toBeGreaterThan(0);
      expect(count!.values[0]![1]).toBeLessThanOrEqual(stored);
      expect(influxSink(app.status())).toMatchObject({ state: 'ok', dropped: 0 });
    });
  },
);
