import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RotatingLog, formatLine } from '../../main/electron/rotating-log.ts';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-log-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const fixedClock = () => new Date('2026-05-01T12:00:00.000Z');
const read = (file: string) => fs.readFileSync(file, 'utf8');

describe('rotating log', () => {
  it('writes one timestamped line per record, creating the folder', () => {
    const log = new RotatingLog({ dir: path.join(dir, 'logs'), now: fixedClock });
    log.info('started');
    log.error('failed', new Error('boom\nsecond line'));
    const lines = read(log.file).trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('2026-05-01T12:00:00.000Z INFO  started');
    expect(lines[1]).toMatch(/^2026-05-01T12:00:00.000Z ERROR failed Error: boom\\nsecond line/);
  });

  it('serialises details that are not errors', () => {
    expect(formatLine(fixedClock(), 'warn', 'x', { a: 1 })).toBe('2026-05-01T12:00:00.000Z WARN  x {"a":1}\n');
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(formatLine(fixedClock(), 'debug', 'y', circular)).toContain('[object Object]');
  });

  it('rotates before a file would pass its size, keeping the newest N files', () => {
    const log = new RotatingLog({ dir, maxBytes: 200, keep: 2, now: fixedClock });
    const lineBytes = Buffer.byteLength(formatLine(fixedClock(), 'info', 'record 00'));
    for (let i = 0; i < 20; i++) log.info(`record ${String(i).padStart(2, '0')}`);
    const files = fs.readdirSync(dir).sort();
    expect(files).toEqual(['main.1.log', 'main.2.log', 'main.log']);
    for (const file of files) expect(fs.statSync(path.join(dir, file)).size).toBeLessThanOrEqual(200);
    const perFile = Math.floor(200 / lineBytes);
    // The newest records survive, in order, across the rotated files; the oldest are gone.
    const kept = [log.rotatedFile(2), log.rotatedFile(1), log.file].flatMap((f) => read(f).trimEnd().split('\n'));
    expect(kept.at(-1)).toContain('record 19');
    expect(kept[0]).not.toContain('record 00');
    expect(kept.map((l) => Number(l.slice(-2)))).toEqual(
      Array.from({ length: kept.length }, (_, i) => 20 - kept.length + i),
    );
    expect(kept.length).toBeGreaterThan(2 * perFile);
  });

  it('continues an existing file after a restart and counts its size', () => {
    new RotatingLog({ dir, maxBytes: 120, now: fixedClock }).info('a'.repeat(60));
    const again = new RotatingLog({ dir, maxBytes: 120, now: fixedClock });
    again.info('b'.repeat(60));
    expect(read(again.rotatedFile(1))).toContain('aaa');
    expect(read(again.file)).toContain('bbb');
  });

  it('with keep 0 starts the file over instead of keeping old ones', () => {
    const log = new RotatingLog({ dir, maxBytes: 100, keep: 0, now: fixedClock });
    log.info('x'.repeat(60));
    log.info('y'.repeat(60));
    expect(fs.readdirSync(dir)).toEqual(['main.log']);
    expect(read(log.file)).not.toContain('xxx');
  });

  it('a line larger than the limit still gets written, alone', () => {
    const log = new RotatingLog({ dir, maxBytes: 50, now: fixedClock });
    log.info('z'.repeat(100));
    expect(read(log.file)).toContain('z'.repeat(100));
  });

  it('never throws when the folder disappears under it', () => {
    const log = new RotatingLog({ dir: path.join(dir, 'gone'), now: fixedClock });
    fs.rmSync(path.join(dir, 'gone'), { recursive: true });
    expect(() => log.warn('still alive')).not.toThrow();
  });
});
