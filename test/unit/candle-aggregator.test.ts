import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type { Candle } from '../../engine/domain/candle.ts';
import type { Interval } from '../../engine/domain/interval.ts';
import type { Tick } from '../../engine/domain/tick.ts';
import { CandleAggregator } from '../../engine/stream/candle-aggregator.ts';

const INTERVALS: Interval[] = ['1s', '1m', '1h'];
const SIZE: Record<string, number> = { '1s': 1_000, '1m': 60_000, '1h': 3_600_000 };
const BASE = 1_700_000_000_000;

/**
 * Prices are multiples of 1/4 and volumes multiples of 1/2, kept small, so that every sum is exact
 * in binary floating point whatever the order: the comparison can be exact.
 */
const tickArb = fc.record({
  symbol: fc.constantFrom('AAPL', 'MSFT', 'BRK-B'),
  ts: fc.integer({ min: BASE, max: BASE + 2 * 3_600_000 }),
  price: fc.integer({ min: 1, max: 4_000 }).map((q) => q / 4),
  volume: fc.integer({ min: 0, max: 2_000 }).map((h) => h / 2),
  side: fc.constantFrom('buy', 'sell', undefined),
});

/** Ticks crowded into a few seconds, so that equal timestamps and shared windows are common. */
const crowdedTickArb = tickArb.chain((t) =>
  fc.integer({ min: 0, max: 3_000 }).map((offset) => ({ ...t, ts: BASE + 1_800_000 + offset })),
);

function toTick(t: {
  symbol: string;
  ts: number;
  price: number;
  volume: number;
  side: 'buy' | 'sell' | undefined;
}): Tick {
  const tick: Tick = { symbol: t.symbol, ts: t.ts, price: t.price, volume: t.volume, source: 'simulator' };
  if (t.side) tick.side = t.side;
  return tick;
}

const ticksArb = fc
  .oneof(
    fc.array(tickArb, { minLength: 1, maxLength: 120 }),
    fc.array(crowdedTickArb, { minLength: 1, maxLength: 120 }),
  )
  .map((ts) => ts.map(toTick));

function key(symbol: string, interval: string, start: number): string {
  return `${symbol}|${interval}|${start}`;
}

/** Batch recomputation, written from the definition: group, then pick and sum. */
function recompute(ticks: readonly Tick[], intervals: readonly Interval[]): Map<string, Candle> {
  const groups = new Map<
    string,
    { symbol: string; interval: Interval; start: number; items: { tick: Tick; seq: number }[] }
  >();
  ticks.forEach((tick, seq) => {
    for (const interval of intervals) {
      const size = SIZE[interval]!;
      const start = Math.floor(tick.ts / size) * size;
      const k = key(tick.symbol, interval, start);
      let g = groups.get(k);
      if (!g) groups.set(k, (g = { symbol: tick.symbol, interval, start, items: [] }));
      g.items.push({ tick, seq });
    }
  });
  const out = new Map<string, Candle>();
  for (const [k, g] of groups) {
    const sorted = [...g.items].sort((a, b) => a.tick.ts - b.tick.ts || a.seq - b.seq);
    const first = sorted[0]!.tick;
    const last = sorted[sorted.length - 1]!.tick;
    const prices = g.items.map((i) => i.tick.price);
    const sum = (f: (t: Tick) => number) => g.items.reduce((acc, i) => acc + f(i.tick), 0);
    out.set(k, {
      symbol: g.symbol,
      interval: g.interval,
      start: g.start,
      open: first.price,
      high: Math.max(...prices),
      low: Math.min(...prices),
      close: last.price,
      volume: sum((t) => t.volume),
      turnover: sum((t) => t.price * t.volume),
      trades: g.items.length,
      buyVolume: sum((t) => (t.side === 'buy' ? t.volume : 0)),
      sellVolume: sum((t) => (t.side === 'sell' ? t.volume : 0)),
      openTs: first.ts,
      closeTs: last.ts,
    });
  }
  return out;
}

function byKey(candles: readonly Candle[]): Map<string, Candle> {
  const out = new Map<string, Candle>();
  for (const c of candles) {
    const k = key(c.symbol, c.interval, c.start);
    expect(out.has(k), `candle ${k} returned twice`).toBe(false);
    out.set(k, { ...c });
  }
  return out;
}

