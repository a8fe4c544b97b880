/**
 * The Electron main process: a thin shell around the same MarketMonitor the headless host runs, in
 * the same thread of its own (main/engine-thread), so this process only serves the window.
 * Every decision lives in a plain module beside this one (policy, window-state, startup-recovery,
 * menu, connection-state, about, shutdown, rotating-log) and is tested there; this file only wires
 * them to Electron, so the type checker is what covers it where no Electron binary can run.
 */
import { safeStorageCipher } from './keychain.ts';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  BrowserWindow,
  Menu,
  Tray,
  app,
  dialog,
  ipcMain,
  nativeImage,
  net,
  protocol,
  screen,
  session,
  shell,
  utilityProcess,
  type MessageBoxOptions,
} from 'electron';
import type { Status } from '../../engine/api/contract.ts';
import { STARTER_SYMBOLS } from '../../engine/app/market-monitor.ts';
import { startEngineWorker, type EngineWorker } from '../engine-thread/engine-worker.ts';
import { IPC_CALL, IPC_EVENT } from '../../preload/channels.ts';
import { defaultDataDir } from '../paths.ts';
import { aboutDialog } from './about.ts';
import { utilityQueryProcesses, writeQueryProgram } from './sql-utility-process.ts';
import { connectionState, type ConnectionState } from './connection-state.ts';
import { desktopPaths } from './desktop-paths.ts';
import { createCallHandler } from './ipc.ts';
import { menuTemplate } from './menu.ts';
import {
  APP_ORIGIN,
  APP_SCHEME,
  LINKS,
  appResponseHeaders,
  decideNavigation,
  isPermissionGranted,
  mayOpenExternally,
  resolveAppFile,
  windowOptions,
} from './policy.ts';
import { RotatingLog } from './rotating-log.ts';
import { closeWithin, once } from './shutdown.ts';
import { openWithRecovery, setAsideDatabase, type RecoveryDialog } from './startup-recovery.ts';
import { clampToDisplays, loadWindowState, saveWindowState, type WorkArea } from './window-state.ts';

const rendererDir = path.join(import.meta.dirname, '..', 'renderer');
const preloadFile = path.join(import.meta.dirname, 'preload.cjs');
const SHUTDOWN_TIMEOUT_MS = 10_000;

// The desktop app and the market-monitor command share one data folder, so `market-monitor export`
// reads what the window recorded. An explicit --user-data-dir (tests, second profiles) wins.
if (!app.commandLine.hasSwitch('user-data-dir')) app.setPath('userData', defaultDataDir());
app.setAppLogsPath();
const paths = desktopPaths(app.getPath('userData'), app.getPath('logs'));
const log = new RotatingLog({ dir: paths.logs, name: 'main' });

let monitor: EngineWorker | undefined;
let window: BrowserWindow | undefined;
let tray: Tray | undefined;
let trayState: ConnectionState | undefined;
let shutDown = false;

// Every renderer runs sandboxed, whatever its own web preferences say.
app.enableSandbox();
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

if (!app.requestSingleInstanceLock()) {
  // The first instance owns the database; it brings its window forward on 'second-instance'.
  app.quit();
} else {
  log.info(`Starting Market Monitor ${app.getVersion()} (Electron ${process.versions.electron})`);
  app.on('second-instance', showWindow);
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      event.preventDefault();
      leaveApp(url);
    });
    contents.on('will-redirect', (event, url) => {
      event.preventDefault();
      leaveApp(url);
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      leaveApp(url);
      return { action: 'deny' };
    });
  });
  app.whenReady().then(start, fatal);
  app.on('activate', () => {
    if (monitor && !window) createWindow();
  });
  // macOS apps stay in the dock with no window; elsewhere closing the window quits.
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', (event) => {
    if (shutDown) return;
    event.preventDefault();
    void shutdown().then(() => app.quit());
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
  process.on('uncaughtException', fatal);
}

