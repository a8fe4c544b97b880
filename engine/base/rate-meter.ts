/** Events per second over a sliding window, from a running total sampled now and then. */
export class RateMeter {
  private samples: Array<{ at: number; total: number }> = [];

  private readonly windowMs: number;

  constructor(windowMs = 5_000) {
    this.windowMs = windowMs;
  }

  sample(total: number, at = Date.now()): number {
    // A smaller total means the counter started again (the pipeline was rebuilt): so does the window.
    if (this.samples.length > 0 && total < this.samples.at(-1)!.total) this.samples = [];
    this.samples.push({ at, total });
    while (this.samples.length > 2 && this.samples[0]!.at < at - this.windowMs) this.samples.shift();
    const first = this.samples[0]!;
    const span = at - first.at;
    return span > 0 ? ((total - first.total) * 1000) / span : 0;
  }
}
