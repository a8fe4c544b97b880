// The one retry schedule of the app (Yahoo polls, InfluxDB writes, Kafka sends) and the one
// reader of HTTP's Retry-After.

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

/**
 * Exponential backoff with "equal jitter": the ceiling doubles per attempt up to `maxMs`, and each
 * wait is uniform in [ceiling/2, ceiling]. Half is fixed, so a retry never comes at once; half is
 * random, so clients that failed together do not come back together. Unrounded.
 */
function jitteredDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  return ceiling / 2 + (random() * ceiling) / 2;
}

/** The wait in whole milliseconds before retry number `attempt` (1 for the first retry). */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  return Math.round(jitteredDelay(attempt, options, random));
}

/** A server may ask for a long pause, but not for one longer than this. */
const MAX_RETRY_AFTER_MS = 3_600_000;

/** `backoffDelay` that counts the failures itself; a server's Retry-After is a floor. */
export class Backoff {
  private failures = 0;
  private readonly options: BackoffOptions;
  private readonly random: () => number;

  constructor(options: { baseMs?: number; maxMs?: number; random?: () => number } = {}) {
    this.options = { baseMs: options.baseMs ?? 2_000, maxMs: options.maxMs ?? 300_000 };
    this.random = options.random ?? Math.random;
  }

  get attempts(): number {
    return this.failures;
  }

  /** The wait before the next attempt after one more failure. */
  next(retryAfterMs?: number): number {
    this.failures++;
    const jittered = jitteredDelay(this.failures, this.options, this.random);
    return Math.round(Math.max(jittered, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS)));
  }

  reset(): void {
    this.failures = 0;
  }
}

/** Retry-After in seconds or as an HTTP date (RFC 9110 §10.2.3), in milliseconds from `now`; undefined if absent or unreadable. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1_000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