/** Closes the engine once: the producer stops, the bus drains, the mirror flushes, SQLite closes. */
const shutdown = once(async () => {
  const closing = monitor;
  monitor = undefined;
  if (closing)
    log.info(`Shutdown: ${await closeWithin(() => closing.close(), SHUTDOWN_TIMEOUT_MS, log.error.bind(log))}`);
  tray?.destroy();
  shutDown = true;
});

async function start(): Promise<void> {
  installSessionPolicy();
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate(
        process.platform,
        {
          about: () => void showAbout(),
          openLogsFolder: () => void shell.openPath(paths.logs),
          openDataFolder: () => void shell.openPath(path.dirname(paths.database)),
          openChartsAttribution: () => openExternally(LINKS.tradingView),
        },
        app.isPackaged,
      ),
    ),
  );

  // The engine runs in a thread of its own: a long SQLite commit or a burst of ticks never holds up
  // the window's IPC, its menus or its dialogs. What only this process can do, it does for the engine.
  const opened = await openWithRecovery(paths.database, {
    open: () =>
      startEngineWorker(
        { dbPath: paths.database, starterSymbols: STARTER_SYMBOLS },
        {
          log: (line) => log.warn(line),
          // Sealed by the OS keychain, in a file of its own: never in the database.
          keys: { file: path.join(app.getPath('userData'), 'provider-keys.json'), cipher: safeStorageCipher },
          sqlProcesses: utilityQueryProcesses(
            (program) => utilityProcess.fork(program, [], { serviceName: 'Market Monitor SQL query' }),
            writeQueryProgram(path.join(app.getPath('userData'), 'sql')),
          ),
        },
      ),
    ask: askUser,
    setAside: (file) => setAsideDatabase(file),
    log: log.warn.bind(log),
  });
  if (!opened) {
    shutDown = true;
    app.quit();
    return;
  }
  monitor = opened;
  log.info(`Database ${paths.database}`);

  void opened.died.then(fatal);
  ipcMain.handle(
    IPC_CALL,
    createCallHandler(
      opened,
      () => window?.webContents.id,
      (url) => log.warn(`Refused an IPC call from ${url ?? 'a destroyed frame'}`),
    ),
  );
  opened.subscribe((event, payload) => {
    if (event === 'status') updateTray(payload as Status);
    if (window && !window.isDestroyed()) window.webContents.send(IPC_EVENT, event, payload);
  });

  createWindow();
  createTray();
}

function installSessionPolicy(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(isPermissionGranted(permission, details.requestingUrl)),
  );
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    isPermissionGranted(permission, requestingOrigin),
  );
  ses.setDevicePermissionHandler(() => false);
  ses.setDisplayMediaRequestHandler((_request, callback) => callback(null));
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppFile(request.url, rendererDir, path.join);
    if (!file) return new Response('Not found', { status: 404 });
    let response: Response;
    try {
      response = await net.fetch(pathToFileURL(file).toString());
    } catch {
      return new Response('Not found', { status: 404 });
    }
    const headers = new Headers(response.headers);
    for (const [name, value] of Object.entries(appResponseHeaders())) headers.set(name, value);
    return new Response(response.body, { status: response.status, headers });
  });
}

