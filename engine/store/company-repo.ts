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
    const updates = columns.filter((c) => c !== 'symbol').map((c) => `${c} = excluded.${c}`);
    const stored =
      this.db
        .prepare(
          `INSERT INTO companies (${columns.join(', ')}) VALUES (${params.join(', ')})
           ON CONFLICT (symbol) DO UPDATE SET ${updates.join(', ')}
           WHERE excluded.simulated = 0 OR companies.simulated = 1`,
        )
        .run({ ...profile, simulated: profile.simulated ? 1 : 0 }).changes > 0;
    if (stored) for (const listener of this.listeners) listener(profile);
    return stored;
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
