/**
 * Event-time progress of one partition: the largest event time seen, minus the bound on how far
 * out of order ticks may arrive. Ticks older than watermark - allowed lateness are too late.
 */
export class Watermark {
  private maxEventTs = Number.NEGATIVE_INFINITY;

  private readonly outOfOrdernessMs: number;
  private readonly allowedLatenessMs: number;

  constructor(outOfOrdernessMs: number, allowedLatenessMs: number) {
    this.outOfOrdernessMs = outOfOrdernessMs;
    this.allowedLatenessMs = allowedLatenessMs;
  }

  observe(ts: number): void {
    if (ts > this.maxEventTs) this.maxEventTs = ts;
  }

  get current(): number {
    return this.maxEventTs - this.outOfOrdernessMs;
  }

  /** Event times below this can no longer change any result. */
  get lateBefore(): number {
    return this.current - this.allowedLatenessMs;
  }

  isLate(ts: number): boolean {
    return ts < this.lateBefore;
  }

  get maxSeen(): number {
    return this.maxEventTs;
  }

  restore(maxEventTs: number): void {
    this.maxEventTs = Math.max(this.maxEventTs, maxEventTs);
  }
}
