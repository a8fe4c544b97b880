import { z } from 'zod';
import { DEFAULT_EXCHANGE_TIME_ZONE, isValidTimeZone } from './exchange-day.ts';

/** An IANA time zone name this runtime knows ("Europe/London", "UTC"). */
export const TimeZoneSchema = z
  .string()
  .trim()
  .refine(isValidTimeZone, { message: 'not a time zone: use an IANA name such as Europe/London, Asia/Tokyo or UTC' });

/**
 * Yahoo's symbol suffixes and the exchange time zone each one means. A symbol without a feed that
 * tells its zone (the simulator, a replayed file) falls back to these, so `VOD.L` has London days.
 */
const SUFFIX_TIME_ZONES: Readonly<Record<string, string>> = {
  L: 'Europe/London',
  IL: 'Europe/London',
  DE: 'Europe/Berlin',
  F: 'Europe/Berlin',
  PA: 'Europe/Paris',
  AS: 'Europe/Amsterdam',
  BR: 'Europe/Brussels',
  MI: 'Europe/Rome',
  MC: 'Europe/Madrid',
  LS: 'Europe/Lisbon',
  SW: 'Europe/Zurich',
  VI: 'Europe/Vienna',
  CO: 'Europe/Copenhagen',
  ST: 'Europe/Stockholm',
  OL: 'Europe/Oslo',
  HE: 'Europe/Helsinki',
  IR: 'Europe/Dublin',
  WA: 'Europe/Warsaw',
  IS: 'Europe/Istanbul',
  T: 'Asia/Tokyo',
  HK: 'Asia/Hong_Kong',
  SS: 'Asia/Shanghai',
  SZ: 'Asia/Shanghai',
  TW: 'Asia/Taipei',
  KS: 'Asia/Seoul',
  SI: 'Asia/Singapore',
  JK: 'Asia/Jakarta',
  BK: 'Asia/Bangkok',
  KL: 'Asia/Kuala_Lumpur',
  NS: 'Asia/Kolkata',
  BO: 'Asia/Kolkata',
  AX: 'Australia/Sydney',
  NZ: 'Pacific/Auckland',
  TO: 'America/Toronto',
  V: 'America/Toronto',
  SA: 'America/Sao_Paulo',
  MX: 'America/Mexico_City',
  JO: 'Africa/Johannesburg',
};

/** Crypto pairs (BTC-USD) and currency pairs (EURUSD=X) trade around the clock: their days are UTC days. */
const AROUND_THE_CLOCK = /^[A-Z0-9]+-(USD|EUR|GBP|USDT|BTC|ETH)$|=X$/;

/** The zone a symbol's name suggests, if its suffix is known. */
export function suffixTimeZone(symbol: string): string | undefined {
  const upper = symbol.toUpperCase();
  if (AROUND_THE_CLOCK.test(upper)) return 'UTC';
  const dot = upper.lastIndexOf('.');
  return dot > 0 ? SUFFIX_TIME_ZONES[upper.slice(dot + 1)] : undefined;
}

export interface TimeZoneClues {
  symbol: string;
  /** The user's choice for this symbol (Settings, or a replay's --timezone). */
  chosen?: string | null | undefined;
  /** What the symbol's feed reported (Yahoo's exchangeTimezoneName), kept with its profile. */
  reported?: string | null | undefined;
}

/**
 * The one rule for a symbol's exchange time zone: the user's choice, else the zone its feed
 * reported, else the zone its suffix implies, else New York. A clue that is no IANA zone is skipped.
 */
export function resolveExchangeTimeZone(clues: TimeZoneClues): string {
  for (const zone of [clues.chosen, clues.reported, suffixTimeZone(clues.symbol)])
    if (zone && isValidTimeZone(zone)) return zone;
  return DEFAULT_EXCHANGE_TIME_ZONE;
}
