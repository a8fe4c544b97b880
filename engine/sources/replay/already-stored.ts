import type { Tick } from '../../domain/tick.ts';

/** A trade as replay tells it apart: two rows alike in all of these are two trades only if stored twice. */
export type TickIdentity = Pick<Tick, 'symbol' | 'ts' | 'price' | 'volume' | 'side'>;

/** What replay asks the database about the ticks it already holds. */
export interface StoredTicks {
  /** The event time of the symbol's newest stored tick. */
  lastTickTime(symbol: string): number | undefined;
  /** How many stored ticks have exactly this identity. */
  countTicks(tick: TickIdentity): number;
}

/**
 * Exactly once across replays: a replayed tick at or before its symbol's newest stored event time
 * (as it was when the replay met the symbol) is skipped if the database holds a tick of the same
 * identity not yet matched by an earlier row of this replay. Identities are counted, not merely
 * looked up, so a file with two identical trades stores both once and a second replay adds
 * neither; ticks after the newest stored time are new by definition and never looked up.
 */
export class AlreadyStored {
  private readonly newestStored = new Map<string, number | null>();
  /** Stored ticks of each identity this replay has not matched yet. */
  private readonly unmatched = new Map<string, number>();
  private readonly stored: StoredTicks;

  constructor(stored: StoredTicks) {
    this.stored = stored;
  }

  /** Whether the tick is one the database holds already (and so must not count again). */
  has(tick: Tick): boolean {
    const newest = this.newestOf(tick.symbol);
    if (newest === null || tick.ts > newest) return false;
    const key = identityKey(tick);
    // Counted the first time the identity comes up, before any tick of it from this replay is stored.
    const left = this.unmatched.get(key) ?? this.stored.countTicks(tick);
    this.unmatched.set(key, Math.max(0, left - 1));
    return left > 0;
  }

  private newestOf(symbol: string): number | null {
    let newest = this.newestStored.get(symbol);
    if (newest === undefined) {
      newest = this.stored.lastTickTime(symbol) ?? null;
      this.newestStored.set(symbol, newest);
    }
    return newest;
  }
}

function identityKey(tick: TickIdentity): string {
  return `${tick.symbol}|${tick.ts}|${tick.price}|${tick.volume}|${tick.side ?? ''}`;
}
