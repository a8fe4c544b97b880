import type { CompanyProfile } from '../domain/company.ts';
import type { SqliteDatabase } from './database.ts';

const COLUMNS = {
  symbol: 'symbol',
  shortName: 'short_name',
  longName: 'long_name',
  sector: 'sector',
  industry: 'industry',
  country: 'country',
  currency: 'currency',
  exchange: 'exchange',
  marketCap: 'market_cap',
  trailingPe: 'trailing_pe',
  forwardPe: 'forward_pe',
  fiftyTwoWeekHigh: 'fifty_two_week_high',
  fiftyTwoWeekLow: 'fifty_two_week_low',
  fiftyDayAverage: 'fifty_day_average',
  shortRatio: 'short_ratio',
  exchangeTimeZone: 'exchange_time_zone',
  updatedAt: 'updated_at',
  simulated: 'simulated',
} as const satisfies Record<keyof CompanyProfile, string>;

const SELECT = `SELECT ${Object.entries(COLUMNS)
  .map(([key, column]) => `${column} AS ${key}`)
  .join(', ')} FROM companies`;

/** Company profiles, cached for offline use. */
export class CompanyRepo {
  private readonly db: SqliteDatabase;
  private readonly listeners = new Set<(profile: CompanyProfile) => void>();

  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  /**
   * Stores the profile, unless it is a simulated one and the stored profile is real (from Yahoo,
   * or shared by another engine): made-up data never replaces real data. Returns whether it was stored.
   */
  upsert(profile: CompanyProfile): boolean {
    const columns = Object.values(COLUMNS);
    const params = Object.keys(COLUMNS).map((k) => `@${k}`);
    // A profile fetch does not tell the zone (quoteSummary has none): it keeps the one a quote told.
    const updates = columns
      .filter((c) => c !== 'symbol')
      .map((c) =>
        c === 'exchange_time_zone' ? `${c} = coalesce(excluded.${c}, companies.${c})` : `${c} = excluded.${c}`,
      );
    // A placeholder row (dated 0: only the zone a quote told) gives way to any profile.
    const stored =
      this.db
        .prepare(
          `INSERT INTO companies (${columns.join(', ')}) VALUES (${params.join(', ')})
           ON CONFLICT (symbol) DO UPDATE SET ${updates.join(', ')}
           WHERE excluded.simulated = 0 OR companies.simulated = 1 OR companies.updated_at = 0`,
        )
        .run({ ...profile, simulated: profile.simulated ? 1 : 0 }).changes > 0;
    if (!stored) return false;
    const saved = this.get(profile.symbol) ?? profile;
    for (const listener of this.listeners) listener(saved);
    return true;
  }
  /**
   * Keeps the zone the feed reported for a symbol's exchange. A symbol without a profile yet gets
   * a row holding only this, dated 0, so its profile still counts as missing and is fetched.
   * True when the stored zone changed.
   */
  setExchangeTimeZone(symbol: string, timeZone: string): boolean {
    if (this.get(symbol)?.exchangeTimeZone === timeZone) return false;
    this.db
      .prepare(
        `INSERT INTO companies (symbol, exchange_time_zone, updated_at) VALUES (?, ?, 0)
         ON CONFLICT (symbol) DO UPDATE SET exchange_time_zone = excluded.exchange_time_zone`,
      )
      .run(symbol, timeZone);
    return true;
  }

  /** Called after each stored profile (the Kafka bus republishes them on its compacted topic). */
  onSaved(listener: (profile: CompanyProfile) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(symbol: string): CompanyProfile | undefined {
    const row = this.db.prepare(`${SELECT} WHERE symbol = ?`).get(symbol) as StoredProfile | undefined;
    return row && fromRow(row);
  }

  all(): CompanyProfile[] {
    return (this.db.prepare(`${SELECT} ORDER BY symbol`).all() as StoredProfile[]).map(fromRow);
  }
}

/** SQLite has no booleans: the flag is stored as 0 or 1. */
type StoredProfile = Omit<CompanyProfile, 'simulated'> & { simulated: number };

function fromRow(row: StoredProfile): CompanyProfile {
  return { ...row, simulated: row.simulated === 1 };
}
