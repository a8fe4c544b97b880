/**
 * The renderer in a real Chromium (Debian's, through playwright-core) against the real headless host:
 *  - 16 live chart panels while the simulator produces 10,000 ticks/s: frame time p95 (deltas of
 *    requestAnimationFrame in the page) beside an idle page in the same browser, and tick-to-pixel
 *    latency p99 beside the transport alone (tick event time to the WebSocket message in the page);
 *  - 100,000 one-minute candles into a ChartPanel (mount to the frame that draws them) beside the raw
 *    `candles.history` call that fetches them (and `candles.list`, the same candles as objects, printed).
 * What exactly is measured, and what is not, is written down in docs/BENCHMARKS.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import type { Candle } from '../engine/domain/candle.ts';
import { openDatabase } from '../engine/store/database.ts';
import { BackfillCandles } from '../engine/store/backfill-candles.ts';
import { WatchlistRepo } from '../engine/store/watchlist-repo.ts';
import { CHROMIUM_PATH, launchChromium } from '../test/support/chromium.ts';
import { startHeadlessApp, type RunningApp } from '../test/support/headless-app.ts';
import { HISTORY_PAGE } from '../renderer/src/chart/history-page.ts';
import { result, type BenchResult } from './harness.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const DIST = path.join(ROOT, 'dist', 'renderer');
const LIVE_SYMBOLS = Array.from({ length: 16 }, (_, i) => `LIVE${String.fromCharCode(65 + i)}`);
const HISTORY_SYMBOL = 'HIST';
const HISTORY_CANDLES = 100_000;
const TICKS_PER_SECOND = 10_000;
const PANEL_INTERVAL = '1s';
const MEASURE_MS = Number(process.env.MARKET_MONITOR_RENDERER_BENCH_MS ?? 15_000);

/** Why the renderer benchmarks cannot run here, or null when they can. */
export function rendererSkipReason(): string | null {
  if (process.env.MARKET_MONITOR_SKIP_RENDERER === '1') return 'MARKET_MONITOR_SKIP_RENDERER=1';
  if (!fs.existsSync(CHROMIUM_PATH)) return `no Chromium at ${CHROMIUM_PATH} (set CHROMIUM_PATH)`;
  if (!fs.existsSync(path.join(DIST, 'index.html'))) return 'no built renderer: run `npm run build:renderer` first';
  return null;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const median = (values: readonly number[]) => percentile(values, 50);

/** A database holding the 16 live symbols on the watchlist and 100,000 one-minute candles of HIST. */
export function seedDatabase(): string {
  const dbPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mm-bench-renderer-')), 'market-monitor.db');
  const db = openDatabase(dbPath);
  const watchlist = new WatchlistRepo(db);
  for (const symbol of LIVE_SYMBOLS) watchlist.add(symbol);
  const start = Date.UTC(2024, 0, 1) - HISTORY_CANDLES * 60_000;
  let price = 100;
  const candles: Candle[] = [];
  for (let i = 0; i < HISTORY_CANDLES; i++) {
    const open = price;
    price = Math.max(1, price * (1 + Math.sin(i * 12.9898) * 0.002));
    const t = start + i * 60_000;
    const volume = 1_000 + (i % 97) * 10;
    candles.push({
      symbol: HISTORY_SYMBOL,
      interval: '1m',
      start: t,
      open,
      high: Math.max(open, price) * 1.001,
      low: Math.min(open, price) * 0.999,
      close: price,
      volume,
      turnover: volume * price,
      trades: 0,
      buyVolume: volume / 2,
      sellVolume: volume / 2,
      openTs: t,
      closeTs: t + 59_999,
    });
  }
  new BackfillCandles(db).fillMissing(candles);
  db.close();
  return dbPath;
}

/**
 * Installed before the app's own scripts: records rAF deltas, the event time of every candle the
 * WebSocket brings (keyed by symbol, start and volume: volume grows with every trade), and, when a
 * panel's legend shows such a candle, the wall clock in the next animation frame (after the chart's
 * own draw, which lightweight-charts registered earlier) for it and for every older version of that
 * symbol not drawn yet (a version overtaken within one frame is drawn by the newer one, which holds
 * its trades). Nothing is recorded until start().
 */
function instrumentLivePage(interval: string): void {
  interface Arrival {
    key: string;
    closeTs: number;
    at: number;
  }
  let recording = false;
  let frames: number[] = [];
  let transport: number[] = [];
  let toPixel: number[] = [];
  let rates: number[] = [];
  /** Per symbol, the candle versions that arrived and are not drawn yet, oldest first. */
  const arrivals = new Map<string, Arrival[]>();
  let last = 0;
  const loop = (t: number) => {
    if (recording && last > 0) frames.push(t - last);
    last = t;
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);

  const Native = window.WebSocket;
  class Spy extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (message: MessageEvent) => {
        if (!recording) return;
        const text = String(message.data);
        if (text.includes('"event":"status"')) {
          rates.push(
            (JSON.parse(text) as { payload: { engine: { ticksPerSecond: number } } }).payload.engine.ticksPerSecond,
          );
          return;
        }
        if (!text.includes('"event":"candles"')) return;
        const now = Date.now();
        const candles = (JSON.parse(text) as { payload: Array<Record<string, number | string>> }).payload;
        for (const c of candles) {
          if (c.interval !== interval) continue;
          const symbol = c.symbol as string;
          const list = arrivals.get(symbol) ?? [];
          list.push({ key: `${c.start}|${c.volume}`, closeTs: c.closeTs as number, at: now });
          while (list.length > 0 && now - list[0]!.at > 10_000) list.shift();
          arrivals.set(symbol, list);
          transport.push(now - (c.closeTs as number));
        }
      });
    }
  }
  window.WebSocket = Spy;

  let waiting: number[] = [];
  const observer = new MutationObserver((records) => {
    if (!recording) return;
    for (const record of records) {
      const legend = record.target as HTMLElement;
      const symbol = legend
        .closest('section[aria-label$=" chart"]')
        ?.getAttribute('aria-label')
        ?.replace(/ chart$/, '');
      const list = arrivals.get(symbol ?? '') ?? [];
      const at = list.findIndex((a) => a.key === `${legend.dataset.start}|${legend.dataset.volume}`);
      if (at < 0) continue;
      // This version and every older one of the symbol (whose trades it contains) are now drawn.
      const drawn = list.splice(0, at + 1);
      if (waiting.length === 0) {
        requestAnimationFrame(() => {
          const now = Date.now();
          for (const closeTs of waiting) toPixel.push(now - closeTs);
          waiting = [];
        });
      }
      for (const arrival of drawn) waiting.push(arrival.closeTs);
    }
  });
  const watch = () =>
    observer.observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-volume'] });
  if (document.body) watch();
  else document.addEventListener('DOMContentLoaded', watch);

  Object.assign(window, {
    liveBench: {
      start() {
        frames = [];
        transport = [];
        toPixel = [];
        rates = [];
        recording = true;
      },
      stop() {
        recording = false;
        return { frames, transport, toPixel, rates };
      },
    },
  });
}

