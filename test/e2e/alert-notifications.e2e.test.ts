import path from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.ts';

/** The hook's page bundled for the browser: React and the renderer's own module, nothing stubbed but the client. */
async function pageScript(): Promise<string> {
  const out = await build({
    entryPoints: [path.join(import.meta.dirname, '..', 'support', 'pages', 'alert-notifications-page.tsx')],
    bundle: true,
    write: false,
    format: 'iife',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"development"' },
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

describe('useAlertNotifications', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium();
    page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.setContent('<div id="root"></div>');
    await page.addScriptTag({ content: await pageScript() });
    expect(errors).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('hands each alert to the callback of the latest render, on one subscription', async () => {
    await page.evaluate(() => window.alertHook.render('first'));
    await expect.poll(() => page.evaluate(() => window.alertHook.subscriptions())).toBe(1);
    // The parent re-renders with a new callback (App passes an inline one), e.g. after its state changed.
    await page.evaluate(() => window.alertHook.render('second'));
    await page.evaluate(() => window.alertHook.fire('ACME trades above 1'));

    expect(await page.evaluate(() => window.alertHook.received)).toEqual(['second: ACME trades above 1']);
    expect(await page.evaluate(() => window.alertHook.subscriptions())).toBe(1);
  });
});
