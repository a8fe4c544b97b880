import { electronUnavailableReason, installedElectronBinary } from '../../scripts/electron-binary.mjs';
import { describe, expect, it } from 'vitest';

/** The real desktop window, wherever an Electron binary is installed; reported skipped, with the reason, elsewhere. */
const binary = installedElectronBinary();
const reason = electronUnavailableReason();

describe.skipIf(reason !== null)(`Electron smoke test${reason ? ` (skipped: ${reason})` : ''}`, () => {
  it('launches, shows the watchlist, adds a symbol and its chart updates', async () => {
    const { _electron } = await import('playwright-core');
    const os = await import('node:os');
    const path = await import('node:path');
    const fs = await import('node:fs');
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-electron-'));
    const app = await _electron.launch({ executablePath: binary!, args: ['.', `--user-data-dir=${home}`] });
    try {
      const page = await app.firstWindow();
      await expect.poll(() => page.locator('.watchlist li').count(), { timeout: 20_000 }).toBeGreaterThan(0);
      await page.getByLabel('Symbol to add').fill('TSLA');
      await page.getByRole('button', { name: 'Add' }).click();
      await expect
        .poll(() => page.getByTestId('legend').getAttribute('data-close'), { timeout: 20_000 })
        .not.toBeNull();
    } finally {
      await app.close();
    }
  });
});
