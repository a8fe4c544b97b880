/**
 * Exponential backoff with "equal jitter" (each wait is uniform in [ceiling/2, ceiling], ceiling =
 * base·2^n, capped), so clients that failed together do not retry together, yet none retries at
 * once. A server's Retry-After is a floor.
 */
export class Backoff {
  private failures = 0;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly random: () => number;

  constructor(options: { baseMs?: number; maxMs?: number; random?: () => number } = {}) {
    this.baseMs = options.baseMs ?? 2_000;
    this.maxMs = options.maxMs ?? 300_000;
    this.random = options.random ?? Math.random;
  }

  get attempts(): number {
    return this.failures;
  }

  /** The wait before the next attempt after one more failure. */
  next(retryAfterMs?: number): number {
    const ceiling = Math.min(this.maxMs, this.baseMs * 2 ** this.failures);
    this.failures++;
    const jittered = ceiling / 2 + (this.random() * ceiling) / 2;
    return Math.round(Math.max(jittered, Math.min(retryAfterMs ?? 0, 3_600_000)));
  }

  reset(): void {
    this.failures = 0;
  }
}
