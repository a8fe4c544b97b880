import { describe, expect, it } from 'vitest';
import { formatDay } from '../../renderer/src/format.ts';

describe('A day bar’s date', () => {
  // Tokyo's 26 March 2026 begins at 15:00 UTC on the 25th.
  const tokyoDay = Date.UTC(2026, 2, 25, 15);

  it('is the exchange date in the symbol’s zone, with no time of day', () => {
    const shown = formatDay(tokyoDay, 'Asia/Tokyo');
    expect(shown).toMatch(/26/);
    expect(shown).not.toMatch(/\d:\d/);
  });

  it('would be the day before if read in New York, the default for a host that sends no zone', () => {
    expect(formatDay(tokyoDay)).toMatch(/25/);
    expect(formatDay(tokyoDay, 'America/New_York')).toBe(formatDay(tokyoDay));
  });
});
