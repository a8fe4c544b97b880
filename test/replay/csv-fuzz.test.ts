import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import type { ReplaySource } from '../../engine/sources/replay/replay-source.ts';
import { expectCandlesEqualRecomputation } from '../support/recompute.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-csv-fuzz-'));
const T0 = Date.now() - 6 * 3_600_000;

/** A row that is a tick: quarter prices and whole volumes, so every sum is exact. */
const goodRow = fc.record({
  symbol: fc.constantFrom('AAPL', 'MSFT', 'brk-b', '"NVDA"'),
  step: fc.integer({ min: 0, max: 90_000 }),
  price: fc.integer({ min: 1, max: 4_000 }).map((q) => q / 4),
  volume: fc.integer({ min: 0, max: 1_000 }),
  side: fc.constantFrom('buy', 'SELL', ''),
  iso: fc.boolean(),
});

/** Rows no replay may store, each with a different way of being broken. */
const badRow = fc.oneof(
  fc.constant('AAPL,2024-05-01T14:30:00Z,1'), // a field missing
  fc.constant('AAPL,2024-05-01T14:30:00Z,1,1,buy,extra'), // one too many
  fc.constant('AAPL,"2024-05-01T14:30:00Z,1,1,buy'), // a quote never closed
  fc.constant('AAPL,"2024"x,1,1,buy'), // text after a closing quote
  fc.constant('AAPL,8640000000000001,1,1,buy'), // beyond JavaScript's dates
  fc.constant('AAPL,not a time,1,1,buy'),
  fc.constant('AAPL,2024-05-01T14:30:00Z,-1,1,buy'),
  fc.constant('bad symbol!,2024-05-01T14:30:00Z,1,1,buy'),
  fc.uint8Array({ minLength: 1, maxLength: 60 }).map(
    (bytes) =>
      // Garbage with neither line breaks nor commas, so it is one line of one field.
      // (and a control character first, so it is never blank).
      '\u0001' + Buffer.from(bytes.map((b) => (b === 0x0a || b === 0x0d || b === 0x2c ? 0x3f : b))).toString('latin1'),
  ),
);

/** Valid to the reader but not to the engine: dead-lettered, never stored, never moving the watermark. */
const futureRow = fc.constantFrom('AAPL,2100-01-01T00:00:00Z,1,1,buy', 'MSFT,9999-12-31T23:59:59Z,1,1,sell');

const line = fc.oneof(
  { weight: 8, arbitrary: goodRow.map((row) => ({ kind: 'good' as const, row })) },
  { weight: 2, arbitrary: badRow.map((text) => ({ kind: 'bad' as const, text })) },
  { weight: 1, arbitrary: futureRow.map((text) => ({ kind: 'future' as const, text })) },
  { weight: 1, arbitrary: fc.constantFrom('', '   ').map((text) => ({ kind: 'blank' as const, text })) },
);

type Line = typeof line extends fc.Arbitrary<infer T> ? T : never;

/** The file's text, and what an independent reading of it expects. */
function render(lines: readonly Line[], crlf: boolean) {
  let ts = T0;
  const badLines: number[] = [];
  let good = 0;
  let future = 0;
  const text = ['symbol,timestamp,price,volume,side'];
  for (const entry of lines) {
    const lineNo = text.length + 1;
    if (entry.kind === 'good') {
      ts += entry.row.step; // event times only move forward: no tick is late
      const when = entry.row.iso ? new Date(ts).toISOString() : String(ts);
      text.push([entry.row.symbol, when, entry.row.price, entry.row.volume, entry.row.side].join(','));
      good++;
    } else {
      text.push(entry.text);
      if (entry.kind === 'bad') badLines.push(lineNo);
      if (entry.kind === 'future') future++;
    }
  }
  return { text: text.join(crlf ? '\r\n' : '\n'), good, future, badLines };
}

describe('replay of generated CSV files', () => {
  it('stores exactly the good rows, names every bad one by its line, and keeps candles equal to the ticks', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 120 }), fc.boolean(), async (lines, crlf) => {
        const expected = render(lines, crlf);
        const file = path.join(dir, `fuzz-${++run}.csv`);
        fs.writeFileSync(file, expected.text);
        const app = await MarketMonitor.open({
          dbPath: path.join(dir, `fuzz-${run}.db`),
          overrides: { source: { kind: 'replay', replay: { file, maxBadRows: 1_000 } } },
        });
        try {
          const source = app.currentSource as ReplaySource;
          await source.done;
          await app.drain();
          expect(source.status().state, source.status().message).toBe('stopped');
          expect(source.progress.bad).toBe(expected.badLines.length);
          const reported = source.progress.errors.map((e) => Number(/^line (\d+):/.exec(e)![1]));
          expect(reported).toEqual(expected.badLines.slice(0, reported.length));
          expect(app.store.tickCount()).toBe(expected.good);
          expect(app.store.deadLetterCount()).toBe(expected.future);
          const { accepted, late } = app.status().engine;
          expect({ accepted, late }).toEqual({ accepted: expected.good, late: 0 });
          expectCandlesEqualRecomputation(app.db);
        } finally {
          await app.close();
        }
      }),
      { numRuns: 20, interruptAfterTimeLimit: 40_000 },
    );
  }, 120_000);
});
