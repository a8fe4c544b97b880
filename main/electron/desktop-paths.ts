import path from 'node:path';

export interface DesktopPaths {
  database: string;
  windowState: string;
  logs: string;
}

/** Everything the desktop app keeps lives in the platform's user-data folder, logs in its log folder. */
export function desktopPaths(userData: string, logs: string): DesktopPaths {
  return {
    database: path.join(userData, 'market-monitor.db'),
    windowState: path.join(userData, 'window-state.json'),
    logs,
  };
}
