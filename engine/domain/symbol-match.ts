import { z } from 'zod';

/** An instrument found by a symbol search: what the watchlist's add box offers. */
export const SymbolMatchSchema = z.object({
  symbol: z.string(),
  name: z.string(),
  exchange: z.string(),
  type: z.string(),
});
export type SymbolMatch = z.infer<typeof SymbolMatchSchema>;
