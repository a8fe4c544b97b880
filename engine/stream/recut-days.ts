import { firstIndexNotBefore } from '../base/sorted.ts';
import type { Candle } from '../domain/candle.ts';
import { ExchangeDays } from '../domain/exchange-day.ts';
import { windowStart } from '../domain/interval.ts';
import { rollUp } from './candle.ts';

/**
 * A symbol's day candles cut again at midnight of `timeZone`, counting every trade once. Minutes
 * (ascending) hold every trade, history's and the ticks', wherever they hold all of an old day
 * candle: such a candle gives way to them, and they are rolled up into the new days. An old
 * candle they do not hold whole (years of daily bars, the first day of the backfilled week, whose
 * minutes begin at an hour of it) stays whole, in the new day of its first trade, and the minutes
 * within its trades are left out.
 */
export function recutDays(oldDays: readonly Candle[], minutes: readonly Candle[], timeZone: string): Candle[] {
  const dayOf = dayStarts(timeZone);
  const parts = new Map<number, Candle[]>();
  const left = new Uint8Array(minutes.length);
  for (const old of oldDays) {
    const [from, to] = minutesWithin(minutes, old);
    if (from < to && holdsAll(minutes, from, to, old)) continue;
    left.fill(1, from, to);
    push(parts, dayOf(old.openTs), old);
  }
  minutes.forEach((minute, i) => {
    if (!left[i]) push(parts, dayOf(minute.start), minute);
  });
  const out: Candle[] = [];
  for (const [start, group] of parts) {
    const candle = rollUp(
      group.sort((a, b) => a.openTs - b.openTs),
      '1d',
      start,
    );
    if (candle) out.push(candle);
  }
  return out.sort((a, b) => a.start - b.start);
}

function dayStarts(timeZone: string): (ts: number) => number {
  const days = new ExchangeDays(() => timeZone);
  return (ts) => days.startOf('', ts);
}

/** [from, to): the indexes of the minutes in which the candle's trades lie. */
function minutesWithin(minutes: readonly Candle[], candle: Candle): [number, number] {
  const first = windowStart(candle.openTs, '1m');
  const from = firstIndexNotBefore(minutes.length, (i) => minutes[i]!.start < first);
  const to = firstIndexNotBefore(minutes.length, (i) => minutes[i]!.start <= candle.closeTs);
  return [from, to];
}

/** The minutes hold the candle's volume and trades: they are the same trades. */
function holdsAll(minutes: readonly Candle[], from: number, to: number, candle: Candle): boolean {
  let volume = 0;
  let trades = 0;
  for (let i = from; i < to; i++) {
    volume += minutes[i]!.volume;
    trades += minutes[i]!.trades;
  }
  // Sums in another order differ in their last bits.
  return Math.abs(volume - candle.volume) <= 1e-9 * Math.max(1, candle.volume) && trades === candle.trades;
}

function push(groups: Map<number, Candle[]>, key: number, candle: Candle): void {
  const group = groups.get(key);
  if (group) group.push(candle);
  else groups.set(key, [candle]);
}
