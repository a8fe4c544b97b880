import { z } from 'zod';
import { quoteUnit } from './currency.ts';

/**
 * Positions and P&L, pure: lots in, valued positions out. Nothing here reads a store or a feed;
 * the caller passes the quotes and FX rates it has, so the same numbers come from the engine, the
 * CLI and a test.
 */

export const LotSchema = z
  .object({
    account: z.string().trim().min(1, 'An account is needed'),
    symbol: z.string().trim().min(1, 'A symbol is needed'),
    /** Negative for a short. */
    quantity: z
      .number()
      .finite()
      .refine((q) => q !== 0, 'The quantity cannot be 0'),
    /** In the unit the symbol is quoted in (pence for GBp), like its quotes. */
    price: z.number().finite().nonnegative('The price cannot be negative'),
    /** The trade date, YYYY-MM-DD. */
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'The date must be YYYY-MM-DD'),
    /** In the major unit of the symbol's currency (pounds for a GBp quote): brokers charge so. */
    fees: z.number().finite().nonnegative('Fees cannot be negative').default(0),
  })
  .strict();
export type Lot = z.infer<typeof LotSchema>;

/** The lot fields a CSV column can fill on import; a mapping names the file's column for any of them. */
export const LOT_FIELDS = ['account', 'symbol', 'quantity', 'price', 'date', 'fees'] as const;
export type LotField = (typeof LOT_FIELDS)[number];
export type LotColumnMapping = Partial<Record<LotField, string>>;

/** A major currency's ISO code: totals are shown in one. */
export const CurrencyCodeSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{3}$/, 'A currency is a 3-letter code such as USD or EUR');

/**
 * The calendar date (YYYY-MM-DD) on this computer's clock at `ts`: what the user calls "today"
 * when dating a lot, so it decides which lots were traded today.
 */
