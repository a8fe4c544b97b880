import { assertPeriod } from './sma.ts';

/**
 * Relative strength index with Wilder's smoothing: the first average gain and loss are plain means
 * of `period` changes, later ones `avg + (change - avg) / period`. With no losses at all it is 100.
 * The open bar's change is measured from the last closed close, from the averages at that bar.
 */
export class Rsi {
  readonly period: number;
  private lastClosed: number | null = null;
  private changes = 0;
  private gain = 0;
  private loss = 0;
  private open: number | null = null;

  constructor(period: number) {
    assertPeriod(period);
    this.period = period;
  }

  update(close: number): number | null {
    if (this.open !== null) {
      const next = this.averages(this.open);
      if (next) {
        this.gain = next.gain;
        this.loss = next.loss;
        this.changes++;
      }
      this.lastClosed = this.open;
    }
    this.open = close;
    return this.value();
  }

  amend(close: number): number | null {
    if (this.open === null) return this.update(close);
    this.open = close;
    return this.value();
  }

  value(): number | null {
    if (this.open === null || this.changes + 1 < this.period) return null;
    const { gain, loss } = this.averages(this.open)!;
    if (loss === 0) return 100;
    return 100 - 100 / (1 + gain / loss);
  }

  /**
   * The averages after one more change, ending at `close`. While seeding, `gain` and `loss` hold
   * sums; they become averages at the `period`-th change.
   */
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
