/**
 * The real desktop window, wherever an Electron binary is installed; reported skipped, with the
 * reason in the suite's name, elsewhere (never a silent pass).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { electronUnavailableReason, installedElectronBinary } from '../../scripts/electron-binary.mjs';

const binary = installedElectronBinary();
const reason = electronUnavailableReason();
const root = path.resolve(import.meta.dirname, '..', '..');

function buildIfMissing(): void {
  const steps: [string, string[]][] = [
    ['dist/renderer/index.html', ['node_modules/vite/bin/vite.js', 'build', '--config', 'renderer/vite.config.ts']],
    ['dist/electron/main.cjs', ['scripts/build-electron.mjs']],
  ];
  for (const [output, args] of steps) {
    if (fs.existsSync(path.join(root, output))) continue;
    const built = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
    if (built.status !== 0) throw new Error(`Building ${output} failed`);
  }
}

describe.skipIf(reason !== null)(`Electron smoke test${reason ? ` (skipped: ${reason})` : ''}`, () => {
  it('launches, shows the watchlist, adds a symbol and its chart updates', { timeout: 120_000 }, async () => {
    buildIfMissing();
    const { _electron } = await import('playwright-core');
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-electron-'));
    const app = await _electron.launch({ executablePath: binary!, args: ['.', `--user-data-dir=${home}`], cwd: root });
    try {
      const page = await app.firstWindow();
      await expect.poll(() => page.locator('.watchlist li').count(), { timeout: 20_000 }).toBeGreaterThan(0);
      expect(page.url()).toMatch(/^app:\/\/market-monitor\//);

      // The renderer sees the bridge and nothing of Node, and cannot open windows.
      const surface = await page.evaluate(() => ({
        bridge: Object.keys((window as unknown as { marketMonitor: object }).marketMonitor).sort(),
        require: typeof (globalThis as { require?: unknown }).require,
        process: typeof (globalThis as { process?: unknown }).process,
        popup: window.open('https://example.com/') === null,
      }));
      expect(surface).toEqual({ bridge: ['call', 'onEvent'], require: 'undefined', process: 'undefined', popup: true });

      await page.getByLabel('Symbol to add').fill('TSLA');
      await page.getByRole('button', { name: 'Add' }).click();
      await expect.poll(() => page.locator('.watchlist li[data-symbol="TSLA"]').count(), { timeout: 20_000 }).toBe(1);
      await expect.poll(() => page.locator('.chart-header h2').textContent(), { timeout: 20_000 }).toBe('TSLA');
      const legend = page.getByTestId('legend');
      await expect.poll(() => legend.getAttribute('data-close'), { timeout: 20_000 }).not.toBeNull();
      const first = `${await legend.getAttribute('data-close')}@${await legend.locator('.legend-time').textContent()}`;
      await expect
        .poll(
          async () =>
            `${await legend.getAttribute('data-close')}@${await legend.locator('.legend-time').textContent()}`,
          {
            timeout: 20_000,
          },
        )
        .not.toBe(first);
      expect(fs.existsSync(path.join(home, 'market-monitor.db'))).toBe(true);
    } finally {
      await app.close();
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
