/**
 * The installer configuration, checked without building installers (that needs an Electron download):
 * electron-builder's own loader and schema validation, then the product's requirements.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const resources = path.join(root, 'resources');
const require = createRequire(import.meta.url);
const config = parse(fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as Record<string, any>;
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  main: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
};

/** Width and height from a PNG's IHDR chunk. */
function pngSize(buffer: Buffer): [number, number] {
  expect(buffer.subarray(1, 4).toString('latin1')).toBe('PNG');
  return [buffer.readUInt32BE(16), buffer.readUInt32BE(20)];
}

describe('electron-builder configuration', () => {
  it("passes electron-builder's own schema validation", async () => {
    const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
      getConfig: (dir: string, file: string | null, extra: null) => Promise<Record<string, unknown>>;
      validateConfiguration: (config: unknown, logger: unknown) => Promise<void>;
    };
    const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    const loaded = await getConfig(root, path.join(root, 'electron-builder.yml'), null);
    await expect(validateConfiguration(loaded, new DebugLogger(false))).resolves.toBeUndefined();
    await expect(validateConfiguration({ ...loaded, noSuchOption: 1 }, new DebugLogger(false))).rejects.toThrow();
  });

  it('names the app and builds AppImage + deb, NSIS and DMG', () => {
    expect(config.appId).toMatch(/^[a-z]+(\.[a-z0-9-]+)+$/);
    expect(config.productName).toBe('Market Monitor');
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toBe('nsis');
    expect(config.mac.target).toBe('dmg');
  });

  it('sets the fuses of a shipped app', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableCookieEncryption: true,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      grantFileProtocolExtraPrivileges: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
    });
  });

  it('unpacks the better-sqlite3 native module and ships its Node-API prebuilds as they are', () => {
    expect(config.asarUnpack).toContain('node_modules/better-sqlite3/**');
    expect(pkg.dependencies['better-sqlite3']).toBeDefined();
    const prebuilds = fs.readdirSync(path.join(root, 'node_modules', 'better-sqlite3', 'prebuilds'));
    for (const target of ['linux-x64', 'win32-x64', 'darwin-arm64', 'darwin-x64'])
      expect(prebuilds, target).toContain(`${target}.node`);
    expect(config.npmRebuild).toBe(false);
  });

  it('packs what the main process loads at run time', () => {
    expect(config.extraMetadata.main).toBe(pkg.main);
    expect(pkg.main).toBe('dist/electron/main.cjs');
    const build = fs.readFileSync(path.join(root, 'scripts', 'build-electron.mjs'), 'utf8');
    expect(build).toContain("outfile: 'dist/electron/main.cjs'");
    expect(build).toContain("outfile: 'dist/electron/preload.cjs'");
    expect(config.files).toEqual(
      expect.arrayContaining([
        'dist/electron/**',
        'dist/renderer/**',
        'resources/tray/**',
        'resources/icons/256x256.png',
      ]),
    );
  });

  it('has npm run dist', () => {
    expect(pkg.scripts.dist).toMatch(/npm run build/);
    expect(pkg.scripts.dist).toMatch(/electron-builder/);
  });
});

describe('icons', () => {
  it('has a PNG for every size from 16 to 1024, the right size each', () => {
    const dir = path.join(resources, config.linux.icon);
    for (const size of [16, 24, 32, 48, 64, 128, 256, 512, 1024]) {
      const [w, h] = pngSize(fs.readFileSync(path.join(dir, `${size}x${size}.png`)));
      expect([w, h], `${size}`).toEqual([size, size]);
    }
    expect(pngSize(fs.readFileSync(path.join(resources, 'icon.png')))).toEqual([1024, 1024]);
  });

  it('has a Windows .ico with the sizes Explorer and the task bar use', () => {
    const ico = fs.readFileSync(path.join(resources, config.win.icon));
    expect(ico.readUInt16LE(0)).toBe(0);
    expect(ico.readUInt16LE(2)).toBe(1); // 1 = icon
    const count = ico.readUInt16LE(4);
    const sizes = Array.from({ length: count }, (_, i) => ico[6 + i * 16] || 256);
    expect(sizes).toEqual(expect.arrayContaining([16, 32, 48, 256]));
  });

  it('has a macOS .icns up to 1024 (retina 512)', () => {
    const icns = fs.readFileSync(path.join(resources, config.mac.icon));
    expect(icns.subarray(0, 4).toString('latin1')).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const types: string[] = [];
    for (let offset = 8; offset < icns.length; offset += icns.readUInt32BE(offset + 4))
      types.push(icns.subarray(offset, offset + 4).toString('latin1'));
    expect(types).toEqual(expect.arrayContaining(['ic10', 'ic09', 'ic08', 'ic07']));
  });

  it('has tray images for each connection state, at 1x and 2x', () => {
    for (const state of ['live', 'degraded', 'offline']) {
      expect(pngSize(fs.readFileSync(path.join(resources, 'tray', `${state}.png`)))).toEqual([16, 16]);
      expect(pngSize(fs.readFileSync(path.join(resources, 'tray', `${state}@2x.png`)))).toEqual([32, 32]);
    }
  });

  it('keeps the SVG source the images are rendered from', () => {
    expect(fs.readFileSync(path.join(resources, 'icon.svg'), 'utf8')).toMatch(/<svg[^>]+viewBox="0 0 1024 1024"/);
  });
});