describe('CandleAggregator', () => {
  it('equals a batch recomputation for ticks in any order', () => {
    fc.assert(
      fc.property(ticksArb, (ticks) => {
        const aggregator = new CandleAggregator(INTERVALS);
        for (const tick of ticks) aggregator.add(tick);
        const got = byKey(aggregator.drainChanged());
        expect(got).toEqual(recompute(ticks, INTERVALS));
      }),
      { numRuns: 150 },
    );
  });

  it('gives the same candles for any arrival order of ticks with distinct timestamps', () => {
    const distinct = fc
      .uniqueArray(tickArb, { minLength: 1, maxLength: 60, selector: (t) => t.ts })
      .map((ts) => ts.map(toTick));
    fc.assert(
      fc.property(distinct, fc.integer(), (ticks, seed) => {
        const shuffled = shuffle(ticks, seed);
        const a = new CandleAggregator(INTERVALS);
        const b = new CandleAggregator(INTERVALS);
        for (const t of ticks) a.add(t);
        for (const t of shuffled) b.add(t);
        expect(byKey(b.drainChanged())).toEqual(byKey(a.drainChanged()));
      }),
      { numRuns: 100 },
    );
  });

  it('drainChanged returns each changed candle once, then nothing until more ticks come', () => {
    fc.assert(
      fc.property(ticksArb, ticksArb, (first, second) => {
        const aggregator = new CandleAggregator(INTERVALS);
        for (const t of first) aggregator.add(t);
        const drained1 = aggregator.drainChanged();
        expect(new Set(drained1.map((c) => key(c.symbol, c.interval, c.start)))).toEqual(
          new Set(recompute(first, INTERVALS).keys()),
        );
        expect(drained1.length).toBe(recompute(first, INTERVALS).size);
        expect(aggregator.drainChanged()).toEqual([]);

        for (const t of second) aggregator.add(t);
        const drained2 = byKey(aggregator.drainChanged());
        // Exactly the windows the second batch touched, each in its state after both batches.
        const all = recompute([...first, ...second], INTERVALS);
        const touched = new Set(recompute(second, INTERVALS).keys());
        expect(new Set(drained2.keys())).toEqual(touched);
        for (const k of touched) expect(drained2.get(k)).toEqual(all.get(k));
        expect(aggregator.drainChanged()).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it('evict drops only the windows of the given symbols that ended before the boundary', () => {
    fc.assert(
      fc.property(
        ticksArb,
        fc.integer({ min: BASE - 3_600_000, max: BASE + 3 * 3_600_000 }),
        fc.subarray(['AAPL', 'MSFT', 'BRK-B', 'NOPE']),
        (ticks, before, symbols) => {
          const aggregator = new CandleAggregator(INTERVALS);
          for (const t of ticks) aggregator.add(t);
          aggregator.drainChanged();
          aggregator.evict(symbols, before);
          const windows = recompute(ticks, INTERVALS);
          const kept = [...windows.values()].filter(
            (c) => !symbols.includes(c.symbol) || c.start + SIZE[c.interval]! > before,
          );
          expect(aggregator.openWindowCount()).toBe(kept.length);

          // A kept window is amended; an evicted one starts afresh.
          for (const interval of INTERVALS) {
            const agg = new CandleAggregator([interval]);
            for (const t of ticks) agg.add(t);
            agg.evict(symbols, before);
            agg.drainChanged();
            const own = [...windows.values()].filter((c) => c.interval === interval);
            for (const c of own) agg.add({ symbol: c.symbol, ts: c.start, price: 1, volume: 1, source: 'replay' });
            const probed = byKey(agg.drainChanged());
            for (const c of own) {
              const k = key(c.symbol, c.interval, c.start);
              expect(probed.get(k)!.trades, k).toBe(kept.includes(c) ? c.trades + 1 : 1);
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('evict: a window ending exactly at the boundary goes, one ending a millisecond after stays', () => {
    const minute = 60_000 * 28_333_334; // a minute boundary
    const aggregator = new CandleAggregator(['1m']);
    aggregator.add({ symbol: 'AAPL', ts: minute + 59_999, price: 1, volume: 1, source: 'replay' });
    aggregator.evict(['AAPL'], minute + 60_000 - 1);
    expect(aggregator.openWindowCount()).toBe(1);
    aggregator.evict(['AAPL'], minute + 60_000);
    expect(aggregator.openWindowCount()).toBe(0);
  });

  it('restore lets later ticks amend a restored candle exactly as if never interrupted', () => {
    fc.assert(
      fc.property(ticksArb, ticksArb, (first, second) => {
        const uninterrupted = new CandleAggregator(INTERVALS);
        for (const t of [...first, ...second]) uninterrupted.add(t);
        const expected = byKey(uninterrupted.drainChanged());

        const before = new CandleAggregator(INTERVALS);
        for (const t of first) before.add(t);
        // What a store would hold: plain copies, cut from the running aggregator.
        const saved = before.drainChanged().map((c) => ({ ...c }));

        const after = new CandleAggregator(INTERVALS);
        after.restore(saved);
        expect(after.openWindowCount()).toBe(saved.length);
        expect(after.drainChanged()).toEqual([]); // restoring is not a change
        for (const t of second) after.add(t);
        const amended = byKey(after.drainChanged());
        const merged = new Map([...byKey(saved), ...amended]);
        expect(merged).toEqual(expected);
        expect(new Set(amended.keys())).toEqual(new Set(recompute(second, INTERVALS).keys()));
        expect(amended).toEqual(pick(expected, amended.keys()));

        // The saved copies are not aliased by the aggregator.
        expect(byKey(saved)).toEqual(recompute(first, INTERVALS));
      }),
      { numRuns: 100 },
    );
  });

  it('restore ignores intervals the aggregator does not compute', () => {
    const aggregator = new CandleAggregator(['1m']);
    const tick: Tick = { symbol: 'AAPL', ts: BASE, price: 10, volume: 1, source: 'replay' };
    const other = new CandleAggregator(['1s', '1m']);
    other.add(tick);
    aggregator.restore(other.drainChanged());
    expect(aggregator.openWindowCount()).toBe(1);
  });
});

function pick(map: Map<string, Candle>, keys: Iterable<string>): Map<string, Candle> {
  const out = new Map<string, Candle>();
  for (const k of keys) out.set(k, map.get(k)!);
  return out;
}

function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
