/**
 * How many chart panels may hand live candles to their chart in one animation frame.
 *
 * Every panel receives the same message at the same moment; 16 charts redrawing in one frame overrun
 * it on a modest machine, and then every frame after it is late too. Panels apply through this budget:
 * as many as the recent frames had time for apply at once, the others in the next frames, longest
 * waiting first, and none more than once per frame. The budget adapts: a frame that ran long cuts it
 * by a quarter, each frame on time raises it by one.
 */
export interface FrameBudgetOptions {
  /** Panels per frame to begin with. */
  initial?: number;
  min?: number;
  max?: number;
  /** requestAnimationFrame, unless a test drives the frames. */
  requestFrame?: (callback: (now: number) => void) => number;
}

export class FrameBudget {
  private budget: number;
  private used = 0;
  /** Jobs that already ran this frame: a second message in the same frame waits for the next. */
  private readonly ranThisFrame = new Set<() => void>();
  /** Insertion order is waiting order. */
  private readonly waiting = new Set<() => void>();
  private frame = 0;
  private lastFrameAt: number | undefined;

  private readonly min: number;
  private readonly max: number;
  private readonly requestFrame: (callback: (now: number) => void) => number;

  constructor(options: FrameBudgetOptions = {}) {
    this.min = options.min ?? 2;
    this.max = options.max ?? 64;
    this.budget = options.initial ?? 16;
    this.requestFrame = options.requestFrame ?? ((callback) => requestAnimationFrame(callback));
  }

  /** Runs `job` now if this frame has room for it, else in a later frame. */
  run(job: () => void): void {
    if (this.used < this.budget && !this.ranThisFrame.has(job)) this.runNow(job);
    else this.waiting.add(job);
    if (this.frame === 0) this.frame = this.requestFrame(this.onFrame);
  }

  /** Forgets a job that waits (its panel is gone). */
  cancel(job: () => void): void {
    this.waiting.delete(job);
    this.ranThisFrame.delete(job);
  }

  get perFrame(): number {
    return this.budget;
  }

  private runNow(job: () => void): void {
    this.used++;
    this.ranThisFrame.add(job);
    job();
  }

  private readonly onFrame = (now: number): void => {
    this.frame = 0;
    if (this.lastFrameAt !== undefined) this.adapt(now - this.lastFrameAt);
    this.used = 0;
    this.ranThisFrame.clear();
    for (const job of this.waiting) {
      if (this.used >= this.budget) break;
      this.waiting.delete(job);
      this.runNow(job);
    }
    const busy = this.used > 0 || this.waiting.size > 0;
    // Only consecutive frames tell how long a frame took; an idle page starts measuring afresh.
    this.lastFrameAt = busy ? now : undefined;
    if (busy) this.frame = this.requestFrame(this.onFrame);
  };

  private adapt(frameMs: number): void {
    if (frameMs > LATE_FRAME_MS) this.budget = Math.max(this.min, Math.floor(this.budget * 0.75));
    else if (frameMs < ON_TIME_FRAME_MS) this.budget = Math.min(this.max, this.budget + 1);
  }
}

/** Longer than one and a half frames at 60 Hz: at least one frame was missed. */
const LATE_FRAME_MS = 25;
/** Within a frame at 60 Hz, with a little slack for timer jitter. */
const ON_TIME_FRAME_MS = 18;

/** The one budget all chart panels of the page share. */
export const liveChartFrames = new FrameBudget();
