/**
 * The Electron main process: a thin shell around the same MarketMonitor the headless host runs.
 * Everything decidable without Electron lives in policy.ts and the engine.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BrowserWindow, app, ipcMain, net, protocol, session, shell, type IpcMainInvokeEvent } from 'electron';
import { dispatch } from '../../engine/api/dispatch.ts';
import { createHandlers } from '../../engine/api/handlers.ts';
import { MarketMonitor, STARTER_SYMBOLS } from '../../engine/app/market-monitor.ts';
import { IPC_CALL, IPC_EVENT } from '../../preload/channels.ts';
import {
  APP_ORIGIN,
  APP_SCHEME,
  RENDERER_CSP,
  isPermissionGranted,
  isTrustedSender,
  mayOpenExternally,
  resolveAppFile,
  webPreferences,
} from './policy.ts';

const rendererDir = path.join(import.meta.dirname, '..', 'renderer');
let monitor: MarketMonitor | undefined;
let window: BrowserWindow | undefined;

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

if (!app.requestSingleInstanceLock()) app.quit();
app.on('second-instance', () => {
  if (window?.isMinimized()) window.restore();
  window?.focus();
});

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (mayOpenExternally(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
});

app.whenReady().then(async () => {
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) =>
    callback(isPermissionGranted(permission)),
  );
  session.defaultSession.setPermissionCheckHandler((_wc, permission) => isPermissionGranted(permission));
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppFile(request.url, rendererDir, path.join);
    if (!file) return new Response('Not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', RENDERER_CSP);
    return new Response(response.body, { status: response.status, headers });
  });

  monitor = await MarketMonitor.open({
    dbPath: path.join(app.getPath('userData'), 'market-monitor.db'),
    starterSymbols: STARTER_SYMBOLS,
  });
  const handlers = createHandlers(monitor);
  ipcMain.handle(IPC_CALL, (event: IpcMainInvokeEvent, name: unknown, input: unknown) => {
    const frame = event.senderFrame;
    if (!isTrustedSender(frame?.url, frame === event.sender.mainFrame)) {
      return { ok: false, error: { code: 'failed', message: 'Refused: the sender is not the app' } };
    }
    return dispatch(handlers, name, input);
  });
  monitor.events.subscribe((event, payload) => {
    if (window && !window.isDestroyed()) window.webContents.send(IPC_EVENT, event, payload);
  });

  window = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 800,
    minHeight: 500,
    title: 'Market Monitor',
    backgroundColor: '#0f1218',
    show: false,
    webPreferences: webPreferences(path.join(import.meta.dirname, 'preload.cjs')),
  });
  window.once('ready-to-show', () => window?.show());
  await window.loadURL(`${APP_ORIGIN}/index.html`);
});

app.on('window-all-closed', () => app.quit());
app.on('before-quit', (event) => {
  if (!monitor) return;
  // Close the engine first so the last batch and the offsets reach SQLite.
  event.preventDefault();
  const closing = monitor;
  monitor = undefined;
  void closing.close().finally(() => app.quit());
});
