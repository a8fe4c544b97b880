import { DEFAULT_EXCHANGE_TIME_ZONE, instantOfWallClock } from '../domain/exchange-day.ts';
import type { SqliteDatabase } from '../store/database.ts';

import type { PeriodBound } from './analysis.ts';

export type { PeriodBound };

export interface PeriodSql {
  /** SQL conditions on `${alias}.start`, to AND with the others. */
  clauses: string[];
  values: Record<string, string | number>;
}

const DAY = 86_400_000;

/**
 * The period's conditions on a table's `start` column. A date bound is an exchange date: `from`
 * its midnight, `to` up to and including its last millisecond, in the zone each symbol's day
 * candles are cut in (a Tokyo day of 26 March starts nine hours before London's).
 */
export function periodSql(
  db: SqliteDatabase,
  period: { from?: PeriodBound | undefined; to?: PeriodBound | undefined },
  alias: string,
): PeriodSql {
  const out: PeriodSql = { clauses: [], values: {} };
  const zones = () =>
    db.prepare('SELECT symbol, time_zone AS zone FROM day_candle_zones ORDER BY symbol').all() as Array<{
      symbol: string;
      zone: string;
    }>;
  for (const [side, bound] of [
    ['from', period.from],
    ['to', period.to],
  ] as const) {
    if (!bound) continue;
    const op = side === 'from' ? '>=' : '<=';
    if ('at' in bound) {
      out.values[side] = bound.at;
      out.clauses.push(`${alias}.start ${op} @${side}`);
      continue;
    }
    const [y, m, d] = bound.date.split('-').map(Number) as [number, number, number];
    const midnight = Date.UTC(y, m - 1, d) + (side === 'from' ? 0 : DAY);
    const edge = (zone: string) => instantOfWallClock(midnight, zone) - (side === 'from' ? 0 : 1);
    const cases = zones().map(({ symbol, zone }, i) => {
      out.values[`${side}Symbol${i}`] = symbol;
      out.values[`${side}At${i}`] = edge(zone);
      return `WHEN @${side}Symbol${i} THEN @${side}At${i}`;
    });
    out.values[side] = edge(DEFAULT_EXCHANGE_TIME_ZONE);
    const bound_ = cases.length > 0 ? `CASE ${alias}.symbol ${cases.join(' ')} ELSE @${side} END` : `@${side}`;
    out.clauses.push(`${alias}.start ${op} ${bound_}`);
  }
  return out;
}
