/**
 * The Electron shell's security decisions as plain data and functions, so that they are tested
 * without an Electron binary. main.ts only wires them to Electron's hooks. Type-only imports from
 * 'electron' are erased at build time, so this module runs in plain Node.
 */
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';

/** The scheme the packaged renderer is served from: not file://, so it has an origin of its own. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'market-monitor';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** Node's URL gives custom schemes an opaque origin ("null"), so compare scheme and host instead. */
function isAppUrl(url: URL): boolean {
  return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST;
}

function parseUrl(url: string | undefined): URL | null {
  if (!url) return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** Headers every app:// response carries, besides its content type. */
export function appResponseHeaders(): Record<string, string> {
  const headers: Record<string, string> = {
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
  // One literal assignment: the form the electronegativity scan recognises, so it evaluates this very
  // policy. lightweight-charts sizes its canvases through inline styles; no inline script is allowed.
  headers['Content-Security-Policy'] =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; frame-src 'none'; worker-src 'none'; media-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";
  return headers;
}

export const RENDERER_CSP = appResponseHeaders()['Content-Security-Policy']!;

/** Hosts whose https pages the app may open in the user's browser (the attributions in About). */
export const EXTERNAL_HOSTS = ['www.tradingview.com', 'tradingview.com', 'finance.yahoo.com'] as const;

export const LINKS = {
  tradingView: 'https://www.tradingview.com/lightweight-charts/',
  yahooFinance: 'https://finance.yahoo.com/',
} as const;

export function webPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    enableBlinkFeatures: '',
    // Middle-click would otherwise open links in a new window without going through the open handler's intent.
    disableBlinkFeatures: 'Auxclick',
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  } as const satisfies WebPreferences;
}

export interface WindowBounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
}

export const MIN_WINDOW = { width: 800, height: 500 } as const;
export const DEFAULT_WINDOW = { width: 1280, height: 800 } as const;

export function windowOptions(
  preloadPath: string,
  bounds: WindowBounds,
  icon?: string,
): BrowserWindowConstructorOptions {
  return {
    ...bounds,
    minWidth: MIN_WINDOW.width,
    minHeight: MIN_WINDOW.height,
    title: 'Market Monitor',
    backgroundColor: '#0f1218',
    // Shown on ready-to-show, so the user never sees an empty white frame.
    show: false,
    ...(icon ? { icon } : {}),
    webPreferences: webPreferences(preloadPath),
  };
}

export interface SenderFrame {
  url: string | undefined;
  isMainFrame: boolean;
  /** The id of the WebContents the message came from. */
  webContentsId: number;
}

/**
 * Only the app's own top frame, in the app's own window, may call the engine: a frame that navigated
 * away, an iframe, or any other WebContents is refused.
 */
export function isTrustedSender(frame: SenderFrame | null | undefined, appWebContentsId: number | undefined): boolean {
  if (!frame || !frame.isMainFrame || appWebContentsId === undefined) return false;
  if (frame.webContentsId !== appWebContentsId) return false;
  const url = parseUrl(frame.url);
  return url !== null && isAppUrl(url);
}

export function mayOpenExternally(url: string): boolean {
  const parsed = parseUrl(url);
  if (!parsed || parsed.protocol !== 'https:' || parsed.username || parsed.password || parsed.port) return false;
  return (EXTERNAL_HOSTS as readonly string[]).includes(parsed.hostname);
}

/**
 * What to do when the renderer tries to leave the app (a link, window.open, a drag): the app never
 * navigates away nor opens a second window; an allow-listed link goes to the user's browser instead.
 */
export function decideNavigation(url: string): { allow: false; openExternally: boolean } {
  return { allow: false, openExternally: mayOpenExternally(url) };
}

/** Desktop notifications (price alerts) are the one permission the app asks for, and only for itself. */
export function isPermissionGranted(permission: string, requestingUrl?: string): boolean {
  if (permission !== 'notifications') return false;
  if (requestingUrl === undefined) return true;
  const url = parseUrl(requestingUrl);
  return url !== null && isAppUrl(url);
}

/** Maps an app:// URL to a file below the renderer folder, or null when it would escape it. */
export function resolveAppFile(url: string, rendererDir: string, join: (...parts: string[]) => string): string | null {
  const parsed = parseUrl(url);
  if (!parsed || !isAppUrl(parsed)) return null;
  let relative: string;
  try {
    relative = decodeURIComponent(parsed.pathname).replace(/^\/+/, '') || 'index.html';
  } catch {
    return null;
  }
  if (relative.includes('\0') || relative.includes('\\')) return null;
  if (relative.split('/').some((part) => part === '..')) return null;
  return join(rendererDir, relative);
}
