/** A fuzzy match of what the user typed against a title: the matched character positions and a score. */
export interface FuzzyMatch {
  score: number;
  /** Indices into the title of the characters that matched, for highlighting. */
  positions: number[];
}

const isWordStart = (text: string, i: number) => i === 0 || /[\s\-_/.(]/.test(text[i - 1]!);

/**
 * Every character of `query` in order in `text` (case-insensitive), or null. Consecutive characters
 * and characters at the start of a word score more, so "ex cs" finds "Export … CSV" first.
 * Spaces in the query are free: they only separate words.
 */
export function fuzzyMatch(query: string, text: string): FuzzyMatch | null {
  const q = query.toLowerCase().replace(/\s+/g, '');
  if (q.length === 0) return { score: 0, positions: [] };
  const t = text.toLowerCase();
  const positions: number[] = [];
  let score = 0;
  let from = 0;
  for (const ch of q) {
    // Prefer the next occurrence at a word start; fall back to the next one at all.
    let at = -1;
    for (let i = t.indexOf(ch, from); i !== -1; i = t.indexOf(ch, i + 1)) {
      if (isWordStart(text, i) || i === positions.at(-1)! + 1) {
        at = i;
        break;
      }
    }
    if (at === -1) at = t.indexOf(ch, from);
    if (at === -1) return null;
    const previous = positions.at(-1);
    score += 1 + (previous !== undefined && at === previous + 1 ? 3 : 0) + (isWordStart(text, at) ? 2 : 0);
    positions.push(at);
    from = at + 1;
  }
  return { score: score - text.length / 100, positions };
}

/** The items that match, best first (ties keep their order). */
export function fuzzyFilter<T>(query: string, items: readonly T[], text: (item: T) => string): T[] {
  return items
    .map((item, index) => ({ item, index, match: fuzzyMatch(query, text(item)) }))
    .filter((m) => m.match !== null)
    .sort((a, b) => b.match!.score - a.match!.score || a.index - b.index)
    .map((m) => m.item);
}
