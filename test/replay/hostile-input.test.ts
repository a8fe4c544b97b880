import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Tick } from '../../engine/domain/tick.ts';
import { ReplaySource } from '../../engine/sources/replay/replay-source.ts';
import { ROOT, runCli } from '../support/cli.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-hostile-replay-'));
const HOUR_AGO = Date.now() - 3_600_000;
/** Each test here starts the real command line, which takes seconds on a busy machine. */
const CLI_BUDGET = { timeout: 180_000 };

function csv(name: string, lines: string[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, ['symbol,timestamp,price,volume', ...lines].join('\n'));
  return file;
}

/** Ticks a second apart from `from`, as CSV lines. */
const ordinary = (count: number, from = HOUR_AGO) =>
  Array.from({ length: count }, (_, i) => `AAPL,${from + i * 1_000},${100 + (i % 7) / 4},${1 + (i % 5)}`);

function query<T>(db: string, sql: string): T[] {
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare(sql).all() as T[];
  } finally {
    d.close();
  }
}

describe('replay of hostile input', CLI_BUDGET, () => {
  const db = path.join(dir, 'hostile.db');
  const TICKS = 2_000;

  it('dead-letters a far-future row, refuses out-of-range times and malformed rows, and stores the rest', async () => {
    const [a, b, ...rest] = ordinary(TICKS);
    const file = csv('hostile.csv', [
      'AAPL,2100-01-01T00:00:00Z,1,1', // line 2
      a!,
      `${b},extra`, // line 4
      'AAPL,123', // line 5
      `AAPL,"${HOUR_AGO},1,1`, // line 6: a quote never closed
      '\u0000\u00ff\ufffd,\u0001', // line 7: binary garbage
      'AAPL,8640000000000000,1,1', // line 8: the last instant of JavaScript's dates
      'AAPL,9999-12-31T23:59:59Z,1,1', // line 9: within the schema, beyond the clock
      ...rest,
    ]);
    const result = await runCli(['replay', file, '--db', db]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('skipped line 4: 5 fields where the header has 4');
    expect(result.stderr).toContain('skipped line 5: 2 fields where the header has 4');
    expect(result.stderr).toContain('skipped line 6: a quote is not closed');
    expect(result.stderr).toContain('skipped line 7: 2 fields where the header has 4');
    expect(result.stderr).toContain('skipped line 8: ts: a time after the year 9999');
    expect(result.stderr).toMatch(/refused .*"ts":4102444800000.*: from the future: 2100-01-01T00:00:00.000Z is more/);
    expect(result.stderr).toMatch(/refused .*: from the future: 9999-12-31T23:59:59.000Z/);
    expect(result.stdout).toContain('5 rows skipped (5 unreadable or invalid)');
    expect(result.stdout).toContain(`${TICKS - 1} ticks accepted, 0 too late, 2 invalid`);
    expect(query(db, 'SELECT count(*) AS n FROM ticks')).toEqual([{ n: TICKS - 1 }]);
    expect(query(db, 'SELECT max_event_ts AS ts FROM checkpoints')).toEqual([{ ts: HOUR_AGO + (TICKS - 1) * 1_000 }]);
  });

  it('repairs a database whose watermark a far-future tick already poisoned', async () => {
    const poisoned = path.join(dir, 'poisoned.db');
    // A skew of 95 years lets the 2100 tick in, as versions without the bound did.
    const poison = csv('poison.csv', ['AAPL,2100-01-01T00:00:00Z,1,1']);
    const first = await runCli(['replay', poison, '--db', poisoned, '--future-skew', '3000000000000']);
    expect(first.stdout).toContain('1 ticks accepted');
    expect(query(poisoned, 'SELECT max_event_ts AS ts FROM checkpoints')).toEqual([{ ts: Date.parse('2100-01-01') }]);
    const result = await runCli(['replay', csv('real.csv', ordinary(30)), '--db', poisoned]);
    expect(result.stderr).toContain('(2100-01-01T00:00:00.000Z) is from the future; it restarts');
    expect(result.stdout).toContain('30 ticks accepted, 0 too late, 0 invalid');
    expect(query(poisoned, 'SELECT max_event_ts AS ts FROM checkpoints')).toEqual([{ ts: HOUR_AGO + 29_000 }]);
  });

  it('answers a directory, impossible speeds and unknown options in one line with a hint', async () => {
    const file = csv('speed.csv', ordinary(1));
    const [folder, infinite, huge, unknown] = await Promise.all([
      runCli(['replay', dir, '--db', path.join(dir, 'x.db')]),
      runCli(['replay', file, '--speed', 'Infinity', '--db', path.join(dir, 'x.db')]),
      runCli(['replay', file, '--speed', '1e9', '--db', path.join(dir, 'x.db')]),
      runCli(['replay', file, '--speeed', '2']),
    ]);
    for (const [result, message] of [
      [folder, 'is not a file'],
      [infinite, '--speed must be "max" or a number above 0 and up to 1000000, not "Infinity"'],
      [huge, 'not "1e9"'],
      [unknown, "Unknown option '--speeed'"],
    ] as const) {
      expect(result.code).toBe(2);
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines, result.stderr).toHaveLength(2);
      expect(lines[0]).toContain(message);
      expect(lines[1]).toContain('market-monitor --help');
    }
  });

  it('ends `export --out - | head` quietly', async () => {
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'bin', 'market-monitor.mjs'), 'export', 'candles', '--db', db, '--interval', '1s', '--out', '-'],
      { cwd: ROOT },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // Like head: read the first chunk, then close the pipe while the rest (over 100 KB) is still coming.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

describe('the bad-row threshold of a replay', () => {
  async function replay(file: string, maxBadRows: number): Promise<{ source: ReplaySource; ticks: Tick[] }> {
    const source = new ReplaySource({ file, speed: 'max', maxBadRows, batchSize: 3 });
    const ticks: Tick[] = [];
    source.start(async (batch) => void ticks.push(...batch));
    await source.done;
    return { source, ticks };
  }

  it('stops once more rows than the limit are bad, passing on the rows read before', async () => {
    const file = csv('threshold.csv', [...ordinary(5), 'x', 'AAPL,x,1,1', 'z', ...ordinary(5, HOUR_AGO + 10_000)]);
    const strict = await replay(file, 2);
    expect(strict.source.status()).toMatchObject({
      state: 'error',
      message: expect.stringContaining(
        'stopped after more than 2 bad rows (the last, line 9: 1 fields where the header has 4)',
      ),
    });
    expect(strict.ticks).toHaveLength(5);
    const lenient = await replay(file, 3);
    expect(lenient.source.status().state).toBe('stopped');
    expect(lenient.ticks).toHaveLength(10);
    expect(lenient.source.progress.errors).toEqual([
      'line 7: 1 fields where the header has 4',
      expect.stringMatching(/^line 8: "x" is neither/),
      'line 9: 1 fields where the header has 4',
    ]);
  });
});
