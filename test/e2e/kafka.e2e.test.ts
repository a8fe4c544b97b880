// The Kafka settings and the Pipeline view's Kafka card, in a real Chromium against a real broker:
// test connection, switch the running app to Kafka, and watch an outage come and go.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.ts';
import { startHeadlessApp, type RunningApp } from '../support/headless-app.ts';
import { KAFKA_SKIP_REASON, restartTestKafka, startTestKafka, type TestKafka } from '../support/kafka.ts';

const SHOTS = path.resolve(import.meta.dirname, '..', '..', 'test-results');

describe.skipIf(KAFKA_SKIP_REASON !== null)(
  `Kafka in the UI${KAFKA_SKIP_REASON ? ` (skipped: ${KAFKA_SKIP_REASON})` : ''}`,
  { timeout: 180_000 },
  () => {
    let broker: TestKafka;
    let app: RunningApp;
    let browser: Browser;
    let page: Page;
    let viewer: RunningApp | undefined;

    beforeAll(async () => {
      fs.mkdirSync(SHOTS, { recursive: true });
      [broker, app, browser] = await Promise.all([
        startTestKafka().then((b) => b!),
        startHeadlessApp(['--rate', '200']),
        launchChromium(),
      ]);
      page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' });
      await page.goto(app.url);
      await page.getByRole('button', { name: 'Settings' }).click();
      await page.getByLabel('Bus').waitFor({ timeout: 15_000 });
    }, 180_000);

    afterAll(async () => {
      await browser?.close();
      await viewer?.stop();
      await app?.stop();
      await broker?.cleanup();
    }, 60_000);

    it('tests the connection: a clear error for a closed port, the cluster for a real broker', async () => {
      await page.getByLabel('Bus').selectOption('kafka');
      await page.getByLabel('Brokers').fill('127.0.0.1:1');
      await page.getByRole('button', { name: 'Test Kafka connection' }).click();
      await expect
        .poll(() => page.getByTestId('kafka-test').textContent(), { timeout: 20_000 })
        .toMatch(/Could not reach Kafka at 127\.0\.0\.1:1/);

      await page.getByLabel('Brokers').fill(broker.brokers[0]!);
      await page.getByRole('button', { name: 'Test Kafka connection' }).click();
      await expect
        .poll(() => page.getByTestId('kafka-test').textContent(), { timeout: 20_000 })
        .toMatch(new RegExp(`Connected in \\d+ ms: 1 broker \\(${broker.brokers[0]!.replace('.', '\\.')}`));
      await page.screenshot({ path: path.join(SHOTS, 'e2e-kafka-settings.png'), fullPage: true });
    });

    it('refuses a malformed broker next to its field', async () => {
      await page.getByLabel('Brokers').fill('localhost');
      await page.getByRole('button', { name: 'Save' }).click();
      await expect
        .poll(() => page.locator('.field-error').allTextContents())
        .toEqual(expect.arrayContaining([expect.stringMatching(/a broker is host:port/)]));
    });

    it('switches the running app to Kafka and shows the broker, the group and an outage on the Pipeline view', async () => {
      await page.getByLabel('Brokers').fill(broker.brokers[0]!);
      await page.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => page.locator('.toast').allTextContents()).toContain('Settings saved');

      await page.getByRole('button', { name: 'Pipeline' }).click();
      const bus = page.getByTestId('pipeline-bus');
      const kafka = page.getByTestId('pipeline-kafka');
      await expect.poll(() => bus.textContent(), { timeout: 30_000 }).toMatch(/kafka · connected/);
      await expect.poll(() => kafka.textContent(), { timeout: 30_000 }).toMatch(/Group market-monitor-[0-9a-f]{8}/);
      expect(await kafka.textContent()).toContain(broker.brokers[0]!);
      await expect.poll(() => page.getByTestId('partitions').locator('tbody tr').count(), { timeout: 30_000 }).toBe(4);
      await page.screenshot({ path: path.join(SHOTS, 'e2e-kafka-pipeline.png'), fullPage: true });

      await broker.stop();
      await expect.poll(() => bus.textContent(), { timeout: 30_000 }).toMatch(/kafka · disconnected/);
      await expect
        .poll(async () => Number((await bus.textContent())?.match(/Buffer ([\d,]+)/)?.[1]?.replace(/,/g, '')), {
          timeout: 30_000,
        })
        .toBeGreaterThan(0);
      await page.screenshot({ path: path.join(SHOTS, 'e2e-kafka-outage.png'), fullPage: true });

      broker = await restartTestKafka(broker);
      await expect.poll(() => bus.textContent(), { timeout: 60_000 }).toMatch(/kafka · connected/);
      await expect.poll(() => bus.textContent(), { timeout: 60_000 }).toMatch(/Buffer 0 \//);
    });

    it('publishes candles when Settings say so, and a second app set to Viewer in its Settings shows them exactly', async () => {
      await page.getByRole('button', { name: 'Settings' }).click();
      await page.getByLabel('Publish candles for viewers').check();
      await page.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => page.locator('.toast').allTextContents()).toContain('Settings saved');

      viewer = await startHeadlessApp(['--rate', '200']);
      const other = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' });
      await other.goto(viewer.url);
      await other.getByRole('button', { name: 'Settings' }).click();
      await other.getByLabel('Bus').selectOption('kafka');
      await other.getByLabel('Brokers').fill(broker.brokers[0]!);
      await other.getByLabel('App mode').selectOption('viewer');
      await other.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => other.locator('.toast').allTextContents()).toContain('Settings saved');
      await expect
        .poll(() => other.getByTestId('status-viewer').textContent(), { timeout: 30_000 })
        .toMatch(/Viewer mode · 6 candle topics/);
      const since = Date.now();

      // Every finished one-second candle the engine stored since, the viewer holds the same.
      const read = (dbPath: string, to: number) => {
        const db = new Database(dbPath, { readonly: true });
        try {
          return db
            .prepare(
              `SELECT symbol, start, open, high, low, close, volume, trades FROM candles
               WHERE interval = '1s' AND start > ? AND start < ? ORDER BY symbol, start`,
            )
            .all(since + 1_000, to);
        } finally {
          db.close();
        }
      };
      await expect.poll(() => read(app.dbPath, Date.now() - 3_000).length, { timeout: 30_000 }).toBeGreaterThan(10);
      const until = Date.now() - 3_000;
      // The engine may still be working through the backlog of the outage above: its windows before
      // `until` are final once it stored a later second of every symbol (each symbol is one partition).
      const caughtUp = () => {
        const db = new Database(app.dbPath, { readonly: true });
        try {
          const newest = db
            .prepare(`SELECT max(start) AS newest FROM candles WHERE interval = '1s' GROUP BY symbol`)
            .all() as Array<{ newest: number }>;
          return newest.filter((row) => row.newest > until + 1_000).length;
        } finally {
          db.close();
        }
      };
      await expect.poll(caughtUp, { timeout: 30_000 }).toBe(4);
      const engine = read(app.dbPath, until);
      // Every symbol: after the outage above, a consumer kafkajs restarted behind a closed bus once
      // kept some partitions, storing their candles without publishing them.
      expect(new Set(engine.map((c) => (c as { symbol: string }).symbol)).size).toBe(4);
      await expect.poll(() => read(viewer!.dbPath, until), { timeout: 30_000 }).toEqual(engine);
      await other.screenshot({ path: path.join(SHOTS, 'e2e-kafka-viewer.png') });
      await other.close();
    });
  },
);
