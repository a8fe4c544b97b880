import os from 'node:os';
import path from 'node:path';

/** Where a user's data lives when no --db is given: the platform's per-user data folder. */
export function defaultDataDir(): string {
  if (process.env.MARKET_MONITOR_HOME) return process.env.MARKET_MONITOR_HOME;
  const home = os.homedir();
  switch (process.platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', 'Market Monitor');
    case 'win32':
      return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Market Monitor');
    default:
      return path.join(process.env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'market-monitor');
  }
}

export function defaultDbPath(): string {
  return path.join(defaultDataDir(), 'market-monitor.db');
}

/** The built renderer, next to the sources in a checkout. */
export function rendererDir(): string {
  return path.resolve(import.meta.dirname, '..', 'dist', 'renderer');
}
