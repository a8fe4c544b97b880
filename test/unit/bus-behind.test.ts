import { describe, expect, it } from 'vitest';
import { busBehind, type BusHealth } from '../../engine/bus/bus.ts';

const health = (over: Partial<BusHealth>): BusHealth => ({
  kind: 'kafka',
  topic: 'market.ticks',
  connected: true,
  partitions: [{ partition: 0, endOffset: 100, consumedOffset: 100, lag: 0 }],
  buffered: 0,
  bufferCapacity: 1_000,
  ...over,
});

describe('busBehind (when the engine has taken everything the bus holds)', () => {
  it('is caught up only with nothing buffered, no lag, and a bus that sees its cluster', () => {
    expect(busBehind(health({}))).toBe(false);
    expect(busBehind(health({ buffered: 1 }))).toBe(true);
    expect(busBehind(health({ partitions: [{ partition: 0, endOffset: 101, consumedOffset: 100, lag: 1 }] }))).toBe(
      true,
    );
  });

  it('counts a Kafka bus that lost sight of its cluster as behind: its end offsets are an old look', () => {
    // The CLI replay drained against such a view and closed with records still in the topic.
    expect(busBehind(health({ connected: false, error: 'Request timed out' }))).toBe(true);
  });
});
