import type { Candle } from '../../domain/candle.ts';
import type { CompanyProfile } from '../../domain/company.ts';

// What the history jobs need of the store, declared here so a source does not depend on the
// store's classes: the app hands in the store's BackfillCandles and CompanyRepo, which fit.

/** Where backfilled candles go: only windows with nothing stored are filled. */
export interface BackfillCandleStore {
  /** Writes the candles whose window is still empty and not the live feed's; returns those it wrote. */
  fillMissing(candles: readonly Candle[]): Candle[];
}

/** The cached company profiles. */
export interface CompanyProfileStore {
  get(symbol: string): CompanyProfile | undefined;
  upsert(profile: CompanyProfile): void;
}
