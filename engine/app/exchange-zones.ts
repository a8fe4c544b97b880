import type { Candle } from '../domain/candle.ts';
import { ExchangeDays } from '../domain/exchange-day.ts';
import { resolveExchangeTimeZone } from '../domain/exchange-time-zone.ts';
import type { CompanyRepo } from '../store/company-repo.ts';
import type { DayCandleZones } from '../store/day-candle-zones.ts';
import { recutDays } from '../stream/recut-days.ts';

export interface ExchangeZonesDeps {
  companies: CompanyRepo;
  dayZones: DayCandleZones;
  /** The user's zone for a symbol (Settings, a replay's --timezone), if any. */
  chosen: (symbol: string) => string | undefined;
}

/**
 * Each symbol's exchange time zone for the engine's day windows. `zoneOf` answers from memory
 * (the hot path asks it only when a symbol crosses into another day); it is the zone the stored
 * day candles are cut in. When the rule's answer changes (a first quote tells the zone, a setting),
 * `reconcile` cuts the stored day candles again and every day window built here forgets its day.
 */
export class ExchangeZones {
  private readonly deps: ExchangeZonesDeps;
  private readonly zones = new Map<string, string>();
  private readonly windows = new Set<ExchangeDays>();

  constructor(deps: ExchangeZonesDeps) {
    this.deps = deps;
  }

  /** The zone the symbol's day windows follow now. */
  zoneOf(symbol: string): string {
    let zone = this.zones.get(symbol);
    if (zone === undefined) {
      zone = this.deps.dayZones.claim(symbol, this.resolve(symbol));
      this.zones.set(symbol, zone);
    }
    return zone;
  }

  /** The zone the rule gives now (it may differ from zoneOf until reconcile runs). */
  resolve(symbol: string): string {
    return resolveExchangeTimeZone({
      symbol,
      chosen: this.deps.chosen(symbol),
      reported: this.deps.companies.get(symbol)?.exchangeTimeZone,
    });
  }

  /** Day windows that follow these zones; they forget a symbol's day when its zone changes. */
  dayWindows(): ExchangeDays {
    const days = new ExchangeDays((symbol) => this.zoneOf(symbol));
    this.windows.add(days);
    return days;
  }

  /**
   * Brings the symbol's day candles to the zone the rule gives now. Returns the day candles cut
   * again, or undefined when they already follow it.
   */
  reconcile(symbol: string): Candle[] | undefined {
    const zone = this.resolve(symbol);
    if (this.zoneOf(symbol) === zone) return undefined;
    const days = this.deps.dayZones.recut(symbol, zone, (old, minutes) => recutDays(old, minutes, zone));
    this.zones.set(symbol, zone);
    for (const windows of this.windows) windows.forget(symbol);
    return days;
  }
}
