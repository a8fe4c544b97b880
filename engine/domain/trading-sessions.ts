import { DEFAULT_EXCHANGE_TIME_ZONE, instantOfWallClock, wallClockAt } from './exchange-day.ts';

/** Where an exchange's trading day stands at an instant. */
export type SessionPhase = 'pre' | 'regular' | 'post' | 'closed';

/** One stretch of a single phase, [start, end), with the exchange's trading clock at its start. */
export interface SessionSpan {
  readonly phase: SessionPhase;
  readonly start: number;
  readonly end: number;
  /**
   * Milliseconds spent in pre-market, regular or after-hours trading since an arbitrary origin, at
   * `start`. Only differences mean anything: the trading time between two instants.
   */
  readonly tradingAt: number;
  /** How many trading days have opened since the same origin: it changes at each pre-market open. */
  readonly sessions: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** US equity hours in local wall-clock time: pre-market 04:00, regular 09:30–16:00, after-hours until 20:00. */
const BOUNDS = [4 * HOUR, 9.5 * HOUR, 16 * HOUR, 20 * HOUR] as const;
const PHASES = ['pre', 'regular', 'post'] as const;
const OPEN = BOUNDS[0];
const SHUT = BOUNDS[3];
const TRADING_DAY = SHUT - OPEN;

/**
 * An exchange's trading hours in its own time zone, weekdays only. Exchange holidays are not
 * modelled: a holiday trades like any weekday.
 *
 * Answers come as whole spans and the last one is kept, so a caller asking about instant after
 * instant pays for the time zone arithmetic (Intl) only when it crosses into another phase.
 */
export class ExchangeSessions {
  readonly timeZone: string;
  private current: SessionSpan | undefined;
  private clockFormat: Intl.DateTimeFormat | undefined;

  constructor(timeZone = DEFAULT_EXCHANGE_TIME_ZONE) {
    this.timeZone = timeZone;
  }

  /** The city of the time zone ("America/New_York" → "New York"), for messages. */
  get place(): string {
    return (this.timeZone.split('/').at(-1) ?? this.timeZone).replaceAll('_', ' ');
  }

  spanAt(ts: number): SessionSpan {
    const span = this.current;
    if (span && ts >= span.start && ts < span.end) return span;
    this.current = this.computeSpan(ts);
    return this.current;
  }

  /** "Mon 09:30" in the exchange's time zone. */
  formatLocal(ts: number): string {
    this.clockFormat ??= new Intl.DateTimeFormat('en-US', {
      timeZone: this.timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    return this.clockFormat.format(ts).replace(',', '');
  }

  private computeSpan(ts: number): SessionSpan {
    const wall = wallClockAt(ts, this.timeZone);
    const day = Math.floor(wall / DAY);
    const timeOfDay = wall - day * DAY;
    if (isWeekday(day) && timeOfDay >= OPEN && timeOfDay < SHUT) {
      const k = BOUNDS.findLastIndex((bound) => bound <= timeOfDay);
      return {
        phase: PHASES[k]!,
        start: this.instant(day, BOUNDS[k]!),
        end: this.instant(day, BOUNDS[k + 1]!),
        tradingAt: TRADING_DAY * weekdaysBefore(day) + BOUNDS[k]! - OPEN,
        sessions: weekdaysBefore(day) + 1,
      };
    }
    // Closed: from the last trading day's end to the next one's pre-market open.
    const next = isWeekday(day) && timeOfDay < OPEN ? day : weekdayFrom(day + 1, 1);
    const last = isWeekday(day) && timeOfDay >= SHUT ? day : weekdayFrom(day - 1, -1);
    return {
      phase: 'closed',
      start: this.instant(last, SHUT),
      end: this.instant(next, OPEN),
      tradingAt: TRADING_DAY * weekdaysBefore(next),
      sessions: weekdaysBefore(next),
    };
  }

  private instant(day: number, timeOfDay: number): number {
    return instantOfWallClock(day * DAY + timeOfDay, this.timeZone);
  }
}

/** The trading clock at `ts`, which must lie in `span`: it stands still while the exchange is shut. */
export function tradingTimeAt(span: SessionSpan, ts: number): number {
  return span.phase === 'closed' ? span.tradingAt : span.tradingAt + (ts - span.start);
}

const mod = (n: number, m: number) => ((n % m) + m) % m;

/** Day numbers count local calendar days from 1970-01-01, a Thursday. */
function isWeekday(day: number): boolean {
  return mod(day + 3, 7) < 5; // Monday = 0 … Sunday = 6
}

function weekdayFrom(day: number, step: 1 | -1): number {
  let d = day;
  while (!isWeekday(d)) d += step;
  return d;
}

/** Weekdays among the day numbers [0, day) (negative before 1970), in closed form. */
function weekdaysBefore(day: number): number {
  const mondayBased = (n: number) => 5 * Math.floor(n / 7) + Math.min(mod(n, 7), 5);
  return mondayBased(day + 3) - mondayBased(3);
}
