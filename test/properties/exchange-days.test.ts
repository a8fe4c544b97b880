import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Candle } from '../../engine/domain/candle.ts';
import { ExchangeDays } from '../../engine/domain/exchange-day.ts';
import type { Tick } from '../../engine/domain/tick.ts';
import { CandleAggregator } from '../../engine/stream/candle-aggregator.ts';
import { recutDays } from '../../engine/stream/recut-days.ts';

/** One symbol per zone the property covers. */
const ZONE_OF: Record<string, string> = {
  AAPL: 'America/New_York',
  'VOD.L': 'Europe/London',
  '7203.T': 'Asia/Tokyo',
  'BBCA.JK': 'Asia/Jakarta',
  'BHP.AX': 'Australia/Sydney',
  'BTC-USD': 'UTC',
};
const SYMBOLS = Object.keys(ZONE_OF);
const HOUR = 3_600_000;

/** Both DST changes of 2026 in New York, Europe and Sydney: ticks fall within three days of one. */
const DST_CHANGES_2026 = [
  Date.UTC(2026, 2, 8, 7), // New York springs forward
  Date.UTC(2026, 10, 1, 6), // New York falls back
  Date.UTC(2026, 2, 29, 1), // London forward
  Date.UTC(2026, 9, 25, 1), // London back
  Date.UTC(2026, 3, 4, 16), // Sydney back
  Date.UTC(2026, 9, 3, 16), // Sydney forward
];

const tickArb = fc.record({
  symbol: fc.constantFrom(...SYMBOLS),
  change: fc.constantFrom(...DST_CHANGES_2026),
  offset: fc.integer({ min: -72 * HOUR, max: 72 * HOUR }),
  // Multiples of 1/4 and 1/2: every sum is exact in any order, so the comparison can be exact.
  price: fc.integer({ min: 1, max: 4_000 }).map((q) => q / 4),
  volume: fc.integer({ min: 0, max: 2_000 }).map((h) => h / 2),
});

function toTick(t: { symbol: string; change: number; offset: number; price: number; volume: number }): Tick {
  return { symbol: t.symbol, ts: t.change + t.offset, price: t.price, volume: t.volume, source: 'simulator' };
}

/** The local calendar date at `ts`, as Intl reads the IANA zone: the reference, apart from the engine's code. */
function localDate(ts: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone }).format(ts);
}

const starts = new Map<string, number>();
/** The first millisecond of the local date holding `ts`, by bisection over that date's definition. */
function referenceDayStart(ts: number, timeZone: string): number {
  const date = localDate(ts, timeZone);
  const key = `${timeZone}|${date}`;
  const known = starts.get(key);
  if (known !== undefined) return known;
  let lo = ts - 27 * HOUR; // surely the day before
  let hi = ts; // surely this day
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (localDate(mid, timeZone) === date) hi = mid;
    else lo = mid;
  }
  starts.set(key, hi);
  return hi;
}

/** Day candles recomputed in one pass from the ticks, each day cut where the zone's date changes. */
function recomputeDays(ticks: readonly Tick[], zoneOf: (symbol: string) => string): Map<string, Candle> {
  const groups = new Map<string, Array<{ tick: Tick; seq: number }>>();
  ticks.forEach((tick, seq) => {
    const k = `${tick.symbol}|${referenceDayStart(tick.ts, zoneOf(tick.symbol))}`;
    groups.set(k, [...(groups.get(k) ?? []), { tick, seq }]);
  });
  const out = new Map<string, Candle>();
  for (const [k, items] of groups) {
    const sorted = [...items].sort((a, b) => a.tick.ts - b.tick.ts || a.seq - b.seq);
    const first = sorted[0]!.tick;
    const last = sorted.at(-1)!.tick;
    const sum = (f: (t: Tick) => number) => items.reduce((acc, i) => acc + f(i.tick), 0);
    out.set(k, {
      symbol: first.symbol,
      interval: '1d',
      start: Number(k.split('|')[1]),
      open: first.price,
      high: Math.max(...items.map((i) => i.tick.price)),
      low: Math.min(...items.map((i) => i.tick.price)),
      close: last.price,
      volume: sum((t) => t.volume),
      turnover: sum((t) => t.price * t.volume),
      trades: items.length,
      buyVolume: 0,
      sellVolume: 0,
      openTs: first.ts,
      closeTs: last.ts,
    });
  }
  return out;
}

