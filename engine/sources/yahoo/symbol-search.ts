import { z } from 'zod';
import type { SymbolMatch } from '../../domain/symbol-match.ts';
import type { YahooClient } from './yahoo-client.ts';

export type { SymbolMatch };

/** A search hit that is a listed instrument (news and navigation hits have no symbol). */
const HitSchema = z.object({
  symbol: z.string(),
  shortname: z.string().optional(),
  longname: z.string().optional(),
  exchDisp: z.string().optional(),
  exchange: z.string().optional(),
  typeDisp: z.string().optional(),
  quoteType: z.string().optional(),
});

/** Instruments matching what the user typed, for the watchlist's add box. */
export async function searchSymbols(client: YahooClient, query: string, limit = 6): Promise<SymbolMatch[]> {
  // Yahoo's default request (6 quotes): the add box shows no more than that anyway.
  const result: unknown = await client.search(query, {}, { validateResult: false });
  const quotes = (result as { quotes?: unknown[] } | null)?.quotes ?? [];
  const matches: SymbolMatch[] = [];
  for (const quote of quotes) {
    const hit = HitSchema.safeParse(quote);
    if (!hit.success) continue;
    const h = hit.data;
    matches.push({
      symbol: h.symbol,
      name: h.longname ?? h.shortname ?? h.symbol,
      exchange: h.exchDisp ?? h.exchange ?? '',
      type: h.typeDisp ?? h.quoteType ?? '',
    });
  }
  return matches.slice(0, limit);
}
