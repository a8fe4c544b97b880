/**
 * main.ts wired to a stand-in 'electron' module, where no Electron binary exists (where one does,
 * smoke.test.ts runs the real thing instead). The stand-in records what main.ts registers, so the
 * test can fire Electron's events at it: the real engine, IPC, protocol, window and quit paths run.
 */
import type { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { installedElectronBinary } from '../../scripts/electron-binary.mjs';

interface Fake {
  userData: string;
  app: EventEmitter & Record<string, unknown>;
  windows: (EventEmitter & Record<string, any>)[];
  trays: Record<string, any>[];
  ipc: Map<string, (...args: unknown[]) => unknown>;
  protocolHandlers: Map<string, (request: Request) => Promise<Response>>;
  permissionRequest?: (...args: any[]) => void;
  permissionCheck?: (...args: any[]) => boolean;
  menu?: unknown[];
  opened: string[];
  quits: number;
  exits: number[];
}

vi.mock('electron', async () => {
  // vi.mock is hoisted above the imports, so the factory brings its own.
  const { EventEmitter } = await import('node:events');
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-wiring-'));
  const fake: Fake = {
    userData,
    app: new EventEmitter() as Fake['app'],
    windows: [],
    trays: [],
    ipc: new Map(),
    protocolHandlers: new Map(),
    opened: [],
    quits: 0,
    exits: [],
  };
  (globalThis as { fakeElectron?: Fake }).fakeElectron = fake;
  let nextId = 1;
  class WebContents extends EventEmitter {
    id = nextId++;
    mainFrame = { url: 'app://market-monitor/index.html' };
    sent: unknown[][] = [];
    send(...args: unknown[]) {
      this.sent.push(args);
    }
    setWindowOpenHandler(handler: unknown) {
      (this as Record<string, unknown>).openHandler = handler;
    }
  }
  class BrowserWindow extends EventEmitter {
    webContents = new WebContents();
    focused = 0;
    bounds: { x: number; y: number; width: number; height: number };
    readonly options: Record<string, any>;
    constructor(options: Record<string, any>) {
      super();
      this.options = options;
      this.bounds = { x: options.x ?? 0, y: options.y ?? 0, width: options.width, height: options.height };
      fake.windows.push(this as never);
      fake.app.emit('web-contents-created', {}, this.webContents);
    }
    loadURL(url: string) {
      (this as Record<string, unknown>).url = url;
      return Promise.resolve();
    }
    isDestroyed = () => false;
    isMinimized = () => false;
    isMaximized = () => false;
    isFullScreen = () => false;
    getNormalBounds = () => this.bounds;
    restore() {}
    show() {}
    focus() {
      this.focused++;
    }
    maximize() {}
    setFullScreen() {}
  }
  class Tray {
    tooltip = '';
    images: unknown[] = [];
    constructor(image: unknown) {
      this.images.push(image);
      fake.trays.push(this);
    }
    setToolTip(text: string) {
      this.tooltip = text;
    }
    setImage(image: unknown) {
      this.images.push(image);
    }
    setContextMenu() {}
    on() {}
    isDestroyed = () => false;
    destroy() {}
  }
  Object.assign(fake.app, {
    commandLine: { hasSwitch: (name: string) => name === 'user-data-dir' },
    setPath: () => {},
    setAppLogsPath: () => {},
    getPath: (name: string) => (name === 'logs' ? path.join(userData, 'logs') : userData),
    getAppPath: () => path.resolve(import.meta.dirname, '..', '..'),
    getVersion: () => '0.0.0-test',
    enableSandbox: () => {},
    requestSingleInstanceLock: () => true,
    whenReady: () => Promise.resolve(),
    isPackaged: false,
    quit: () => {
      fake.quits++;
      const event = { defaultPrevented: false, preventDefault: () => (event.defaultPrevented = true) };
      fake.app.emit('before-quit', event);
    },
    exit: (code: number) => fake.exits.push(code),
  });
  return {
    app: fake.app,
    BrowserWindow,
    Tray,
    Menu: {
      buildFromTemplate: (template: unknown[]) => template,
      setApplicationMenu: (menu: unknown[]) => (fake.menu = menu),
    },
    dialog: { showMessageBox: async () => ({ response: 0 }), showErrorBox: () => {} },
    ipcMain: { handle: (channel: string, handler: never) => fake.ipc.set(channel, handler) },
    nativeImage: { createFromPath: (file: string) => file },
    net: {
      fetch: async (url: string) =>
        url.endsWith('index.html')
          ? new Response('<html></html>', { headers: { 'content-type': 'text/html' } })
          : Promise.reject(new Error('ENOENT')),
    },
    protocol: {
      registerSchemesAsPrivileged: () => {},
      handle: (scheme: string, handler: never) => fake.protocolHandlers.set(scheme, handler),
    },
    screen: {
      getPrimaryDisplay: () => ({ id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1050 } }),
      getAllDisplays: () => [{ id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1050 } }],
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (handler: never) => (fake.permissionRequest = handler),
        setPermissionCheckHandler: (handler: never) => (fake.permissionCheck = handler),
        setDevicePermissionHandler: () => {},
        setDisplayMediaRequestHandler: () => {},
      },
    },
    shell: {
      openExternal: async (url: string) => void fake.opened.push(url),
      openPath: async () => '',
    },
  };
});

const binary = installedElectronBinary();
const fake = () => (globalThis as unknown as { fakeElectron: Fake }).fakeElectron;

