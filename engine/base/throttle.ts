export interface ThrottleOptions {
  /**
   * Where a request after a quiet period runs: at once ('now'), or on the next turn of the event
   * loop ('next-turn'), so that what the same turn requests after it rides along in one run.
   */
  leading?: 'now' | 'next-turn';
}

/**
 * Runs a job at most once per period, and always once more after the last request: a burst of
 * requests costs one run at its start and one at its end, and the latest state is never left out.
 */
export class Throttle {
  private lastRun = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private readonly periodMs: number;
  private readonly job: () => void;
  private readonly leading: 'now' | 'next-turn';

  constructor(periodMs: number, job: () => void, options: ThrottleOptions = {}) {
    this.periodMs = periodMs;
    this.job = job;
    this.leading = options.leading ?? 'now';
  }

  request(): void {
    if (this.timer || this.immediate) return;
    const wait = this.lastRun + this.periodMs - performance.now();
    if (wait > 0) this.timer = setTimeout(() => this.runNow(), wait);
    else if (this.leading === 'next-turn') this.immediate = setImmediate(() => this.runNow());
    else this.runNow();
  }

  /** Runs the job now, in place of any run pending; the period counts from here. */
  runNow(): void {
    this.cancel();
    this.lastRun = performance.now();
    this.job();
  }

  cancel(): void {
    clearTimeout(this.timer);
    clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }
}
