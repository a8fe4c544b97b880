import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  APP_ORIGIN,
  RENDERER_CSP,
  isPermissionGranted,
  isTrustedSender,
  mayOpenExternally,
  resolveAppFile,
  webPreferences,
} from '../../main/electron/policy.ts';

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
      webviewTag: false,
    });
  });

  it('has a CSP that allows only the app itself to run scripts and connect', () => {
    const directives = Object.fromEntries(
      RENDERER_CSP.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]),
    );
    expect(directives['default-src']).toEqual(["'self'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['connect-src']).toEqual(["'self'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(RENDERER_CSP).not.toContain('unsafe-eval');
  });

  it('accepts IPC only from the app origin main frame', () => {
    expect(isTrustedSender(`${APP_ORIGIN}/index.html`, true)).toBe(true);
    expect(isTrustedSender(`${APP_ORIGIN}/index.html`, false)).toBe(false);
    expect(isTrustedSender('https://evil.example/', true)).toBe(false);
    expect(isTrustedSender('file:///etc/passwd', true)).toBe(false);
    expect(isTrustedSender(undefined, true)).toBe(false);
    expect(isTrustedSender('not a url', true)).toBe(false);
  });

  it('opens only allow-listed https links externally', () => {
    expect(mayOpenExternally('https://www.tradingview.com/lightweight-charts/')).toBe(true);
    expect(mayOpenExternally('http://www.tradingview.com/')).toBe(false);
    expect(mayOpenExternally('https://www.tradingview.com.evil.example/')).toBe(false);
    expect(mayOpenExternally('file:///bin/sh')).toBe(false);
    expect(mayOpenExternally('javascript:alert(1)')).toBe(false);
  });

  it('grants notifications and nothing else', () => {
    expect(isPermissionGranted('notifications')).toBe(true);
    for (const p of ['media', 'geolocation', 'clipboard-read', 'openExternal', 'midi'])
      expect(isPermissionGranted(p)).toBe(false);
  });

  it('serves app:// files from the renderer folder and never outside it', () => {
    const dir = '/opt/mm/renderer';
    expect(resolveAppFile(`${APP_ORIGIN}/`, dir, path.join)).toBe('/opt/mm/renderer/index.html');
    expect(resolveAppFile(`${APP_ORIGIN}/assets/a.js`, dir, path.join)).toBe('/opt/mm/renderer/assets/a.js');
    for (const sneaky of [
      '/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/..%2f..%2f..%2fetc%2fpasswd',
      '/a/..%2F..%2F..%2Fsecret',
    ]) {
      const file = resolveAppFile(`${APP_ORIGIN}${sneaky}`, dir, path.join);
      if (file !== null) expect(path.resolve(file).startsWith(`${dir}/`)).toBe(true);
    }
    expect(resolveAppFile(`${APP_ORIGIN}/..%2f..%2fsecret`, dir, path.join)).toBeNull();
    expect(resolveAppFile('app://other-host/index.html', dir, path.join)).toBeNull();
  });
});
