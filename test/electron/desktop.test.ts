import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import type { Status } from '../../engine/api/contract.ts';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import { aboutDialog } from '../../main/electron/about.ts';
import { connectionState } from '../../main/electron/connection-state.ts';
import { desktopPaths } from '../../main/electron/desktop-paths.ts';
import { menuTemplate, type MenuActions } from '../../main/electron/menu.ts';
import { mayOpenExternally } from '../../main/electron/policy.ts';
import { closeWithin, once } from '../../main/electron/shutdown.ts';

const actions = (): MenuActions => ({
  about: vi.fn(),
  openLogsFolder: vi.fn(),
  openDataFolder: vi.fn(),
  openChartsAttribution: vi.fn(),
});

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? flatten(item.submenu) : [])]);
}
const accelerators = (items: MenuItemConstructorOptions[]) =>
  flatten(items)
    .map((i) => i.accelerator)
    .filter((a): a is string => typeof a === 'string');

describe('native menu', () => {
  it('has the platform menus with standard accelerators on Windows and Linux', () => {
    for (const platform of ['win32', 'linux'] as const) {
      const menu = menuTemplate(platform, actions(), true);
      expect(menu.map((m) => m.label)).toEqual(['&File', '&Edit', '&View', '&Window', '&Help']);
      const items = flatten(menu);
      expect(items.find((i) => i.role === 'quit')?.accelerator).toBe('Ctrl+Q');
      expect(items.find((i) => i.role === 'togglefullscreen')?.accelerator).toBe('F11');
      expect(items.find((i) => i.role === 'copy')?.accelerator).toBe('CmdOrCtrl+C');
      expect(items.some((i) => i.label === 'About Market Monitor')).toBe(true);
    }
  });

  it('follows macOS conventions: app menu first, Command accelerators', () => {
    const menu = menuTemplate('darwin', actions(), true);
    expect(menu.map((m) => m.label)).toEqual(['Market Monitor', 'File', 'Edit', 'View', 'Window', 'Help']);
    const appMenu = flatten([menu[0]!]);
    expect(appMenu.find((i) => i.role === 'quit')?.accelerator).toBe('Command+Q');
    expect(appMenu.some((i) => i.label === 'About Market Monitor')).toBe(true);
    expect(flatten(menu).find((i) => i.role === 'close')?.accelerator).toBe('Command+W');
  });

  it('gives no accelerator twice, and no developer tools in a shipped app', () => {
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      for (const isPackaged of [true, false]) {
        const all = accelerators(menuTemplate(platform, actions(), isPackaged));
        expect(new Set(all).size, `${platform} ${isPackaged}`).toBe(all.length);
        const devTools = flatten(menuTemplate(platform, actions(), isPackaged)).some(
          (i) => i.role === 'toggleDevTools',
        );
        expect(devTools).toBe(!isPackaged);
      }
    }
  });

  it('wires its own items to the actions', () => {
    const a = actions();
    const items = flatten(menuTemplate('linux', a, true));
    const click = (label: string) => (items.find((i) => i.label === label)!.click as () => void)();
    click('About Market Monitor');
    click('Open Logs Folder');
    click('Open Data Folder');
    click('TradingView Lightweight Charts');
    expect(a.about).toHaveBeenCalledOnce();
    expect(a.openLogsFolder).toHaveBeenCalledOnce();
    expect(a.openDataFolder).toHaveBeenCalledOnce();
    expect(a.openChartsAttribution).toHaveBeenCalledOnce();
  });
});

describe('About', () => {
  it('credits TradingView with a link and says Yahoo data is for personal use', () => {
    const about = aboutDialog('1.2.3', { electron: '45.4.1', chrome: '140', node: '22' });
    expect(about.message).toContain('1.2.3');
    expect(about.detail).toContain('TradingView Lightweight Charts');
    expect(about.detail).toContain('https://www.tradingview.com/lightweight-charts/');
    expect(about.detail).toMatch(/Yahoo Finance data is for personal use/);
    const links = about.buttons.flatMap((b) => (b.link ? [b.link] : []));
    expect(links).toContain('https://www.tradingview.com/lightweight-charts/');
    for (const link of links) expect(mayOpenExternally(link), link).toBe(true);
    expect(about.buttons[0]).toEqual({ label: 'OK' });
  });
});

