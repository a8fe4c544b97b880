// Finds an installed Electron binary without triggering its download (electron's own require does).
import fs from 'node:fs';
import path from 'node:path';

const electronDir = path.resolve(import.meta.dirname, '..', 'node_modules', 'electron');

/** The binary's path, or null with the reason in `electronMissingReason()`. */
export function installedElectronBinary() {
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) return path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, 'electron');
  try {
    const relative = fs.readFileSync(path.join(electronDir, 'path.txt'), 'utf8');
    const binary = path.join(electronDir, 'dist', relative);
    return fs.existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

/** Why the desktop window cannot open here, or null when it can. */
export function electronUnavailableReason() {
  if (!installedElectronBinary()) {
    return 'no Electron binary is installed (run "npx install-electron" where Electron\'s download servers are reachable)';
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return 'there is no display (DISPLAY is not set)';
  }
  return null;
}
