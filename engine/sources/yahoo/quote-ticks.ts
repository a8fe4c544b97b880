import { z } from 'zod';
import { DEFAULT_EXCHANGE_TIME_ZONE, isValidTimeZone, localDayStart } from '../../domain/exchange-day.ts';
import type { Tick } from '../../domain/tick.ts';

/** Yahoo's epoch seconds, or the Date yahoo-finance2 makes of them. */
const EpochMs = z.union([z.date().transform((d) => d.getTime()), z.number().transform((s) => s * 1_000)]);

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
  quoteType: z.string().optional(),
  exchangeTimezoneName: z.string().optional(),
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

/**
 * Stocks and funds trade in sessions within their exchange's day. Futures sessions cross midnight
 * and crypto volume is a rolling 24 hours: for those only a falling volume tells a new session.
 */
const SESSIONS_WITHIN_A_DAY = new Set(['EQUITY', 'ETF']);

/** Where the quote's exchange day began, if that is after the day of the volume seen last. */
function newDayStart(quote: LiveQuote, last: Seen): number | undefined {
  if (quote.regularMarketVolume === undefined) return undefined;
  if (!SESSIONS_WITHIN_A_DAY.has(quote.quoteType ?? '')) return undefined;
  const zone = quote.exchangeTimezoneName ?? DEFAULT_EXCHANGE_TIME_ZONE;
  const timeZone = isValidTimeZone(zone) ? zone : DEFAULT_EXCHANGE_TIME_ZONE;
  const start = localDayStart(quote.regularMarketTime, timeZone);
  return start > localDayStart(last.volumeTs, timeZone) ? start : undefined;
}

export interface QuoteTickerOptions {
  /** The event time of a symbol's newest stored tick, from an earlier feed or run. */
  lastStored?: (symbol: string) => number | undefined;
  /** Where the live feed took over from history for a symbol (YahooSource.liveSince). */
  liveSince?: (symbol: string) => number | undefined;
  /**
   * The volume of the symbol's stored one-minute candles in [from, to): what history (or an earlier
   * run) holds of a day. Without it, a day the feed did not watch from its start is all history's.
   */
  storedVolume?: (symbol: string, from: number, to: number) => number;
}

interface Seen {
  price: number;
  /** The newest quote's time. */
  ts: number;
  cumulativeVolume: number;
  /**
   * The time of the quote the volume baseline is from: later than ts's quote when that one had no
   * volume (a streamed price without it), earlier when an older row brought volume (see olderQuote).
   */
  volumeTs: number;
  /** Some quote carried volume: until one does, the first volume seen is the baseline, not a trade. */
  volumeKnown: boolean;
  /** The next volume comes from another feed than the baseline: a lower one is a difference, not a new session. */
  switched: boolean;
}

/**
 * Turns successive quotes into ticks. Yahoo reports the day's cumulative volume; the engine wants
 * the volume of each trade, so this is the one place where cumulative volume becomes per-tick
 * volume. A quote that changed neither price nor volume is not a tick.
 */
export class QuoteTicker {
  private readonly seen = new Map<string, Seen>();
  private readonly options: QuoteTickerOptions;

  constructor(options: QuoteTickerOptions = {}) {
    this.options = options;
  }

