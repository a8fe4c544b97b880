import { describe, expect, it } from 'vitest';
import type { BusBatch } from '../../engine/bus/bus.ts';
import type { Tick } from '../../engine/domain/tick.ts';
import { openDatabase } from '../../engine/store/database.ts';
import { MarketStore } from '../../engine/store/market-store.ts';
import { TickProcessor, type ProcessorOptions } from '../../engine/stream/tick-processor.ts';
import { sqlCandles, storedCandles } from './helpers.ts';

const TOPIC = 'market.ticks';
const NOW = Date.parse('2026-12-02T15:00:00Z');
const FAR_FUTURE = Date.parse('2100-01-01T00:00:00Z');
const SKEW = 10 * 60_000;

function processorOn(store: MarketStore, warnings: string[] = []): TickProcessor {
  const options: ProcessorOptions = {
    groupId: 'g',
    intervals: ['1m'],
    outOfOrdernessMs: 2_000,
    allowedLatenessMs: 60_000,
    futureSkewMs: SKEW,
    now: () => NOW,
    warn: (message) => warnings.push(message),
  };
  return new TickProcessor(store, options);
}

const tick = (ts: number, price = 10): Tick => ({ symbol: 'AAPL', ts, price, volume: 1, source: 'replay' });

function batch(ticks: Tick[], firstOffset: number): BusBatch {
  return {
    topic: TOPIC,
    partition: 0,
    records: ticks.map((value, i) => ({ offset: firstOffset + i, key: 'AAPL', value })),
  };
}

/** 50 ordinary ticks, a second apart, from an hour ago. */
const ordinary = (from = NOW - 3_600_000) => Array.from({ length: 50 }, (_, i) => tick(from + i * 1_000, 10 + i / 4));

describe('event times from the future', () => {
  it('are dead-lettered and do not move the watermark', async () => {
    const db = openDatabase(':memory:');
    const store = new MarketStore(db);
    await processorOn(store).onBatch(batch([tick(FAR_FUTURE), ...ordinary()], 0));
    expect(store.tickCount()).toBe(50);
    const letters = store.recentDeadLetters(10);
    expect(letters).toHaveLength(1);
    expect(letters[0]!.reason).toMatch(/^from the future: 2100-01-01T00:00:00.000Z is more than 10 min ahead/);
    expect(store.checkpoint('g', TOPIC, 0)!.maxEventTs).toBe(NOW - 3_600_000 + 49_000);
    expect(storedCandles(db, '1m')).toEqual(sqlCandles(db, '1m', 60_000));
  });

  it('accepts a tick within the skew ahead of the clock', async () => {
    const store = new MarketStore(openDatabase(':memory:'));
    await processorOn(store).onBatch(batch([tick(NOW + SKEW)], 0));
    expect(store.tickCount()).toBe(1);
    expect(store.deadLetterCount()).toBe(0);
  });

  it('repair a database already poisoned: the stored watermark restarts from the newest plausible time', async () => {
    const db = openDatabase(':memory:');
    const store = new MarketStore(db);
    await processorOn(store).onBatch(batch(ordinary(), 0));
    // What a version without the bound left behind: the far-future tick stored, its time checkpointed.
    const clockIn2100 = {
      groupId: 'g',
      intervals: ['1m'] as const,
      outOfOrdernessMs: 2_000,
      allowedLatenessMs: 60_000,
    };
    await new TickProcessor(store, { ...clockIn2100, now: () => FAR_FUTURE }).onBatch(batch([tick(FAR_FUTURE)], 50));
    expect(store.checkpoint('g', TOPIC, 0)!.maxEventTs).toBe(FAR_FUTURE);

    const warnings: string[] = [];
    const later = ordinary(NOW - 600_000);
    await processorOn(store, warnings).onBatch(batch(later, 51));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('2100-01-01T00:00:00.000Z) is from the future');
    expect(store.tickCount()).toBe(101);
    expect(store.deadLetterCount()).toBe(0);
    expect(store.checkpoint('g', TOPIC, 0)!.maxEventTs).toBe(later.at(-1)!.ts);
    expect(storedCandles(db, '1m')).toEqual(sqlCandles(db, '1m', 60_000));
  });
});
