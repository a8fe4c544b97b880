import { assertPeriod, BarIndicator } from './bar-indicator.ts';

/**
 * Relative strength index with Wilder's smoothing: the first average gain and loss are plain means
 * of `period` changes, later ones `avg + (change - avg) / period`. With no losses at all it is 100.
 */
export class Rsi extends BarIndicator<number, number> {
  readonly period: number;
  private lastClosed: number | null = null;
  private changes = 0;
  /** Sums while seeding, averages from the `period`-th change on. */
  private gain = 0;
  private loss = 0;

  constructor(period: number) {
    super();
    assertPeriod(period);
    this.period = period;
  }

  protected closeBar(close: number): void {
    const next = this.averages(close);
    if (next) {
      this.gain = next.gain;
      this.loss = next.loss;
      this.changes++;
    }
    this.lastClosed = close;
  }

  protected valueAt(close: number): number | null {
    if (this.changes + 1 < this.period) return null;
    const { gain, loss } = this.averages(close)!;
    return loss === 0 ? 100 : 100 - 100 / (1 + gain / loss);
  }

  /** Gain and loss after one more change, ending at `close`. */
  private averages(close: number): { gain: number; loss: number } | null {
    if (this.lastClosed === null) return null;
    const up = Math.max(close - this.lastClosed, 0);
    const down = Math.max(this.lastClosed - close, 0);
    const n = this.changes + 1;
    if (n < this.period) return { gain: this.gain + up, loss: this.loss + down };
    if (n === this.period) return { gain: (this.gain + up) / this.period, loss: (this.loss + down) / this.period };
    return { gain: this.gain + (up - this.gain) / this.period, loss: this.loss + (down - this.loss) / this.period };
  }
}
