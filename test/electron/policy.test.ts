import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  APP_ORIGIN,
  DEFAULT_WINDOW,
  MIN_WINDOW,
  RENDERER_CSP,
  appResponseHeaders,
  decideNavigation,
  isPermissionGranted,
  isTrustedSender,
  mayOpenExternally,
  resolveAppFile,
  webPreferences,
  windowOptions,
} from '../../main/electron/policy.ts';

const cspDirectives = () =>
  Object.fromEntries(RENDERER_CSP.split('; ').map((d) => [d.split(' ')[0]!, d.split(' ').slice(1)]));

describe('Electron security policy', () => {
  it('isolates and sandboxes the renderer with no Node access', () => {
    const prefs = webPreferences('/app/preload.cjs');
    expect(prefs).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      enableBlinkFeatures: '',
      webviewTag: false,
      navigateOnDragDrop: false,
    });
    expect(prefs.disableBlinkFeatures.split(',')).toContain('Auxclick');
  });

  it('builds the window from those preferences, hidden until ready, never smaller than usable', () => {
    const options = windowOptions('/app/preload.cjs', { x: 10, y: 20, width: 900, height: 600 }, '/app/icon.png');
    expect(options).toMatchObject({ x: 10, y: 20, width: 900, height: 600, show: false, icon: '/app/icon.png' });
    expect(options.minWidth).toBe(MIN_WINDOW.width);
    expect(options.minHeight).toBe(MIN_WINDOW.height);
    expect(options.webPreferences).toEqual(webPreferences('/app/preload.cjs'));
    expect(windowOptions('/p', DEFAULT_WINDOW)).not.toHaveProperty('icon');
  });

  it('has a CSP that allows only the app itself to run scripts and connect', () => {
    const d = cspDirectives();
    expect(d['default-src']).toEqual(["'self'"]);
    expect(d['script-src']).toEqual(["'self'"]);
    expect(d['connect-src']).toEqual(["'self'"]);
    for (const none of ['object-src', 'frame-src', 'worker-src', 'base-uri', 'frame-ancestors', 'form-action'])
      expect(d[none], none).toEqual(["'none'"]);
    expect(RENDERER_CSP).not.toMatch(/unsafe-eval|\*|https?:/);
    expect(d['script-src']).not.toContain("'unsafe-inline'");
    expect(appResponseHeaders()).toMatchObject({
      'Content-Security-Policy': RENDERER_CSP,
      'X-Content-Type-Options': 'nosniff',
    });
  });

  it('accepts IPC only from the app origin main frame of the app window', () => {
    const frame = (url: string | undefined, isMainFrame = true, webContentsId = 7) => ({
      url,
      isMainFrame,
      webContentsId,
    });
    expect(isTrustedSender(frame(`${APP_ORIGIN}/index.html`), 7)).toBe(true);
    expect(isTrustedSender(frame(`${APP_ORIGIN}/index.html`, false), 7)).toBe(false);
    expect(isTrustedSender(frame(`${APP_ORIGIN}/index.html`, true, 8), 7)).toBe(false);
    expect(isTrustedSender(frame(`${APP_ORIGIN}/index.html`), undefined)).toBe(false);
    expect(isTrustedSender(frame('https://evil.example/'), 7)).toBe(false);
    expect(isTrustedSender(frame('app://other-host/index.html'), 7)).toBe(false);
    expect(isTrustedSender(frame('file:///etc/passwd'), 7)).toBe(false);
    expect(isTrustedSender(frame(undefined), 7)).toBe(false);
    expect(isTrustedSender(frame('not a url'), 7)).toBe(false);
    expect(isTrustedSender(null, 7)).toBe(false);
  });

  it('opens only allow-listed https links externally', () => {
    expect(mayOpenExternally('https://www.tradingview.com/lightweight-charts/')).toBe(true);
    expect(mayOpenExternally('https://tradingview.com/?utm_source=x')).toBe(true);
    expect(mayOpenExternally('https://finance.yahoo.com/quote/AAPL')).toBe(true);
    for (const url of [
      'http://www.tradingview.com/',
      'https://www.tradingview.com.evil.example/',
      'https://evil.example/?https://www.tradingview.com/',
      'https://user@www.tradingview.com/',
      'https://www.tradingview.com:8443/',
      'https://yahoo.com/',
      'file:///bin/sh',
      'javascript:alert(1)',
      'smb://server/share',
      'not a url',
    ])
      expect(mayOpenExternally(url), url).toBe(false);
  });

  it('never navigates away; allow-listed links go to the browser instead', () => {
    expect(decideNavigation('https://www.tradingview.com/')).toEqual({ allow: false, openExternally: true });
    expect(decideNavigation('https://evil.example/')).toEqual({ allow: false, openExternally: false });
    expect(decideNavigation(`${APP_ORIGIN}/other.html`)).toEqual({ allow: false, openExternally: false });
  });

  it('grants notifications to the app and nothing else', () => {
    expect(isPermissionGranted('notifications')).toBe(true);
    expect(isPermissionGranted('notifications', APP_ORIGIN)).toBe(true);
    expect(isPermissionGranted('notifications', `${APP_ORIGIN}/index.html`)).toBe(true);
    expect(isPermissionGranted('notifications', 'https://evil.example/')).toBe(false);
    for (const p of ['media', 'geolocation', 'clipboard-read', 'openExternal', 'midi', 'display-capture', 'hid', 'usb'])
      expect(isPermissionGranted(p, APP_ORIGIN), p).toBe(false);
  });

  it('serves app:// files from the renderer folder and never outside it', () => {
    const dir = '/opt/mm/renderer';
    expect(resolveAppFile(`${APP_ORIGIN}/`, dir, path.join)).toBe('/opt/mm/renderer/index.html');
    expect(resolveAppFile(`${APP_ORIGIN}/assets/a.js`, dir, path.join)).toBe('/opt/mm/renderer/assets/a.js');
    for (const sneaky of [
      '/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/..%2f..%2f..%2fetc%2fpasswd',
      '/a/..%2F..%2F..%2Fsecret',
      '/..%5c..%5csecret',
      '/a%00.js',
      '/%E0%A4%A',
    ]) {
      const file = resolveAppFile(`${APP_ORIGIN}${sneaky}`, dir, path.join);
      if (file !== null) expect(path.resolve(file).startsWith(`${dir}/`), sneaky).toBe(true);
    }
    expect(resolveAppFile(`${APP_ORIGIN}/..%2f..%2fsecret`, dir, path.join)).toBeNull();
    expect(resolveAppFile(`${APP_ORIGIN}/a%00.js`, dir, path.join)).toBeNull();
    expect(resolveAppFile('app://other-host/index.html', dir, path.join)).toBeNull();
    expect(resolveAppFile('not a url', dir, path.join)).toBeNull();
  });
});

describe('layers', () => {
  it('the engine and the headless host never import Electron', () => {
    const root = path.resolve(import.meta.dirname, '..', '..');
    const offenders: string[] = [];
    const visit = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) visit(file);
        else if (
          /\.(ts|tsx|mjs|js)$/.test(entry.name) &&
          /from ['"]electron['"]|require\(['"]electron['"]\)/.test(fs.readFileSync(file, 'utf8'))
        )
          offenders.push(path.relative(root, file));
      }
    };
    for (const dir of ['engine', 'main/headless', 'renderer/src']) visit(path.join(root, dir));
    expect(offenders).toEqual([]);
  });
});
