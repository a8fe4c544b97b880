/**
 * The shape every indicator shares: state as of the last closed bar, plus the open bar's input.
 * The open bar is recomputed from that state on each amendment, so a live candle that changes a
 * thousand times yields exactly the value it would have had if it had arrived once, final.
 */
export abstract class BarIndicator<In, Out> {
  private open: In | null = null;

  /** A new bar opens: the previous open bar is final. */
  update(input: In): Out | null {
    if (this.open !== null) this.closeBar(this.open);
    this.open = input;
    return this.valueAt(input);
  }

  /** The open bar changed. */
  amend(input: In): Out | null {
    if (this.open === null) return this.update(input);
    this.open = input;
    return this.valueAt(input);
  }

  value(): Out | null {
    return this.open === null ? null : this.valueAt(this.open);
  }

  /** Folds a bar that will not change again into the state. */
  protected abstract closeBar(input: In): void;

  /** The indicator with `input` as the open bar, from the closed state; no state changes. */
  protected abstract valueAt(input: In): Out | null;
}

export function assertPeriod(period: number): void {
  if (!Number.isInteger(period) || period < 1)
    throw new RangeError(`An indicator period must be a whole number >= 1, not ${period}`);
}