describe('tray connection state', () => {
  const status = (source: Status['source']['state'], connected = true, kind: 'in-process' | 'kafka' = 'in-process') =>
    ({
      source: { kind: 'simulator', state: source, message: '' },
      bus: { kind, topic: 'market.ticks', connected, buffered: 0, bufferCapacity: 1, partitions: [] },
      engine: { ticksPerSecond: 0, accepted: 0, late: 0, invalid: 0, openWindows: 0, listenerErrors: [] },
      database: { path: 'x', sizeBytes: 0 },
      sinks: [],
    }) satisfies Status;

  it('is live when the source streams and the bus is connected', () => {
    expect(connectionState(status('live'))).toEqual({
      state: 'live',
      tooltip: 'Market Monitor: simulator: live, in-process bus',
    });
  });

  it('is degraded while delayed, rate-limited, paused or starting', () => {
    for (const s of ['delayed', 'rate-limited', 'paused', 'starting'] as const)
      expect(connectionState(status(s)).state, s).toBe('degraded');
  });

  it('is offline when the source fails or Kafka is unreachable, and before the first status', () => {
    for (const s of ['offline', 'error', 'stopped'] as const)
      expect(connectionState(status(s)).state, s).toBe('offline');
    const kafkaDown = connectionState(status('live', false, 'kafka'));
    expect(kafkaDown.state).toBe('offline');
    expect(kafkaDown.tooltip).toContain('Kafka disconnected');
    expect(connectionState(undefined).state).toBe('offline');
  });
});

describe('desktop paths', () => {
  it('keeps the database and window state in user data, logs in the log folder', () => {
    const p = desktopPaths('/home/u/.local/share/market-monitor', '/home/u/.local/share/market-monitor/logs');
    expect(p.database).toBe(path.join('/home/u/.local/share/market-monitor', 'market-monitor.db'));
    expect(p.windowState).toBe(path.join('/home/u/.local/share/market-monitor', 'window-state.json'));
    expect(p.logs).toBe('/home/u/.local/share/market-monitor/logs');
  });
});

describe('graceful shutdown', () => {
  it('waits for close, and gives up after the deadline', async () => {
    expect(await closeWithin(async () => {}, 1_000)).toBe('closed');
    const log = vi.fn();
    expect(await closeWithin(() => new Promise(() => {}), 20, log)).toBe('timed-out');
    expect(log).toHaveBeenCalledWith(expect.stringContaining('did not close within 20 ms'));
    expect(await closeWithin(() => Promise.reject(new Error('x')), 1_000, log)).toBe('failed');
  });

  it('runs once however many quit requests arrive', async () => {
    const close = vi.fn(async () => 'done');
    const shutdown = once(close);
    expect(await Promise.all([shutdown(), shutdown(), shutdown()])).toEqual(['done', 'done', 'done']);
    expect(close).toHaveBeenCalledOnce();
  });

  it('flushes the engine: what the pipeline accepted is in SQLite after close()', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-shutdown-'));
    const dbPath = path.join(dir, 'market-monitor.db');
    try {
      const monitor = await MarketMonitor.open({ dbPath, starterSymbols: ['AAPL', 'MSFT'] });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await closeWithin(() => monitor.close(), 10_000)).toBe('closed');
      const Database = (await import('better-sqlite3')).default;
      const db = new Database(dbPath, { readonly: true });
      try {
        const ticks = (db.prepare('SELECT count(*) AS n FROM ticks').get() as { n: number }).n;
        expect(ticks).toBeGreaterThan(0);
      } finally {
        db.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
