/**
 * Daily candles follow the exchange's calendar day, not UTC's: a New York session must not be cut
 * at 8 pm local time. These functions find the start of a local day in any IANA time zone.
 */

export const DEFAULT_EXCHANGE_TIME_ZONE = 'America/New_York';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function localParts(ts: number, timeZone: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(ts))
    if (part.type !== 'literal') out[part.type] = Number(part.value);
  return out;
}

/** Local wall-clock time minus UTC at instant `ts`, in ms. */
function offsetAt(ts: number, timeZone: string): number {
  const p = localParts(ts, timeZone);
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - Math.floor(ts / 1000) * 1000;
}

/** The instant the local calendar day containing `ts` begins in `timeZone`. */
export function localDayStart(ts: number, timeZone: string): number {
  const p = localParts(ts, timeZone);
  return instantOfWallClock(Date.UTC(p.year!, p.month! - 1, p.day!), timeZone);
}

/** The local wall-clock reading at `ts`, as milliseconds since 1970-01-01 00:00 local. */
export function wallClockAt(ts: number, timeZone: string): number {
  return ts + offsetAt(ts, timeZone);
}

/** The instant the local wall clock reads `wall` (a reading skipped by a DST change lands an hour off). */
export function instantOfWallClock(wall: number, timeZone: string): number {
  // Two passes settle the offset when the reading and its first guess sit on different sides of a DST change.
  const guess = wall - offsetAt(wall, timeZone);
  return wall - offsetAt(guess, timeZone);
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Day windows of many symbols, remembering each symbol's current day so the hot path rarely asks Intl. */
export class ExchangeDays {
  private readonly current = new Map<string, { start: number; end: number }>();
  private readonly timeZoneOf: (symbol: string) => string;

  constructor(timeZoneOf: (symbol: string) => string = () => DEFAULT_EXCHANGE_TIME_ZONE) {
    this.timeZoneOf = timeZoneOf;
  }

  startOf(symbol: string, ts: number): number {
    return this.boundsOf(symbol, ts)[0];
  }

  /** [start, end) of the local day containing `ts`. */
  boundsOf(symbol: string, ts: number): [start: number, end: number] {
    const day = this.current.get(symbol);
    if (day && ts >= day.start && ts < day.end) return [day.start, day.end];
    const timeZone = this.timeZoneOf(symbol);
    const start = localDayStart(ts, timeZone);
    // The next local midnight: 23 to 25 hours later around DST changes.
    const end = localDayStart(start + 26 * 3_600_000, timeZone);
    this.current.set(symbol, { start, end });
    return [start, end];
  }

  /** The symbol's time zone changed: its next day is computed afresh. */
  forget(symbol: string): void {
    this.current.delete(symbol);
  }
}
