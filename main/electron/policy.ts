/**
 * The Electron shell's security decisions as plain data and functions, so that they are tested
 * without an Electron binary. main.ts only wires them to Electron's hooks.
 */

/** The scheme the packaged renderer is served from: not file://, so it has an origin of its own. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'market-monitor';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** Node's URL gives custom schemes an opaque origin ("null"), so compare scheme and host instead. */
function isAppUrl(url: URL): boolean {
  return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST;
}

export const RENDERER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

/** Links the app may open in the user's browser. */
export const EXTERNAL_ALLOWLIST = ['https://www.tradingview.com/', 'https://finance.yahoo.com/', 'https://github.com/'];

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
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  } as const;
}

/** Only the app's own top frame may call the engine. */
export function isTrustedSender(frameUrl: string | undefined, isMainFrame: boolean): boolean {
  if (!frameUrl || !isMainFrame) return false;
  try {
    return isAppUrl(new URL(frameUrl));
  } catch {
    return false;
  }
}

export function mayOpenExternally(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && EXTERNAL_ALLOWLIST.some((prefix) => parsed.href.startsWith(prefix));
  } catch {
    return false;
  }
}

/** Desktop notifications are the one permission the app asks for. */
export function isPermissionGranted(permission: string): boolean {
  return permission === 'notifications';
}

/** Maps an app:// URL to a file below the renderer folder, or null when it would escape it. */
export function resolveAppFile(url: string, rendererDir: string, join: (...parts: string[]) => string): string | null {
  const parsed = new URL(url);
  if (!isAppUrl(parsed)) return null;
  const relative = decodeURIComponent(parsed.pathname).replace(/^\/+/, '') || 'index.html';
  if (relative.split('/').some((part) => part === '..')) return null;
  return join(rendererDir, relative);
}
