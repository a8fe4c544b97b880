import { TickMarkType } from 'lightweight-charts';
import { DEFAULT_EXCHANGE_TIME_ZONE } from '../../../engine/domain/exchange-day.ts';

/** Which clock a chart's times are read in. */
export const CHART_TIME_ZONES = ['exchange', 'local', 'UTC'] as const;
export type ChartTimeZone = (typeof CHART_TIME_ZONES)[number];

/** The IANA zone a chart shows its times in; undefined for the machine's own. */
export function displayZone(choice: ChartTimeZone, exchangeZone: string | undefined): string | undefined {
  if (choice === 'UTC') return 'UTC';
  if (choice === 'exchange') return exchangeZone ?? DEFAULT_EXCHANGE_TIME_ZONE;
  return undefined;
}

const tickParts: Record<TickMarkType, Intl.DateTimeFormatOptions> = {
  [TickMarkType.Year]: { year: 'numeric' },
  [TickMarkType.Month]: { month: 'short' },
  [TickMarkType.DayOfMonth]: { day: 'numeric', month: 'short' },
  [TickMarkType.Time]: { hour: '2-digit', minute: '2-digit' },
  [TickMarkType.TimeWithSeconds]: { hour: '2-digit', minute: '2-digit', second: '2-digit' },
};
const tickFormats = new Map<string, Intl.DateTimeFormat>();

/** An axis label in the chosen zone (lightweight-charts draws UTC by default). */
export function tickMark(ms: number, type: TickMarkType, timeZone: string | undefined): string {
  const key = `${type}|${timeZone ?? ''}`;
  let format = tickFormats.get(key);
  if (!format) tickFormats.set(key, (format = new Intl.DateTimeFormat(undefined, { ...tickParts[type], timeZone })));
  return format.format(new Date(ms));
}