function createWindow(): void {
  const saved = loadWindowState(paths.windowState);
  const primary = screen.getPrimaryDisplay();
  const areas: WorkArea[] = [primary, ...screen.getAllDisplays().filter((d) => d.id !== primary.id)].map(
    (d) => d.workArea,
  );
  const icon = path.join(app.getAppPath(), 'resources', 'icons', '256x256.png');
  // The options come from policy.windowOptions(), whose web preferences (contextIsolation, sandbox,
  // no nodeIntegration, Auxclick disabled) test/electron/policy.test.ts asserts; the scanner cannot follow the call.
  const win = new BrowserWindow(windowOptions(preloadFile, clampToDisplays(saved, areas), icon)); // eng-disable CONTEXT_ISOLATION_JS_CHECK SANDBOX_JS_CHECK AUXCLICK_JS_CHECK
  window = win;
  if (saved.maximized) win.maximize();
  if (saved.fullScreen) win.setFullScreen(true);
  win.once('ready-to-show', () => win.show());

  let pending: NodeJS.Timeout | undefined;
  const remember = () => {
    clearTimeout(pending);
    if (win.isDestroyed()) return;
    const bounds = win.getNormalBounds();
    try {
      saveWindowState(paths.windowState, {
        x: Math.round(bounds.x),
        y: Math.round(bounds.y),
        width: Math.round(bounds.width),
        height: Math.round(bounds.height),
        maximized: win.isMaximized(),
        fullScreen: win.isFullScreen(),
      });
    } catch (error) {
      log.warn('Could not save the window state', error);
    }
  };
  const rememberSoon = () => {
    clearTimeout(pending);
    pending = setTimeout(remember, 500);
  };
  win.on('resized', rememberSoon);
  win.on('moved', rememberSoon);
  win.on('maximize', rememberSoon);
  win.on('unmaximize', rememberSoon);
  win.on('close', remember);
  win.on('closed', () => {
    if (window === win) window = undefined;
  });
  win.webContents.on('render-process-gone', (_event, details) => log.error(`Renderer gone: ${details.reason}`));
  void win.loadURL(`${APP_ORIGIN}/index.html`).catch((error: unknown) => log.error('Loading the window failed', error));
}

function trayImage(state: ConnectionState) {
  return nativeImage.createFromPath(path.join(app.getAppPath(), 'resources', 'tray', `${state}.png`));
}

function createTray(): void {
  try {
    tray = new Tray(trayImage('offline'));
    tray.setToolTip('Market Monitor: starting');
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: 'Show Market Monitor', click: showWindow },
        { type: 'separator' },
        { label: 'Quit', role: 'quit' },
      ]),
    );
    tray.on('click', showWindow);
  } catch (error) {
    // Some Linux desktops have no status area; the window still shows the pipeline's state.
    log.warn('No tray icon', error);
    tray = undefined;
  }
}

function updateTray(status: Status): void {
  if (!tray || tray.isDestroyed()) return;
  const look = connectionState(status);
  tray.setToolTip(look.tooltip);
  if (look.state !== trayState) {
    trayState = look.state;
    tray.setImage(trayImage(look.state));
  }
}

function showWindow(): void {
  if (!window) {
    if (monitor) createWindow();
    return;
  }
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}

async function showAbout(): Promise<void> {
  const about = aboutDialog(app.getVersion(), process.versions);
  const options: MessageBoxOptions = {
    type: 'info',
    title: about.title,
    message: about.message,
    detail: about.detail,
    buttons: about.buttons.map((b) => b.label),
    defaultId: 0,
    cancelId: 0,
    noLink: true,
  };
  const { response } = window ? await dialog.showMessageBox(window, options) : await dialog.showMessageBox(options);
  const link = about.buttons[response]?.link;
  if (link) openExternally(link);
}

async function askUser(question: RecoveryDialog): Promise<number> {
  const { response } = await dialog.showMessageBox({
    type: question.type,
    title: question.title,
    message: question.message,
    detail: question.detail,
    buttons: question.buttons.map((b) => b.label),
    defaultId: question.defaultId,
    cancelId: question.cancelId,
    noLink: true,
  });
  return response;
}

function leaveApp(url: string): void {
  const decision = decideNavigation(url);
  if (decision.openExternally) openExternally(url);
  else log.warn(`Blocked navigation to ${url}`);
}

function openExternally(url: string): void {
  // Only https links to the attribution hosts (policy.EXTERNAL_HOSTS) ever reach the OS.
  if (mayOpenExternally(url)) void shell.openExternal(url); // eng-disable OPEN_EXTERNAL_JS_CHECK
}

function fatal(error: unknown): void {
  log.error('Fatal error', error);
  dialog.showErrorBox(
    'Market Monitor has to close',
    `${error instanceof Error ? error.message : String(error)}\n\nDetails are in ${log.file}.`,
  );
  void shutdown().finally(() => app.exit(1));
}
