import type { Candle } from '../domain/candle.ts';
import { ExchangeDays } from '../domain/exchange-day.ts';
import { rollUp } from './candle.ts';

/**
 * A symbol's day candles cut again at midnight of `timeZone`, as if they had been cut there from
 * the start. From the first whole new day of stored minutes on, a day with minutes is their
 * roll-up (minutes hold every trade, history's and the ticks'). A day without minutes (years of
 * daily bars, a hole between live runs) keeps what the old day candles hold: each moves to the new
 * day of its first trade, since a daily bar is one session of its exchange.
 */
export function recutDays(oldDays: readonly Candle[], minutes: readonly Candle[], timeZone: string): Candle[] {
  const days = new ExchangeDays(() => timeZone);
  const dayOf = (ts: number) => days.startOf('', ts);
  const first = minutes[0];
  // The day holding the first minute may lack its earlier hours: it stays with the old candles.
  const minutesFrom =
    first === undefined
      ? Infinity
      : dayOf(first.start) === first.start
        ? first.start
        : days.boundsOf('', first.start)[1];
  const fromMinutes = new Map<number, Candle[]>();
  for (const minute of minutes) {
    if (minute.start < minutesFrom) continue;
    const day = dayOf(minute.start);
    push(fromMinutes, day, minute);
  }
  const fromOld = new Map<number, Candle[]>();
  for (const old of oldDays) {
    const day = dayOf(old.openTs);
    if (fromMinutes.has(day)) continue;
    push(fromOld, day, old);
  }
  const out: Candle[] = [];
  for (const [start, parts] of [...fromMinutes, ...fromOld]) {
    const candle = rollUp(
      [...parts].sort((a, b) => a.start - b.start),
      '1d',
      start,
    );
    if (candle) out.push(candle);
  }
  return out.sort((a, b) => a.start - b.start);
}

function push(groups: Map<number, Candle[]>, key: number, candle: Candle): void {
  const group = groups.get(key);
  if (group) group.push(candle);
  else groups.set(key, [candle]);
}
