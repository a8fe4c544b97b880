// The watchlist as a user sees a Yahoo symbol's feed, in a real Chromium: streaming, then polling
// when the stream fails, then streaming again, each row saying which and how old its data is.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import { Backoff } from '../../engine/base/backoff.ts';
import { yahooClientFactory } from '../../engine/sources/yahoo/yahoo-client.ts';
import { startHeadlessHost, type HeadlessHost } from '../../main/headless/server.ts';
import { rendererDir } from '../../main/paths.ts';
import { launchChromium } from '../support/chromium.ts';
import { createFixtureFetch } from '../support/yahoo-fixtures.ts';
import { FakeStreamer, REAL_FRAMES, realFrameAt } from '../yahoo/stream-helpers.ts';

const SHOTS = path.resolve(import.meta.dirname, '..', '..', 'test-results');
const STATIC_DIR = process.env.MARKET_MONITOR_RENDERER_DIR ?? rendererDir();
/** The recorded BTC-USD quote's day volume. */
const QUOTE_VOLUME = 21228961792;

describe('a Yahoo symbol switching between streaming and polling in the watchlist', () => {
  let dir: string;
  let streamer: FakeStreamer;
  let app: MarketMonitor;
  let host: HeadlessHost;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-e2e-stream-'));
    streamer = await FakeStreamer.start();
    app = await MarketMonitor.open({
      dbPath: path.join(dir, 'market-monitor.db'),
      overrides: { source: { kind: 'yahoo' } },
      starterSymbols: ['BTC-USD'],
      yahooClient: yahooClientFactory({ fetch: createFixtureFetch().fetch, timeoutMs: 1_000 }),
      yahooStream: { url: streamer.url, backoff: new Backoff({ baseMs: 200, maxMs: 400, random: () => 0 }) },
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
    await streamer?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const feedCell = () => page.locator('.watchlist li[data-symbol="BTC-USD"] .col-feed');

  it('shows the stream, the poll with its reason when the socket fails, and the stream again', async () => {
    await expect.poll(() => streamer.subscribed().join(), { timeout: 15_000 }).toBe('BTC-USD');
    streamer.send(realFrameAt(REAL_FRAMES.btcUsd, { time: Date.now(), dayVolume: QUOTE_VOLUME + 500, price: 96100 }));
    await expect.poll(() => feedCell().getAttribute('data-mode'), { timeout: 15_000 }).toBe('streaming');
    await expect.poll(() => feedCell().textContent()).toMatch(/^Yahoo stream · \d+ s$/);
    await expect.poll(() => page.getByTestId('status-source').textContent()).toBe('Source: yahoo · live · streaming');
    await expect
      .poll(() => page.locator('.watchlist li[data-symbol="BTC-USD"] .col-last').textContent())
      .toBe('96,100.00');
    await page.screenshot({ path: path.join(SHOTS, 'watchlist-streaming-page.png') });

    streamer.refuse(true);
    streamer.dropAll();
    // Between refused attempts the stream is briefly "connecting": wait for the row to say "down".
    await expect.poll(() => feedCell().getAttribute('title'), { timeout: 15_000 }).toMatch(/polling \(stream down: /);
    expect(await feedCell().getAttribute('data-mode')).toBe('polling');
    expect(await feedCell().textContent()).toMatch(/^Yahoo poll · \d+ s/);
    await expect.poll(() => page.getByTestId('status-source').textContent()).toBe('Source: yahoo · live · polling');
    expect(await page.getByTestId('status-source').getAttribute('title')).toMatch(/^Polling \(stream down: /);
    await page.screenshot({ path: path.join(SHOTS, 'watchlist-polling-page.png') });

    streamer.refuse(false);
    await expect.poll(() => feedCell().getAttribute('data-mode'), { timeout: 15_000 }).toBe('streaming');
    expect(await feedCell().getAttribute('title')).not.toMatch(/stream down/);
  });
});

describe('a stale Yahoo price in the watchlist', () => {
  let dir: string;
  let streamer: FakeStreamer;
  let app: MarketMonitor;
  let host: HeadlessHost;
  let browser: Browser;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-e2e-stale-'));
    streamer = await FakeStreamer.start();
    app = await MarketMonitor.open({
      dbPath: path.join(dir, 'market-monitor.db'),
      overrides: { source: { kind: 'yahoo' } },
      // Recorded after the close: Yahoo says CLOSED for both.
      starterSymbols: ['AAPL', 'BABA'],
      yahooClient: yahooClientFactory({ fetch: createFixtureFetch().fetch, timeoutMs: 1_000 }),
      yahooStream: { url: streamer.url },
      statusEveryMs: 100,
    });
    host = await startHeadlessHost({ app, port: 0, host: '127.0.0.1', staticDir: STATIC_DIR });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await app?.close();
    await streamer?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const scheme of ['dark', 'light'] as const) {
    it(`marks a closed market's price as stale and says why (${scheme})`, async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 760 }, colorScheme: scheme });
      await page.goto(host.url);
      const row = page.locator('.watchlist li[data-symbol="AAPL"]');
      await expect
        .poll(() => row.locator('.col-feed').getAttribute('data-stale'), { timeout: 15_000 })
        .toBe('market-closed');
      expect(await row.locator('.col-feed').textContent()).toMatch(/^Yahoo stream · .+ · market closed$/);
      expect(await row.locator('.col-feed').getAttribute('title')).toMatch(/stale: market closed \(closed\)/);
      // The price itself is marked: dimmed and slanted, not passing for a live one.
      const style = await row.locator('.col-last').evaluate((el) => {
        const s = getComputedStyle(el);
        return { opacity: s.opacity, fontStyle: s.fontStyle };
      });
      expect(style).toEqual({ opacity: '0.6', fontStyle: 'italic' });
      await page.locator('.watchlist').screenshot({ path: path.join(SHOTS, `watchlist-stale-${scheme}.png`) });
      await page.close();
    });
  }
});
