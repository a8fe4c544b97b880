import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface RunningApp {
  url: string;
  dbPath: string;
  process: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Starts the real command line (`market-monitor serve`) on a free port with a fresh database (or `options.dbPath`). */
export async function startHeadlessApp(
  extraArgs: string[] = [],
  options: { dbPath?: string } = {},
): Promise<RunningApp> {
  const dbPath = options.dbPath ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mm-e2e-')), 'market-monitor.db');
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'bin', 'market-monitor.mjs'), 'serve', '--port', '0', '--db', dbPath, ...extraArgs],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start in time:\n${output}`)), 90_000);
    child.stdout!.on('data', () => {
      const match = /serving (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
  });
  return {
    url,
    dbPath,
    process: child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
