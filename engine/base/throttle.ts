/**
 * Runs a job at most once per period, and always once more after the last request: a burst of
 * requests costs one run at its start and one at its end, and the latest state is never left out.
 */
export class Throttle {
  private lastRun = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private readonly periodMs: number;
  private readonly job: () => void;

  constructor(periodMs: number, job: () => void) {
    this.periodMs = periodMs;
    this.job = job;
  }

  request(): void {
    if (this.timer) return;
    const wait = this.lastRun + this.periodMs - performance.now();
    if (wait <= 0) this.run();
    else this.timer = setTimeout(() => this.run(), wait);
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private run(): void {
    this.timer = undefined;
    this.lastRun = performance.now();
    this.job();
  }
}