interface LiveSample {
  frames: number[];
  transport: number[];
  toPixel: number[];
  rates: number[];
}

async function recordFor(page: Page, ms: number): Promise<LiveSample> {
  await page.evaluate(() => (window as unknown as { liveBench: { start(): void } }).liveBench.start());
  await page.waitForTimeout(ms);
  return page.evaluate(() => (window as unknown as { liveBench: { stop(): LiveSample } }).liveBench.stop());
}

/** The host's per-second longest event-loop stall (see `logHostLoop` in main/cli.ts) over [from, to]. */
function hostLoopMax(file: string, from: number, to: number): number {
  const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n') : [];
  const inWindow = lines
    .map((line) => line.split(' ').map(Number) as [number, number])
    // Each line covers the second before its time.
    .filter(([at]) => at > from + 1_000 && at <= to);
  return inWindow.length === 0 ? Number.NaN : Math.max(...inWindow.map(([, max]) => max));
}

async function liveBenches(browser: Browser, url: string, loopLog: string): Promise<BenchResult[]> {
  // Baseline: an idle page in the same browser while the engine ingests the same load.
  const idle = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await idle.addInitScript(instrumentLivePage, PANEL_INTERVAL);
  await idle.route(`${url}__bench-idle.html`, (route) =>
    route.fulfill({ contentType: 'text/html', body: '<!doctype html><html><body><p>idle</p></body></html>' }),
  );
  await idle.goto(`${url}__bench-idle.html`);
  const idleFrom = Date.now();
  const idleSample = await recordFor(idle, Math.min(MEASURE_MS, 5_000));
  const idleHost = hostLoopMax(loopLog, idleFrom, Date.now());
  await idle.close();

  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 }, colorScheme: 'dark' });
  const layout = {
    columns: 4,
    active: 'p0',
    panels: LIVE_SYMBOLS.map((symbol, i) => ({ id: `p${i}`, symbol, interval: PANEL_INTERVAL, wide: false })),
  };
  await page.addInitScript((saved: string) => {
    localStorage.setItem('market-monitor.layout', saved);
    localStorage.setItem('market-monitor.view', 'chart');
  }, JSON.stringify(layout));
  await page.addInitScript(instrumentLivePage, PANEL_INTERVAL);
  await page.goto(url);
  await page.locator('[data-testid="legend"][data-close]').nth(15).waitFor({ timeout: 30_000 });
  await page.waitForTimeout(2_000); // let the first full redraws and the JIT settle
  const liveFrom = Date.now();
  const live = await recordFor(page, MEASURE_MS);
  const liveHost = hostLoopMax(loopLog, liveFrom, Date.now());
  await page.close();

  const panels = LIVE_SYMBOLS.length;
  const rate = median(live.rates);
  const where = `${panels} panels, ${Math.round(rate).toLocaleString('en-US')} ticks/s`;
  console.log(
    `renderer: ${live.frames.length} frames (p99 ${percentile(live.frames, 99).toFixed(1)} ms, max ${Math.max(...live.frames).toFixed(1)} ms), ` +
      `${live.toPixel.length} drawn candle versions (p50 ${percentile(live.toPixel, 50)} ms), engine median ${Math.round(rate)} ticks/s over ${MEASURE_MS} ms`,
  );
  return [
    result(
      `renderer.frame_time_p95 (${where}; baseline idle page)`,
      percentile(live.frames, 95),
      'ms',
      percentile(idleSample.frames, 95),
    ),
    result(
      `renderer.tick_to_pixel_p99 (${where}; baseline tick to WebSocket message)`,
      percentile(live.toPixel, 99),
      'ms',
      percentile(live.transport, 99),
    ),
    result(
      `host.longest_task_serving (${where}, engine ${ENGINE_IN_HOST ? 'in the host thread' : 'in its own thread'}; baseline the host with an idle page)`,
      liveHost,
      'ms',
      idleHost,
    ),
  ];
}