function days(candles: readonly Candle[]): Map<string, Candle> {
  const out = new Map<string, Candle>();
  for (const c of candles) if (c.interval === '1d') out.set(`${c.symbol}|${c.start}`, { ...c });
  return out;
}

function aggregate(ticks: readonly Tick[], zoneOf: (symbol: string) => string): Candle[] {
  const aggregator = new CandleAggregator(['1m', '1d'], new ExchangeDays(zoneOf));
  for (const tick of ticks) aggregator.add(tick);
  return aggregator.drainChanged();
}

describe('Day candles in every exchange time zone', () => {
  it('equal a batch recomputation that cuts days at the IANA zone’s midnight, across both DST changes', () => {
    fc.assert(
      fc.property(fc.array(tickArb, { minLength: 1, maxLength: 150 }), (raw) => {
        const ticks = raw.map(toTick);
        const zoneOf = (symbol: string) => ZONE_OF[symbol]!;
        expect(days(aggregate(ticks, zoneOf))).toEqual(recomputeDays(ticks, zoneOf));
      }),
      { numRuns: 200 },
    );
  });

  it('last 23, 24 or 25 hours, and each starts at a local midnight', () => {
    for (const timeZone of Object.values(ZONE_OF)) {
      const exchange = new ExchangeDays(() => timeZone);
      for (const change of DST_CHANGES_2026) {
        for (let ts = change - 72 * HOUR; ts < change + 72 * HOUR; ts += 3 * HOUR) {
          const [start, end] = exchange.boundsOf('X', ts);
          expect(start).toBe(referenceDayStart(ts, timeZone));
          expect(end).toBe(referenceDayStart(end, timeZone));
          expect([23, 24, 25]).toContain((end - start) / HOUR);
        }
      }
    }
  });

  it('cut again in another zone, equal the candles cut there from the start, and again change nothing', () => {
    const oneSymbol = tickArb.map((t) => ({ ...t, symbol: 'X' }));
    fc.assert(
      fc.property(
        fc.array(oneSymbol, { minLength: 1, maxLength: 150 }),
        fc.constantFrom(...Object.values(ZONE_OF)),
        fc.constantFrom(...Object.values(ZONE_OF)),
        (raw, from, to) => {
          const ticks = raw.map(toTick);
          const before = aggregate(ticks, () => from);
          const minutes = before.filter((c) => c.interval === '1m').sort((a, b) => a.start - b.start);
          const recut = recutDays(
            before.filter((c) => c.interval === '1d'),
            minutes,
            to,
          );
          expect(days(recut)).toEqual(days(aggregate(ticks, () => to)));
          expect(recutDays(recut, minutes, to)).toEqual(recut);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('cut again where minutes hold only part of the days (a backfilled week), count every trade once', () => {
    const oneSymbol = tickArb.map((t) => ({ ...t, symbol: 'X' }));
    fc.assert(
      fc.property(
        fc.array(oneSymbol, { minLength: 1, maxLength: 150 }),
        fc.constantFrom(...Object.values(ZONE_OF)),
        fc.constantFrom(...Object.values(ZONE_OF)),
        fc.integer({ min: -72 * HOUR, max: 72 * HOUR }),
        (raw, from, to, cut) => {
          const ticks = raw.map(toTick);
          const before = aggregate(ticks, () => from);
          const oldDays = before.filter((c) => c.interval === '1d');
          // The minutes begin somewhere, as a backfill's week of one-minute bars does.
          const firstMinute = ticks[0]!.ts + cut;
          const minutes = before
            .filter((c) => c.interval === '1m' && c.start >= firstMinute)
            .sort((a, b) => a.start - b.start);
          const volume = (candles: readonly Candle[]) => candles.reduce((sum, c) => sum + c.volume, 0);
          const recut = recutDays(oldDays, minutes, to);
          expect(volume(recut)).toBe(volume(oldDays));
          expect(recut.reduce((n, c) => n + c.trades, 0)).toBe(ticks.length);
          const exchange = new ExchangeDays(() => to);
          for (const day of recut) expect(exchange.startOf('X', day.start)).toBe(day.start);
          // A second zone change from there still counts every trade once.
          const again = recutDays(recut, minutes, from);
          expect(volume(again)).toBe(volume(oldDays));
          expect(again.reduce((n, c) => n + c.trades, 0)).toBe(ticks.length);
        },
      ),
      { numRuns: 150 },
    );
  });
});
