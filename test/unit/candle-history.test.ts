import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeColumnFrame, encodeColumnFrame } from '../../engine/api/column-frame.ts';
import { commands, type CommandArgs } from '../../engine/api/contract.ts';
import type { Candle } from '../../engine/domain/candle.ts';
import { CANDLE_COLUMN_FIELDS, CandleHistory } from '../../engine/store/candle-history.ts';
import { openDatabase } from '../../engine/store/database.ts';
import { MarketStore } from '../../engine/store/market-store.ts';

function candle(symbol: string, start: number, i: number): Candle {
  const close = 100 + Math.sin(i) * 3.123456789123457;
  return {
    symbol,
    interval: '1m',
    start,
    open: close - 0.25,
    high: close + 1 / 3,
    low: close - 2 / 3,
    close,
    volume: 10 + i,
    turnover: (10 + i) * close,
    trades: i % 7,
    buyVolume: 4 + i,
    sellVolume: 6,
    openTs: start + 1,
    closeTs: start + 59_999,
  };
}

function seeded() {
  const db = openDatabase(':memory:');
  const store = new MarketStore(db);
  const starts = Array.from({ length: 50 }, (_, i) => 1_700_000_000_000 + 60_000 * i);
  store.commitBatch({
    ticks: [],
    candles: [...starts.map((s, i) => candle('AAPL', s, i)), candle('MSFT', starts[3]!, 99)],
    deadLetters: [],
    checkpoint: { consumerGroup: 'g', topic: 't', partition: 0, nextOffset: 0, maxEventTs: null },
    fromOffset: 0,
  });
  return { db, store, history: new CandleHistory(db), starts };
}

/** The candles of a columns answer, as rows, with the fields `candles.history` carries. */
function rowsOf(columns: ReturnType<CandleHistory['columns']>) {
  return Array.from(columns.start, (_, i) =>
    Object.fromEntries([
      ['symbol', columns.symbol],
      ['interval', columns.interval],
      ...CANDLE_COLUMN_FIELDS.map((f) => [f, columns[f][i]]),
    ]),
  );
}
const pick = (c: Candle) => ({
  symbol: c.symbol,
  interval: c.interval,
  ...Object.fromEntries(CANDLE_COLUMN_FIELDS.map((f) => [f, c[f]])),
});

describe('candles.history', () => {
  it('holds the same candles as candles.list for the same query, one array per field, oldest first', () => {
    const { db, store, history, starts } = seeded();
    const query = (q: Partial<CommandArgs<'candles.history'>>) =>
      commands['candles.history'].input.parse({ symbol: 'AAPL', interval: '1m', ...q });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.option(fc.integer({ min: 0, max: 49 }), { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: 49 }), { nil: undefined }),
        fc.constantFrom('AAPL', 'MSFT', 'NONE'),
        (limit, from, to, symbol) => {
          const q = query({
            symbol,
            limit,
            ...(from === undefined ? {} : { from: starts[from]! }),
            ...(to === undefined ? {} : { to: starts[to]! }),
          });
          const columns = history.columns(q);
          expect(rowsOf(columns)).toEqual(store.candles(q).map(pick));
          expect(commands['candles.history'].output.parse(columns)).toEqual(columns);
          for (const f of CANDLE_COLUMN_FIELDS) expect(columns[f]).toHaveLength(columns.start.length);
        },
      ),
      { numRuns: 200 },
    );
    db.close();
  });

  it('crosses the WebSocket as a binary column frame that decodes to exactly the same answer', () => {
    const { db, history } = seeded();
    for (const symbol of ['AAPL', 'MSFT', 'NONE']) {
      const columns = history.columns({ symbol, interval: '1m', limit: 1_000 });
      const frame = encodeColumnFrame(7, columns as unknown as Record<string, unknown>);
      // Decoding must not depend on where the frame sits in its buffer (Node hands out pooled slices).
      const shifted = new Uint8Array(frame.length + 3);
      shifted.set(frame, 3);
      for (const bytes of [frame, shifted.subarray(3)]) {
        const decoded = decodeColumnFrame(bytes);
        expect(decoded.id).toBe(7);
        expect(decoded.result).toEqual({ ok: true, output: columns });
      }
    }
    db.close();
  });
});