/**
 * The load page is the app's own index.html, served by the host (so Chromium's local network access
 * checks see a loopback document, and the app's CSP applies), with the app's script answered by a
 * bundle of the renderer's ChartPanel and bench/renderer/load-page.tsx instead.
 */
async function loadPageBundle(): Promise<{ js: string; script: string }> {
  const out = await build({
    entryPoints: [path.join(import.meta.dirname, 'renderer', 'load-page.tsx')],
    bundle: true,
    write: false,
    format: 'esm',
    jsx: 'automatic',
    minify: true,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(fs.readFileSync(path.join(DIST, 'index.html'), 'utf8'))?.[1];
  if (!script) throw new Error('dist/renderer/index.html names no script');
  return { js: out.outputFiles[0]!.text, script };
}

async function loadBenches(browser: Browser, url: string): Promise<BenchResult[]> {
  const { js, script } = await loadPageBundle();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });
  page.on('pageerror', (error) => console.error(`renderer bench page: ${error.message}`));
  page.on(
    'console',
    (message) => message.type() === 'error' && console.error(`renderer bench page: ${message.text()}`),
  );
  await page.route(`${url}${script}`, (route) => route.fulfill({ contentType: 'text/javascript', body: js }));
  await page.goto(url);
  await page.waitForFunction(() => 'loadBench' in window);
  type LoadBench = {
    fetchOnly(s: string, n: number): Promise<{ ms: number; count: number }>;
    fetchList(s: string, n: number): Promise<{ ms: number; count: number }>;
    mountPanel(s: string, n?: number): Promise<{ ms: number; canvases: number }>;
  };
  /** One call of the page's loadBench, the way the page defines it. */
  const run = <M extends keyof LoadBench>(method: M, ...args: Parameters<LoadBench[M]>) =>
    page.evaluate(
      ([m, a]) => ((window as unknown as { loadBench: LoadBench }).loadBench[m] as (...x: unknown[]) => unknown)(...a),
      [method, args] as const,
    ) as ReturnType<LoadBench[M]>;
  const counted = async (answer: Promise<{ ms: number; count: number }>, expected: number) => {
    const { ms, count } = await answer;
    if (count !== expected) throw new Error(`expected ${expected} candles, got ${count}`);
    return ms;
  };
  const fetches: number[] = [];
  const lists: number[] = [];
  const mounts: number[] = [];
  const pageFetches: number[] = [];
  const pagedMounts: number[] = [];
  const settle = () => page.waitForTimeout(500);
  // Five rounds in steady state: the only garbage about is what the page's own loads left. The
  // candles.list comparison (100,000 candles as objects, tens of MB) comes after all of them.
  for (let i = 0; i < 5; i++) {
    await settle();
    mounts.push((await run('mountPanel', HISTORY_SYMBOL, HISTORY_CANDLES)).ms);
    await settle();
    // The panel as the app mounts it: its own newest page, the rest paged in on scrolling back.
    pagedMounts.push((await run('mountPanel', HISTORY_SYMBOL)).ms);
    pageFetches.push(await counted(run('fetchOnly', HISTORY_SYMBOL, HISTORY_PAGE), HISTORY_PAGE));
    fetches.push(await counted(run('fetchOnly', HISTORY_SYMBOL, HISTORY_CANDLES), HISTORY_CANDLES));
  }
  // Printed beside them: the same load after a forced full collection (CDP), which also drops
  // compiled code, so each of these runs nearly as cold as the page's first load.
  const cdp = await page.context().newCDPSession(page);
  const afterFullGc: number[] = [];
  for (let i = 0; i < 3; i++) {
    await cdp.send('HeapProfiler.collectGarbage');
    await settle();
    afterFullGc.push((await run('mountPanel', HISTORY_SYMBOL, HISTORY_CANDLES)).ms);
  }
  for (let i = 0; i < 5; i++)
    lists.push(await counted(run('fetchList', HISTORY_SYMBOL, HISTORY_CANDLES), HISTORY_CANDLES));
  await page.close();
  console.log(
    `renderer: 100k load runs ${mounts.map((m) => m.toFixed(0)).join(', ')} ms; candles.history runs ${fetches.map((m) => m.toFixed(0)).join(', ')} ms; ` +
      `candles.list runs ${lists.map((m) => m.toFixed(0)).join(', ')} ms (median ${median(lists).toFixed(1)}); ` +
      `panel's own page runs ${pagedMounts.map((m) => m.toFixed(0)).join(', ')} ms; ` +
      `100k load after a forced full GC ${afterFullGc.map((m) => m.toFixed(0)).join(', ')} ms`,
  );
  return [
    result(
      'renderer.load_100k_1m_candles_median (ChartPanel mount to drawn; baseline raw candles.history)',
      median(mounts),
      'ms',
      median(fetches),
    ),
    result(
      `renderer.open_panel_on_100k_candles_median (ChartPanel mount to drawn, its newest ${HISTORY_PAGE.toLocaleString('en-US')}; baseline raw candles.history of them)`,
      median(pagedMounts),
      'ms',
      median(pageFetches),
    ),
  ];
}