export function localDate(ts: number): string {
  const d = new Date(ts);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export interface PortfolioQuote {
  price: number;
  /** The previous session's close; null when not known (day P&L is then null). */
  previousClose: number | null;
  /** The quote currency as the feed gives it (GBp, USD); null when not known. */
  currency: string | null;
}

/** Yahoo's FX symbol for one `from` in `to` (EURUSD=X is dollars per euro). */
export function fxSymbol(from: string, to: string): string {
  return `${from}${to}=X`;
}

/**
 * The rate that turns one `from` into `to`, from the rates given by FX symbol: the direct pair,
 * the inverse pair, or Yahoo's short form for dollar pairs (JPY=X is yen per dollar). Null when
 * none is there.
 */
export function fxRate(from: string, to: string, rates: ReadonlyMap<string, number>): number | null {
  if (from === to) return 1;
  const usable = (r: number | undefined) => (r !== undefined && Number.isFinite(r) && r > 0 ? r : undefined);
  const direct = usable(rates.get(fxSymbol(from, to))) ?? (from === 'USD' ? usable(rates.get(`${to}=X`)) : undefined);
  if (direct !== undefined) return direct;
  const inverse = usable(rates.get(fxSymbol(to, from))) ?? (to === 'USD' ? usable(rates.get(`${from}=X`)) : undefined);
  return inverse === undefined ? null : 1 / inverse;
}

/** The FX symbols needed to value positions in these major currencies in `base`. */
export function fxSymbolsNeeded(currencies: Iterable<string>, base: string): string[] {
  return [...new Set(currencies)]
    .filter((c) => c !== base)
    .map((c) => fxSymbol(c, base))
    .sort();
}

export interface Position {
  account: string;
  symbol: string;
  quantity: number;
  /** Average price per unit, in the quote unit, fees not included. */
  averagePrice: number;
  /** The major currency values are in before conversion (GBP for a GBp quote). */
  currency: string | null;
  lastPrice: number | null;
  /** All in the base currency; null when the price or the FX rate is missing. */
  cost: number;
  marketValue: number | null;
  dayPnl: number | null;
  totalPnl: number | null;
  totalPnlPercent: number | null;
  /** Market value over the gross exposure (sum of |market value|): a short weighs negative. */
  weight: number | null;
  /** Why a figure is missing, in plain words; null when all are there. */
  problem: string | null;
}

export interface PortfolioSummary {
  base: string;
  positions: Position[];
  marketValue: number;
  cost: number;
  dayPnl: number;
  totalPnl: number;
  /** Positions left out of the totals because a price or rate is missing. */
  unvalued: number;
}

interface Folded {
  account: string;
  symbol: string;
  quantity: number;
  /** Quantity times price over the lots, in quote units. */
  notional: number;
  fees: number;
  /** The part of the day P&L reference owed to lots traded today: qty x lot price instead of the previous close. */
  todayQuantity: number;
  todayNotional: number;
  todayFees: number;
}

function fold(lots: readonly Lot[], today: string): Folded[] {
  const byKey = new Map<string, Folded>();
  for (const lot of lots) {
    const key = `${lot.account}\u0000${lot.symbol}`;
    let f = byKey.get(key);
    if (!f) {
      f = {
        account: lot.account,
        symbol: lot.symbol,
        quantity: 0,
        notional: 0,
        fees: 0,
        todayQuantity: 0,
        todayNotional: 0,
        todayFees: 0,
      };
      byKey.set(key, f);
    }
    f.quantity += lot.quantity;
    f.notional += lot.quantity * lot.price;
    f.fees += lot.fees;
    if (lot.date >= today) {
      f.todayQuantity += lot.quantity;
      f.todayNotional += lot.quantity * lot.price;
      f.todayFees += lot.fees;
    }
  }
  return [...byKey.values()].sort((a, b) => a.account.localeCompare(b.account) || a.symbol.localeCompare(b.symbol));
}

/**
 * Values lots as positions per account and symbol in `base`. `today` (YYYY-MM-DD) decides which
 * lots were traded today: their day P&L runs from their own price, less their fees, and the
 * others' from the previous close. FX is today's rate for both P&Ls (the rate's own move is not
 * split out).
 */
export function valuePortfolio(
  lots: readonly Lot[],
  quotes: ReadonlyMap<string, PortfolioQuote>,
  rates: ReadonlyMap<string, number>,
  base: string,
  today: string,
): PortfolioSummary {
  const positions: Position[] = fold(lots, today).map((f) => {
    const quote = quotes.get(f.symbol);
    const unit = quoteUnit(quote?.currency);
    const per = unit.perMajor;
    const fx = unit.major === null ? (quote ? 1 : null) : fxRate(unit.major, base, rates);
    const problem = !quote
      ? `No price for ${f.symbol} yet`
      : fx === null
        ? `No ${fxSymbol(unit.major ?? '?', base)} rate to convert ${unit.major} into ${base}`
        : null;
    const rate = fx ?? 1;
    const cost = (f.notional / per + f.fees) * rate;
    const valued = quote && fx !== null;
    const marketValue = valued ? ((f.quantity * quote.price) / per) * rate : null;
    const totalPnl = marketValue === null ? null : marketValue - cost;
    let dayPnl: number | null = null;
    if (valued && (quote.previousClose !== null || f.todayQuantity === f.quantity)) {
      const olderQuantity = f.quantity - f.todayQuantity;
      const older = olderQuantity === 0 ? 0 : olderQuantity * (quote.price - (quote.previousClose ?? 0));
      const fresh = f.todayQuantity * quote.price - f.todayNotional;
      dayPnl = ((older + fresh) / per - f.todayFees) * rate;
    }
    const invested = Math.abs(f.notional / per) * rate;
    return {
      account: f.account,
      symbol: f.symbol,
      quantity: f.quantity,
      averagePrice: f.quantity === 0 ? 0 : f.notional / f.quantity,
      currency: unit.major,
      lastPrice: quote?.price ?? null,
      cost,
      marketValue,
      dayPnl,
      totalPnl,
      totalPnlPercent: totalPnl === null || invested === 0 ? null : (totalPnl / invested) * 100,
      weight: null,
      problem,
    };
  });
  const gross = positions.reduce((s, p) => s + Math.abs(p.marketValue ?? 0), 0);
  for (const p of positions) p.weight = p.marketValue === null || gross === 0 ? null : p.marketValue / gross;
  const valued = positions.filter((p) => p.marketValue !== null);
  const sum = (pick: (p: Position) => number | null) => valued.reduce((s, p) => s + (pick(p) ?? 0), 0);
  return {
    base,
    positions,
    marketValue: sum((p) => p.marketValue),
    cost: sum((p) => p.cost),
    dayPnl: sum((p) => p.dayPnl),
    totalPnl: sum((p) => p.totalPnl),
    unvalued: positions.length - valued.length,
  };
}