  toTick(quote: LiveQuote): Tick | undefined {
    const last = this.seen.get(quote.symbol);
    const ts = quote.regularMarketTime;
    if (last && ts < last.ts) return this.olderQuote(quote, last);
    // Yahoo's servers do not all lag alike: an answer older than one already seen is stale. Its lower
    // volume is not a new session, and taking it as the baseline would count the difference twice.
    if (last && ts === last.ts && (quote.regularMarketVolume ?? Infinity) < last.cumulativeVolume) return undefined;
    // A row without volume says nothing about it: the baseline stays, rather than falling to zero
    // and counting the whole day again at the next row that has it.
    const cumulative = quote.regularMarketVolume ?? last?.cumulativeVolume ?? 0;
    const hasVolume = quote.regularMarketVolume !== undefined;
    this.seen.set(quote.symbol, {
      price: quote.regularMarketPrice,
      ts,
      cumulativeVolume: cumulative,
      volumeTs: hasVolume || !last ? ts : last.volumeTs,
      switched: !hasVolume && (last?.switched ?? false),
      volumeKnown: hasVolume || (last?.volumeKnown ?? false),
    });
    let volume: number;
    if (!last) {
      // The first quote only sets the baseline: the day's volume so far happened before we watched
      // (history backfill covers it), and counting it would put a whole day into one tick. After a
      // restart (a settings save, a new run) it may be the very quote stored last: not a trade again.
      if (ts <= (this.options.lastStored?.(quote.symbol) ?? -Infinity)) return undefined;
      volume = 0;
    } else {
      volume = last.volumeKnown ? this.volumeSince(quote, last, cumulative) : 0;
      if (volume === 0 && quote.regularMarketPrice === last.price) return undefined;
    }
    return { symbol: quote.symbol, ts, price: quote.regularMarketPrice, volume, source: 'yahoo' };
  }

  private volumeSince(quote: LiveQuote, last: Seen, cumulative: number): number {
    const dayStart = newDayStart(quote, last);
    // A new exchange day starts a new session even when its first quote seen traded more than the
    // last one of the day before. Its volume so far is live's if the feed watched the whole day. If
    // the feed began during the day, what traded before the stitch point is history's: the minutes
    // of the day stored before it (none when the feed began before the open, so the opening auction
    // is live's), the rest live's.
    if (dayStart !== undefined) {
      const since = this.options.liveSince?.(quote.symbol);
      if (since === undefined) return 0;
      if (dayStart >= since) return cumulative;
      const stored = this.options.storedVolume?.(quote.symbol, dayStart, since);
      return stored === undefined ? 0 : Math.max(0, cumulative - stored);
    }
    // Otherwise cumulative volume only falls (at a later quote time) when a new session starts from
    // zero, or, right after the volume changed feeds, when the two feeds count differently.
    if (cumulative < last.cumulativeVolume) return last.switched ? 0 : cumulative;
    return cumulative - last.cumulativeVolume;
  }

  /**
   * A quote older than the newest price seen is stale, except for volume newer than the baseline:
   * the price stream may send prices without the day's volume while the poll still reports it. That
   * volume traded by the row's own time, so it becomes a tick then (event time stays the trade's).
   */
  private olderQuote(quote: LiveQuote, last: Seen): Tick | undefined {
    const cumulative = quote.regularMarketVolume;
    if (cumulative === undefined || quote.regularMarketTime < last.volumeTs) return undefined;
    if (!last.volumeKnown) {
      Object.assign(last, { cumulativeVolume: cumulative, volumeTs: quote.regularMarketTime, volumeKnown: true });
      return undefined;
    }
    if (cumulative <= last.cumulativeVolume) return undefined;
    // A new day seen only through a row older than the newest price: leave it to the newer rows.
    if (newDayStart(quote, last) !== undefined) return undefined;
    const volume = cumulative - last.cumulativeVolume;
    Object.assign(last, { cumulativeVolume: cumulative, volumeTs: quote.regularMarketTime, switched: false });
    return {
      symbol: quote.symbol,
      ts: quote.regularMarketTime,
      price: quote.regularMarketPrice,
      volume,
      source: 'yahoo',
    };
  }

  /**
   * The symbol's volume comes from another feed from now on (stream ↔ poll). Volume the new feed
   * reports beyond the baseline is counted; a lower figure is the feeds' difference, not a new
   * session, so it only moves the baseline: nothing is counted twice.
   */
  volumeFeedChanged(symbol: string): void {
    const last = this.seen.get(symbol);
    if (last) last.switched = true;
  }

  forget(symbol: string): void {
    this.seen.delete(symbol);
  }
}
