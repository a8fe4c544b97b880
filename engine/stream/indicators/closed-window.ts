/**
 * The last `size` closed values, oldest first, with their sum, mean and sum of squared deviations
 * recomputed exactly each time a value closes (O(size) per closed bar, O(1) per amendment of the
 * open bar). Running sums would be cheaper but accumulate rounding error over a long session.
 */
export class ClosedWindow {
  readonly size: number;
  private readonly values: number[] = [];
  sum = 0;
  mean = 0;
  /** Sum of squared deviations from the mean. */
  m2 = 0;

  constructor(size: number) {
    this.size = size;
  }

  get full(): boolean {
    return this.values.length === this.size;
  }

  get length(): number {
    return this.values.length;
  }

  push(value: number): void {
    if (this.size === 0) return;
    this.values.push(value);
    if (this.values.length > this.size) this.values.shift();
    let sum = 0;
    for (const v of this.values) sum += v;
    const mean = sum / this.values.length;
    let m2 = 0;
    for (const v of this.values) m2 += (v - mean) * (v - mean);
    this.sum = sum;
    this.mean = mean;
    this.m2 = m2;
  }

  toArray(): readonly number[] {
    return this.values;
  }
}
