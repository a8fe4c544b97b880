/**
 * The plausibility bound of event time. No source can report a trade after the moment it reads
 * it, and a recording replayed is older still, so an event time later than the host clock plus a
 * skew (clocks of exchange and host disagree a little) is a corrupt stamp. Such a tick must not
 * move the watermark: one of them would make every real tick of its partition "too late".
 */
export class FutureBound {
  private readonly skewMs: number;
  private readonly now: () => number;

  constructor(skewMs: number, now: () => number = Date.now) {
    this.skewMs = skewMs;
    this.now = now;
  }

  /** The latest plausible event time, read once per batch. */
  limit(): number {
    return this.now() + this.skewMs;
  }

  describe(ts: number, limit: number): string {
    const ahead = new Date(ts).toISOString();
    return `from the future: ${ahead} is more than ${formatSkew(this.skewMs)} ahead of this computer's clock (${new Date(limit - this.skewMs).toISOString()})`;
  }
}

function formatSkew(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000} min`;
  return `${ms} ms`;
}
