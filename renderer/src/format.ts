import { quoteUnit, toMajorUnit } from '../../engine/domain/currency.ts';
import { DEFAULT_EXCHANGE_TIME_ZONE } from '../../engine/domain/exchange-day.ts';

const priceFormat = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const pennyFormat = new Intl.NumberFormat(undefined, { minimumFractionDigits: 4, maximumFractionDigits: 4 });
const volumeFormat = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 2 });
const integerFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const rateFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const percentFormat = new Intl.NumberFormat(undefined, {
  style: 'percent',
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
  signDisplay: 'exceptZero',
});
const TIME_PARTS: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  month: 'short',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
};
const timeFormat = new Intl.DateTimeFormat(undefined, TIME_PARTS);

/** Two decimals, four below one unit (penny stocks, currencies). */
export const formatPrice = (n: number) => (Math.abs(n) < 1 ? pennyFormat : priceFormat).format(n);
/** A price difference, with as many decimals as the price it changed (signed). */
export const formatChange = (difference: number, price: number) =>
  `${difference > 0 ? '+' : ''}${(Math.abs(price) < 1 ? pennyFormat : priceFormat).format(difference)}`;
export const formatVolume = (n: number) => volumeFormat.format(n);
/** A price with the unit it is quoted in ("7,012.00 GBp"), or bare when the unit is not known. */
export const formatQuotedPrice = (price: number, currency: string | null | undefined) =>
  `${formatPrice(price)} ${quoteUnit(currency).quoted ?? ''}`.trim();
/** A money total given in the quote's unit (a market cap), shown in the major unit: "21.5B GBP", never pence. */
export const formatMoneyTotal = (amount: number, currency: string | null | undefined) =>
  `${formatVolume(toMajorUnit(amount, currency))} ${quoteUnit(currency).major ?? ''}`.trim();
export const formatInteger = (n: number) => integerFormat.format(n);
export const formatRate = (n: number) => rateFormat.format(n);
export const formatPercent = (ratio: number) => percentFormat.format(ratio);
export const formatTime = (ms: number) => timeFormat.format(new Date(ms));

const zonedTimeFormats = new Map<string, Intl.DateTimeFormat>();
/** A moment in a chosen time zone, with the zone's short name ("EST", "UTC"); local time without one. */
export function formatTimeIn(ms: number, timeZone: string | undefined): string {
  if (timeZone === undefined) return formatTime(ms);
  let format = zonedTimeFormats.get(timeZone);
  if (!format)
    zonedTimeFormats.set(
      timeZone,
      (format = new Intl.DateTimeFormat(undefined, { ...TIME_PARTS, timeZone, timeZoneName: 'short' })),
    );
  return format.format(new Date(ms));
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();
/**
 * An exchange day, named by its date where the exchange is (daily candles start at its midnight),
 * without a time of day: a Tokyo day starts on the evening before in UTC.
 */
export function formatDay(ms: number, timeZone = DEFAULT_EXCHANGE_TIME_ZONE): string {
  let format = dayFormats.get(timeZone);
  if (!format)
    dayFormats.set(timeZone, (format = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone })));
  return format.format(new Date(ms));
}
