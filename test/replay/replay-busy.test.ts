import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { startHeadlessApp, type RunningApp } from '../support/headless-app.ts';

let running: RunningApp | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

function replayTicks(dbPath: string): number {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare("SELECT count(*) FROM ticks WHERE source = 'replay'").pluck().get() as number;
  } finally {
    db.close();
  }
}

describe('replay into a database a running app uses', () => {
  it('is refused at once with a message that says what to do, and imports once the app has stopped', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-replay-busy-'));
    const dbPath = path.join(dir, 'market.db');
    const file = path.join(dir, 'ticks.csv');
    // Trades from now on: newer than anything the app stored, so none is late once it has stopped.
    const writeTrades = (t0: number) =>
      fs.writeFileSync(
        file,
        [
          'symbol,timestamp,price,volume',
          ...Array.from({ length: 50 }, (_, i) => `TSLA,${t0 + i * 100},180,${i + 1}`),
        ].join('\n'),
      );
    writeTrades(Date.now());
    running = await startHeadlessApp([], { dbPath });

    const refused = await runCli(['replay', file, '--db', dbPath]);
    expect(refused.code, refused.stdout + refused.stderr).toBe(1);
    expect(refused.stderr).toContain(`The database ${dbPath} is in use by another running Market Monitor`);
    expect(refused.stderr).toContain('Stop it first, or use another database with --db');
    expect(replayTicks(dbPath)).toBe(0);
    // The running app was not disturbed.
    expect(running.process.exitCode).toBeNull();

    await running.stop();
    writeTrades(Date.now() + 1_000);
    const imported = await runCli(['replay', file, '--db', dbPath]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('50 ticks accepted');
    expect(replayTicks(dbPath)).toBe(50);
  }, 180_000);
});
