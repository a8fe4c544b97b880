/**
 * Some exchanges quote prices in a currency's minor unit: London in pence (Yahoo's `GBp`, also
 * written `GBX`), Johannesburg in cents (`ZAc`), Tel Aviv in agorot (`ILA`), Kuwait in fils
 * (`KWF`). Every money figure Yahoo gives with such a quote (price, 52-week range, market cap) is
 * in that minor unit. People read prices in the unit the exchange quotes, but totals (a market cap,
 * the value traded in a day) only in the major unit: 2.1 trillion pence reads as 100 times too much.
 */

interface MinorUnit {
  major: string;
  perMajor: number;
  /** What people call the minor unit. */
  name: string;
}

/** The codes are case-sensitive: GBp is pence, GBP is pounds. */
const MINOR_UNITS: Readonly<Record<string, MinorUnit>> = {
  GBp: { major: 'GBP', perMajor: 100, name: 'pence' },
  GBX: { major: 'GBP', perMajor: 100, name: 'pence' },
  GBx: { major: 'GBP', perMajor: 100, name: 'pence' },
  ZAc: { major: 'ZAR', perMajor: 100, name: 'cents' },
  ZAC: { major: 'ZAR', perMajor: 100, name: 'cents' },
  ILA: { major: 'ILS', perMajor: 100, name: 'agorot' },
  KWF: { major: 'KWD', perMajor: 1_000, name: 'fils' },
};

/** How to show the money figures of one quote. */
export interface QuoteUnit {
  /** The code prices are quoted in, as the source wrote it (GBp); null when not known. */
  quoted: string | null;
  /** The code of its major unit (GBP), in which totals are shown; the same as `quoted` for a major currency. */
  major: string | null;
  /** Quoted units in one major unit: 100 for pence, 1 for a major (or unknown) currency. */
  perMajor: number;
  /** The minor unit's name (pence) when prices are quoted in one, else null. */
  minorName: string | null;
}

/** The unit rules for a quote currency code as a source gives it (Yahoo's `currency`). */
export function quoteUnit(code: string | null | undefined): QuoteUnit {
  const quoted = code?.trim() || null;
  if (quoted === null) return { quoted: null, major: null, perMajor: 1, minorName: null };
  const minor = Object.hasOwn(MINOR_UNITS, quoted) ? MINOR_UNITS[quoted] : undefined;
  if (!minor) return { quoted, major: quoted, perMajor: 1, minorName: null };
  return { quoted, major: minor.major, perMajor: minor.perMajor, minorName: minor.name };
}

/** A money total given in the quote's unit (a market cap, a traded value), in the major unit. */
export function toMajorUnit(amount: number, code: string | null | undefined): number {
  return amount / quoteUnit(code).perMajor;
}
