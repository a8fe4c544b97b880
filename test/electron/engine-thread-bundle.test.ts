/**
 * The desktop app starts its engine from dist/electron/engine-thread.cjs, the file beside main.cjs
 * (main/engine-thread/engine-worker.ts looks for it there). Built here as `npm run build:electron`
 * builds it, and run as the app runs it: a worker thread of the main process, outside Electron.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import type { ThreadMessage } from '../../main/engine-thread/messages.ts';
import { syncCallBuffer } from '../../main/engine-thread/sync-call.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const BUNDLE = path.join(ROOT, 'dist', 'electron', 'engine-thread.cjs');

describe("the desktop app's engine thread, bundled", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-engine-bundle-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is built beside main.cjs, opens the app and answers through the contract', async () => {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-electron.mjs')], { cwd: ROOT, stdio: 'pipe' });
    expect(fs.existsSync(path.join(path.dirname(BUNDLE), 'main.cjs'))).toBe(true);
    const worker = new Worker(BUNDLE, {
      workerData: {
        options: { dbPath: path.join(dir, 'market-monitor.db'), starterSymbols: ['AAA'] },
        sqlProcesses: false,
        sync: syncCallBuffer(),
      },
    });
    const seen: ThreadMessage[] = [];
    const next = (type: ThreadMessage['type']) =>
      new Promise<ThreadMessage>((resolve, reject) => {
        const onMessage = (message: ThreadMessage) => {
          seen.push(message);
          if (message.type === 'failed') reject(new Error(message.message));
          if (message.type !== type) return;
          worker.off('message', onMessage);
          resolve(message);
        };
        worker.on('message', onMessage);
      });
    try {
      await next('ready');
      worker.postMessage({ type: 'call', id: 1, name: 'watchlist.list', input: {} });
      const answer = await next('result');
      expect(answer).toMatchObject({ type: 'result', id: 1, result: { ok: true, output: [{ symbol: 'AAA' }] } });
      worker.postMessage({ type: 'close' });
      await next('closed');
    } finally {
      await worker.terminate();
    }
  });
});