/** MARKET_MONITOR_BENCH_ENGINE_IN_HOST=1: the host as before the engine had its own thread, to compare. */
const ENGINE_IN_HOST = process.env.MARKET_MONITOR_BENCH_ENGINE_IN_HOST === '1';

/** Every renderer benchmark, or none (with the reason printed) where they cannot run. */
export async function rendererBenches(): Promise<BenchResult[]> {
  const skip = rendererSkipReason();
  if (skip) {
    console.log(`Renderer benchmarks skipped: ${skip}`);
    return [];
  }
  const dbPath = seedDatabase();
  const loopLog = path.join(path.dirname(dbPath), 'host-loop.log');
  let app: RunningApp | undefined;
  let browser: Browser | undefined;
  try {
    process.env.MARKET_MONITOR_HOST_LOOP_LOG = loopLog;
    app = await startHeadlessApp(
      ['--rate', String(TICKS_PER_SECOND), ...(ENGINE_IN_HOST ? ['--engine-in-host'] : [])],
      { dbPath },
    );
    delete process.env.MARKET_MONITOR_HOST_LOOP_LOG;
    browser = await launchChromium();
    const url = app.url.endsWith('/') ? app.url : `${app.url}/`;
    return [...(await liveBenches(browser, url, loopLog)), ...(await loadBenches(browser, url))];
  } finally {
    // Also when the host or the browser did not start or stop: the seeded database is 12 MB.
    delete process.env.MARKET_MONITOR_HOST_LOOP_LOG;
    await Promise.allSettled([browser?.close(), app?.stop()]);
    fs.rmSync(path.dirname(dbPath), { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { formatTable } = await import('./harness.ts');
  console.log(formatTable(await rendererBenches()));
}
