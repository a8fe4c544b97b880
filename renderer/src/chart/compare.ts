/** A bar's start and close: all a comparison needs. */
export interface ClosePoint {
  start: number;
  close: number;
}

/** Colours of compared symbols, in the order they are added; none is the candles' green or red. */
export const COMPARE_COLOURS = ['#4a90e2', '#f5a623', '#b07cf0', '#e86fb0', '#37c6d0', '#c0ca33'];

/** The closes within [from, to] (bar starts, ms), oldest first. */
function within(points: readonly ClosePoint[], from: number, to: number): ClosePoint[] {
  return points.filter((p) => p.start >= from && p.start <= to);
}

/** Change from the first close in [from, to] to the last, as a ratio; null without two closes. */
export function changeOverRange(points: readonly ClosePoint[], from: number, to: number): number | null {
  const visible = within(points, from, to);
  if (visible.length < 2) return null;
  return visible.at(-1)!.close / visible[0]!.close - 1;
}

/**
 * Pearson correlation of the two series' bar-to-bar returns over [from, to], on the bars both
 * have (a return counts only where both have the bar and the one before it): correlating prices
 * themselves would call any two trending series alike. Null with fewer than three common returns
 * or when either series does not move.
 */
export function returnsCorrelation(
  a: readonly ClosePoint[],
  b: readonly ClosePoint[],
  from: number,
  to: number,
): number | null {
  const closesOfB = new Map(within(b, from, to).map((p) => [p.start, p.close]));
  const common = within(a, from, to).filter((p) => closesOfB.has(p.start));
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 1; i < common.length; i++) {
    const [before, now] = [common[i - 1]!, common[i]!];
    x.push(now.close / before.close - 1);
    y.push(closesOfB.get(now.start)! / closesOfB.get(before.start)! - 1);
  }
  if (x.length < 3) return null;
  const mean = (v: number[]) => v.reduce((s, n) => s + n, 0) / v.length;
  const [mx, my] = [mean(x), mean(y)];
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  if (sxx === 0 || syy === 0) return null;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}
