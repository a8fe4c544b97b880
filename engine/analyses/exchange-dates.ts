import { DEFAULT_EXCHANGE_TIME_ZONE } from '../domain/exchange-day.ts';
import type { SqliteDatabase } from '../store/database.ts';

/**
 * The exchange date ("2026-03-26") of an instant for a symbol, in the zone its day candles are cut
 * in: the day of London's and New York's stocks is one day though their candles start five hours apart.
 */
export function exchangeDates(db: SqliteDatabase): (symbol: string, ts: number) => string {
  const zoneQuery = db.prepare('SELECT time_zone FROM day_candle_zones WHERE symbol = ?').pluck();
  const zones = new Map<string, string>();
  const formats = new Map<string, Intl.DateTimeFormat>();
  return (symbol, ts) => {
    let zone = zones.get(symbol);
    if (zone === undefined) {
      zone = (zoneQuery.get(symbol) as string | undefined) ?? DEFAULT_EXCHANGE_TIME_ZONE;
      zones.set(symbol, zone);
    }
    let format = formats.get(zone);
    if (!format) formats.set(zone, (format = new Intl.DateTimeFormat('en-CA', { timeZone: zone })));
    return format.format(ts);
  };
}
