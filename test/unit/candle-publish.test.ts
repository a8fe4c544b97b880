// The scale-out contract without a broker: a batch's candle versions are handed to the publisher
// before the batch is committed (a failed publish commits nothing, and the replayed batch publishes
// the same versions), and a viewer's store keeps the newest version of each window whatever order
// the versions arrive in.
import { describe, expect, it } from 'vitest';
import type { BusBatch } from '../../engine/bus/bus.ts';
import { candleKey, candleMessage } from '../../engine/bus/kafka/candle-topics.ts';
import type { Candle } from '../../engine/domain/candle.ts';
import type { Tick } from '../../engine/domain/tick.ts';
import { openDatabase } from '../../engine/store/database.ts';
import { MarketStore } from '../../engine/store/market-store.ts';
import { TickProcessor } from '../../engine/stream/tick-processor.ts';
import { storedCandles } from './helpers.ts';

const BASE = 1_767_225_600_000;

function batch(ticks: readonly Tick[], from = 0): BusBatch {
  return {
    topic: 't',
    partition: 0,
    records: ticks.map((value, i) => ({ offset: from + i, key: value.symbol, value })),
  };
}

function tick(i: number): Tick {
  return { symbol: 'AAPL', ts: BASE + i * 700, price: 100 + (i % 7) / 4, volume: 1 + i, side: 'buy', source: 'replay' };
}

describe('candle versions on the candle topics', () => {
  it('are published before the commit; a failed publish commits nothing and the replay publishes the same versions', async () => {
    const db = openDatabase(':memory:');
    const store = new MarketStore(db);
    const published: string[][] = [];
    let fail = true;
    const processor = new TickProcessor(store, {
      groupId: 'g',
      intervals: ['1s', '1m'],
      outOfOrdernessMs: 1_000,
      allowedLatenessMs: 10_000,
      beforeCommit: async (candles) => {
        // What the broker would hold: serialised when handed over.
        const messages = candles.map((c) => JSON.stringify(candleMessage(c)));
        expect(store.checkpoint('g', 't', 0), 'nothing committed before the publish').toBeUndefined();
        if (fail) throw new Error('broker away');
        published.push(messages);
      },
    });
    const ticks = Array.from({ length: 20 }, (_, i) => tick(i));
    await expect(processor.onBatch(batch(ticks))).rejects.toThrow('broker away');
    expect(storedCandles(db)).toEqual([]);
    expect(store.checkpoint('g', 't', 0)).toBeUndefined();

    fail = false;
    await processor.onBatch(batch(ticks));
    expect(store.checkpoint('g', 't', 0)?.nextOffset).toBe(20);
    const stored = storedCandles(db).length;
    expect(published[0]).toHaveLength(stored);
    // Each published record is keyed symbol|start and carries the candle committed with it.
    const byKey = new Map(
      published[0]!.map((m) => JSON.parse(m) as { key: string; value: string }).map((m) => [`${m.key}`, m.value]),
    );
    for (const candle of store.candles({ symbol: 'AAPL', interval: '1m', limit: 10 }))
      expect(JSON.parse(byKey.get(candleKey(candle))!)).toMatchObject(candle);
  });

  it('a viewer keeps the newest version of a window (most trades), even when an older one comes later', () => {
    const db = openDatabase(':memory:');
    const store = new MarketStore(db);
    const v = (trades: number, close: number): Candle => ({
      symbol: 'AAPL',
      interval: '1m',
      start: BASE,
      open: 100,
      high: Math.max(100, close),
      low: Math.min(100, close),
      close,
      volume: trades,
      turnover: trades * 100,
      trades,
      buyVolume: trades,
      sellVolume: 0,
      openTs: BASE,
      closeTs: BASE + trades,
    });
    const checkpoint = (nextOffset: number) => ({ consumerGroup: 'viewer', topic: 'c.1m', partition: 0, nextOffset });
    expect(store.mergePublishedCandles({ candles: [v(3, 101)], checkpoint: checkpoint(1) })).toHaveLength(1);
    expect(store.mergePublishedCandles({ candles: [v(5, 102)], checkpoint: checkpoint(2) })).toHaveLength(1);
    // A slow engine's older version, read after its successor's newer one: not stored.
    expect(store.mergePublishedCandles({ candles: [v(4, 99)], checkpoint: checkpoint(3) })).toHaveLength(0);
    // The same version again (a replayed batch): identical, stored again harmlessly.
    expect(store.mergePublishedCandles({ candles: [v(5, 102)], checkpoint: checkpoint(4) })).toHaveLength(1);
    expect(store.candles({ symbol: 'AAPL', interval: '1m', limit: 10 })).toEqual([v(5, 102)]);
    expect(store.checkpoint('viewer', 'c.1m', 0)?.nextOffset).toBe(4);
  });
});
