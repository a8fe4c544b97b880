/**
 * The first index in [0, length) at which `before(i)` is false, for a `before` that is true for a
 * prefix of the indexes and false after it (a sorted array compared with a key): a binary search.
 */
export function firstIndexNotBefore(length: number, before: (i: number) => boolean): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
