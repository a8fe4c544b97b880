import { z } from 'zod';

/**
 * A ticker as Yahoo Finance spells it: letters, digits and the punctuation of real tickers
 * (BRK-B, EURUSD=X, GC=F, ^GSPC, 0P000071W8.TO). Stored upper-case.
 */
export const SYMBOL_PATTERN = /^[A-Z0-9^][A-Z0-9.\-=^]{0,23}$/;

export const SymbolSchema = z
  .string()
  .trim()
  .transform((s) => s.toUpperCase())
  .pipe(
    z.string().regex(SYMBOL_PATTERN, {
      message: 'A symbol is 1-24 letters, digits or . - = ^ (for example AAPL, BRK-B, EURUSD=X)',
    }),
  );

export type MarketSymbol = z.output<typeof SymbolSchema>;
