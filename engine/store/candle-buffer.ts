import type { Candle } from '../domain/candle.ts';

/** When candles written behind their ticks are due: whichever limit comes first. */
export interface WriteBehindPolicy {
  /** The oldest buffered change waits at most this long (ms). */
  maxAgeMs: number;
  /** At most about this many windows wait, so that writing them stays one short transaction. */
  maxCandles: number;
}

/**
 * The app's policy: an open window is written about once a second instead of once per batch (at
 * 10,000 ticks/s, 50 commits a second rewrote the same leaf pages of the candles' B-tree), and
 * 2,000 windows take a few milliseconds to write.
 */
export const APP_WRITE_BEHIND: WriteBehindPolicy = { maxAgeMs: 1_000, maxCandles: 2_000 };

const windowKey = (c: Candle) => `${c.symbol}\u0000${c.interval}\u0000${c.start}`;

/**
 * Candle versions committed with their ticks but not yet written, the newest of each window.
 * Copies: folding the next batch into the engine's open windows must not change what waits here,
 * or a batch that then fails to commit would leave its ticks in candles that get written.
 */
export class CandleBuffer {
  private readonly windows = new Map<string, Candle>();
  private oldestAt: number | undefined;

  private readonly policy: WriteBehindPolicy;
  private readonly now: () => number;

  constructor(policy: WriteBehindPolicy, now: () => number = () => performance.now()) {
    this.policy = policy;
    this.now = now;
  }

  get size(): number {
    return this.windows.size;
  }

  /** Whether what waits, with `incoming` beside it, should be written now. */
  dueWith(incoming: readonly Candle[]): boolean {
    if (this.windows.size + incoming.length >= this.policy.maxCandles) return true;
    return this.oldestAt !== undefined && this.now() - this.oldestAt >= this.policy.maxAgeMs;
  }

  /** How long until the oldest change is due (0 when it is). */
  dueInMs(): number {
    if (this.oldestAt === undefined) return this.policy.maxAgeMs;
    return Math.max(0, this.policy.maxAgeMs - (this.now() - this.oldestAt));
  }

  add(candles: readonly Candle[]): void {
    if (candles.length === 0) return;
    this.oldestAt ??= this.now();
    for (const c of candles) this.windows.set(windowKey(c), { ...c });
  }

  /** What waits, with `incoming` in place of the versions of their windows. */
  with(incoming: readonly Candle[]): Candle[] {
    if (incoming.length === 0) return [...this.windows.values()];
    const merged = new Map(this.windows);
    for (const c of incoming) merged.set(windowKey(c), c);
    return [...merged.values()];
  }

  clear(): void {
    this.windows.clear();
    this.oldestAt = undefined;
  }
}
