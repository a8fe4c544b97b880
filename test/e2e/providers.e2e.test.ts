// A symbol's price feed chosen in the watchlist, in a real Chromium: BTC-USD moved to Coinbase's
// trade stream, AAPL to Finnhub's once the user saved a key in Settings, each row saying where its
// prices come from and why they are stale when they are.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvSecretStore } from '../../engine/app/env-secrets.ts';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import { Backoff } from '../../engine/base/backoff.ts';
import { yahooClientFactory } from '../../engine/sources/yahoo/yahoo-client.ts';
import { startHeadlessHost, type HeadlessHost } from '../../main/headless/server.ts';
import { rendererDir } from '../../main/paths.ts';
import { launchChromium } from '../support/chromium.ts';
import { createFixtureFetch } from '../support/yahoo-fixtures.ts';
import { coinbaseFrame, FakeCoinbase, FakeFinnhub, finnhubFrame } from '../trades/trade-servers.ts';

const SHOTS = path.resolve(import.meta.dirname, '..', '..', 'test-results');
const STATIC_DIR = process.env.MARKET_MONITOR_RENDERER_DIR ?? rendererDir();

describe('choosing a real-time provider per symbol in the watchlist', () => {
  let dir: string;
  let coinbase: FakeCoinbase;
  let finnhub: FakeFinnhub;
  let app: MarketMonitor;
  let host: HeadlessHost;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-e2e-providers-'));
    coinbase = await FakeCoinbase.start();
    finnhub = await FakeFinnhub.start();
    const backoff = () => new Backoff({ baseMs: 200, maxMs: 400, random: () => 0 });
    app = await MarketMonitor.open({
      dbPath: path.join(dir, 'market-monitor.db'),
      overrides: { source: { kind: 'yahoo' } },
      starterSymbols: ['BTC-USD', 'AAPL'],
      yahooClient: yahooClientFactory({ fetch: createFixtureFetch().fetch, timeoutMs: 1_000 }),
      providerFeeds: {
        coinbase: { url: coinbase.url, backoff: backoff() },
        finnhub: { url: finnhub.url, backoff: backoff() },
      },
      secrets: new EnvSecretStore({}),
      statusEveryMs: 100,
    });
    host = await startHeadlessHost({ app, port: 0, host: '127.0.0.1', staticDir: STATIC_DIR });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 760 }, colorScheme: 'dark' });
    await page.goto(host.url);
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await app?.close();
    await coinbase?.stop();
    await finnhub?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const row = (symbol: string) => page.locator(`.watchlist li[data-symbol="${symbol}"]`);

  it('moves BTC-USD to Coinbase: its trades price the row, and an outage is marked with its reason', async () => {
    const choice = page.getByRole('combobox', { name: 'Price feed for BTC-USD' });
    expect(await choice.inputValue()).toBe('');
    // Coinbase streams crypto pairs: AAPL is not offered it.
    const aaplOptions = await page
      .getByRole('combobox', { name: 'Price feed for AAPL' })
      .locator('option')
      .allTextContents();
    expect(aaplOptions).toEqual(['Yahoo', 'Finnhub']);
    await choice.selectOption('coinbase');
    await expect.poll(() => coinbase.subscribed().join(), { timeout: 15_000 }).toBe('BTC-USD');
    coinbase.send(coinbaseFrame([{ id: '1', symbol: 'BTC-USD', ts: Date.now(), price: 96_100, size: 0.5 }]));
    await expect.poll(() => row('BTC-USD').locator('.col-last').textContent(), { timeout: 15_000 }).toBe('96,100.00');
    await expect.poll(() => row('BTC-USD').locator('.col-feed').textContent()).toMatch(/^Coinbase stream · \d+ s$/);
    await page.screenshot({ path: path.join(SHOTS, 'watchlist-coinbase.png') });

    coinbase.refuse(true);
    coinbase.dropAll();
    await expect
      .poll(() => row('BTC-USD').locator('.col-feed').getAttribute('title'), { timeout: 15_000 })
      .toMatch(/stale: stream down: Coinbase answered HTTP 503/);
    expect(await row('BTC-USD').locator('.col-feed').textContent()).toMatch(/stream down$/);
    coinbase.refuse(false);
    await expect.poll(() => coinbase.subscribed().join(), { timeout: 15_000 }).toBe('BTC-USD');
  });

  it('moves AAPL to Finnhub: stale for want of a key until one is saved in Settings, then streaming', async () => {
    await page.getByRole('combobox', { name: 'Price feed for AAPL' }).selectOption('finnhub');
    await expect.poll(() => row('AAPL').locator('.col-feed').getAttribute('data-stale')).toBe('no-key');
    expect(await row('AAPL').locator('.col-feed').getAttribute('title')).toMatch(/Finnhub needs a key/);

    await page.getByRole('button', { name: 'Settings' }).click();
    const key = page.getByLabel('Finnhub key');
    await key.fill('has space');
    await page.getByRole('button', { name: 'Save key' }).click();
    await expect.poll(() => page.locator('#key-error-finnhub').textContent()).toMatch(/without spaces/);
    await key.fill(FakeFinnhub.KEY);
    await key.press('Enter');
    await expect
      .poll(() => page.locator('.provider-key .hint').first().textContent())
      .toMatch(/^Key kept: this session only/);
    expect(await key.inputValue()).toBe('');
    await page.locator('.provider-key').screenshot({ path: path.join(SHOTS, 'settings-finnhub-key.png') });
    await expect.poll(() => finnhub.subscribed().join(), { timeout: 15_000 }).toBe('AAPL');
    expect(finnhub.tokens().at(-1)).toBe(FakeFinnhub.KEY);

    finnhub.send(finnhubFrame([{ symbol: 'AAPL', ts: Date.now(), price: 190.25, size: 100 }]));
    await expect.poll(() => row('AAPL').locator('.col-last').textContent(), { timeout: 15_000 }).toBe('190.25');
    await expect.poll(() => row('AAPL').locator('.col-feed').getAttribute('data-stale')).toBe(null);
    await page.screenshot({ path: path.join(SHOTS, 'watchlist-providers-page.png') });
  });
});
