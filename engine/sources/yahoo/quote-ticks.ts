import { z } from 'zod';
import type { Tick } from '../../domain/tick.ts';

/** Yahoo's epoch seconds, or the Date yahoo-finance2 makes of them. */
const EpochMs = z.union([
  z.date().transform((d) => d.getTime()),
  z.number().transform((s) => s * 1_000),
]);

/**
 * The fields of one `quote()` row the live feed needs. Checked per row, so one symbol whose answer
 * changed shape is skipped and reported while the others keep flowing.
 */
export const LiveQuoteSchema = z.object({
  symbol: z.string(),
  regularMarketPrice: z.number().finite().positive(),
  regularMarketTime: EpochMs.pipe(z.number().int().positive()),
  regularMarketVolume: z.number().finite().nonnegative().optional(),
  marketState: z.string().optional(),
  exchangeDataDelayedBy: z.number().optional(),
});
export type LiveQuote = z.output<typeof LiveQuoteSchema>;

export interface ParsedQuotes {
  quotes: LiveQuote[];
  /** Rows that failed validation, with the first reason, for the status line. */
  rejected: Array<{ symbol: string; reason: string }>;
}

export function parseQuotes(rows: unknown): ParsedQuotes {
  const out: ParsedQuotes = { quotes: [], rejected: [] };
  if (!Array.isArray(rows)) {
    out.rejected.push({ symbol: '*', reason: 'the answer is not a list of quotes' });
    return out;
  }
  for (const row of rows) {
    const parsed = LiveQuoteSchema.safeParse(row);
    if (parsed.success) out.quotes.push(parsed.data);
    else {
      const symbol = typeof row?.symbol === 'string' ? row.symbol : '?';
      const issue = parsed.error.issues[0];
      out.rejected.push({ symbol, reason: `${issue?.path.join('.') || 'quote'}: ${issue?.message}` });
    }
  }
  return out;
}

interface Seen {
  price: number;
  cumulativeVolume: number;
  ts: number;
}

/**
 * Turns successive quotes into ticks. Yahoo reports the day's cumulative volume; the engine wants
 * the volume of each trade, so this is the one place where cumulative volume becomes per-tick
 * volume. A quote that changed neither price nor volume is not a tick.
 */
export class QuoteTicker {
  private readonly seen = new Map<string, Seen>();
  private readonly lastStored: (symbol: string) => number | undefined;

  /** `lastStored`: the event time of the symbol's newest stored tick, from an earlier feed or run. */
  constructor(lastStored: (symbol: string) => number | undefined = () => undefined) {
    this.lastStored = lastStored;
  }

  toTick(quote: LiveQuote): Tick | undefined {
    const last = this.seen.get(quote.symbol);
    const ts = quote.regularMarketTime;
    // Yahoo's servers do not all lag alike: an answer older than one already seen is stale. Its lower
    // volume is not a new session, and taking it as the baseline would count the difference twice.
    if (last && (ts < last.ts || (ts === last.ts && (quote.regularMarketVolume ?? Infinity) < last.cumulativeVolume)))
      return undefined;
    // A row without volume says nothing about it: the baseline stays, rather than falling to zero
    // and counting the whole day again at the next row that has it.
    const cumulative = quote.regularMarketVolume ?? last?.cumulativeVolume ?? 0;
    this.seen.set(quote.symbol, { price: quote.regularMarketPrice, cumulativeVolume: cumulative, ts });
    let volume: number;
    if (!last) {
      // The first quote only sets the baseline: the day's volume so far happened before we watched
      // (history backfill covers it), and counting it would put a whole day into one tick. After a
      // restart (a settings save, a new run) it may be the very quote stored last: not a trade again.
      if (ts <= (this.lastStored(quote.symbol) ?? -Infinity)) return undefined;
      volume = 0;
    } else if (cumulative < last.cumulativeVolume) {
      // Cumulative volume only falls (at a later quote time) when a new session starts counting from zero.
      volume = cumulative;
    } else {
      volume = cumulative - last.cumulativeVolume;
      if (volume === 0 && quote.regularMarketPrice === last.price) return undefined;
    }
    return { symbol: quote.symbol, ts, price: quote.regularMarketPrice, volume, source: 'yahoo' };
  }

  forget(symbol: string): void {
    this.seen.delete(symbol);
  }
}