describe.skipIf(binary !== null)('main.ts wiring with a stand-in electron module', () => {
  const signals = ['SIGINT', 'SIGTERM', 'uncaughtException'];
  const listeners = (s: string) => process.listeners(s as 'SIGINT') as ((...args: unknown[]) => void)[];
  const before = new Map(signals.map((s) => [s, new Set(listeners(s))]));
  afterAll(() => {
    // main.ts hooks the process like an app should; this worker is not one, so undo exactly that.
    for (const s of signals)
      for (const listener of listeners(s)) if (!before.get(s)!.has(listener)) process.off(s, listener);
    fs.rmSync(fake().userData, { recursive: true, force: true });
  });

  it('starts: hardened window on app://, menu, tray, IPC and protocol registered', async () => {
    const { webPreferences } = await import('../../main/electron/policy.ts');
    await import('../../main/electron/main.ts');
    await vi.waitFor(() => expect(fake().windows).toHaveLength(1), { timeout: 10_000 });
    const win = fake().windows[0]!;
    expect(win.options.webPreferences).toEqual(webPreferences(win.options.webPreferences.preload));
    expect(win.options.webPreferences.preload).toMatch(/preload\.cjs$/);
    expect(win.url).toBe('app://market-monitor/index.html');
    expect(fake().menu?.length).toBeGreaterThan(3);
    expect(fake().trays).toHaveLength(1);
    expect([...fake().ipc.keys()]).toEqual(['market-monitor:call']);
    expect(fs.existsSync(path.join(fake().userData, 'market-monitor.db'))).toBe(true);
    expect(fs.readFileSync(path.join(fake().userData, 'logs', 'main.log'), 'utf8')).toMatch(/Starting Market Monitor/);
  });

  it('answers IPC from the window and refuses anything else', async () => {
    const win = fake().windows[0]!;
    const call = fake().ipc.get('market-monitor:call')!;
    const fromWindow = { senderFrame: win.webContents.mainFrame, sender: win.webContents };
    expect(await call(fromWindow, 'watchlist.list', {})).toMatchObject({ ok: true });
    const stranger = { senderFrame: { url: 'https://evil.example/' }, sender: { id: 999, mainFrame: {} } };
    expect(await call(stranger, 'watchlist.list', {})).toMatchObject({ ok: false, error: { code: 'failed' } });
    expect(await call(fromWindow, 'watchlist.add', { symbol: '' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-input' },
    });
  });

  it('serves app:// with the CSP and 404s outside the renderer', async () => {
    const handler = fake().protocolHandlers.get('app')!;
    const page = await handler(new Request('app://market-monitor/index.html'));
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await handler(new Request('app://market-monitor/missing.js'))).status).toBe(404);
    expect((await handler(new Request('app://elsewhere/index.html'))).status).toBe(404);
  });

  it('denies navigation and new windows, sending only allow-listed links to the browser', () => {
    const contents = fake().windows[0]!.webContents;
    const navigate = { preventDefault: vi.fn() };
    contents.emit('will-navigate', navigate, 'https://evil.example/');
    expect(navigate.preventDefault).toHaveBeenCalled();
    expect(contents.openHandler({ url: 'https://www.tradingview.com/' })).toEqual({ action: 'deny' });
    expect(contents.openHandler({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    const webview = { preventDefault: vi.fn() };
    contents.emit('will-attach-webview', webview);
    expect(webview.preventDefault).toHaveBeenCalled();
    expect(fake().opened).toEqual(['https://www.tradingview.com/']);
  });

  it('grants notifications to the app only', () => {
    const granted: boolean[] = [];
    fake().permissionRequest!({}, 'notifications', (ok: boolean) => granted.push(ok), {
      requestingUrl: 'app://market-monitor/index.html',
    });
    fake().permissionRequest!({}, 'media', (ok: boolean) => granted.push(ok), {
      requestingUrl: 'app://market-monitor/index.html',
    });
    expect(granted).toEqual([true, false]);
    expect(fake().permissionCheck!({}, 'geolocation', 'app://market-monitor')).toBe(false);
  });

  it('shows the connection state in the tray and forwards events to the window', async () => {
    const tray = fake().trays[0]!;
    await vi.waitFor(() => expect(tray.tooltip).toMatch(/simulator: live/), { timeout: 5_000 });
    expect(tray.images.at(-1)).toMatch(/tray[/\\]live\.png$/);
    await vi.waitFor(() =>
      expect(fake().windows[0]!.webContents.sent.some((m: unknown[]) => m[0] === 'market-monitor:event')).toBe(true),
    );
  });

  it('a second launch focuses the window', () => {
    const win = fake().windows[0]!;
    fake().app.emit('second-instance');
    expect(win.focused).toBe(1);
  });

  it('remembers the window bounds on close', () => {
    const win = fake().windows[0]!;
    win.bounds = { x: 40, y: 30, width: 1000, height: 700 };
    win.emit('close');
    const saved = JSON.parse(fs.readFileSync(path.join(fake().userData, 'window-state.json'), 'utf8'));
    expect(saved).toMatchObject({ x: 40, y: 30, width: 1000, height: 700, maximized: false });
  });

  it('quits gracefully: the engine closes (SQLite with it) before the app goes', async () => {
    const event = { defaultPrevented: false, preventDefault: () => (event.defaultPrevented = true) };
    fake().app.emit('before-quit', event);
    expect(event.defaultPrevented).toBe(true);
    await vi.waitFor(() => expect(fake().quits).toBe(1), { timeout: 15_000 });
    expect(fs.readFileSync(path.join(fake().userData, 'logs', 'main.log'), 'utf8')).toMatch(/Shutdown: closed/);
    // The database is closed and whole: another connection can take an exclusive lock at once.
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(path.join(fake().userData, 'market-monitor.db'), { timeout: 0 });
    db.exec('BEGIN EXCLUSIVE; COMMIT');
    expect((db.prepare('SELECT count(*) AS n FROM watchlist').get() as { n: number }).n).toBeGreaterThan(0);
    db.close();
  });
});
