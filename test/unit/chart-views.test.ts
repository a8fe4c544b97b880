import { TickMarkType } from 'lightweight-charts';
import { describe, expect, it } from 'vitest';
import { ExchangeSessions } from '../../engine/domain/trading-sessions.ts';
import { displayZone, tickMark } from '../../renderer/src/chart/chart-time-zone.ts';
import { barsIn, extendedSpans, hasExtendedHours } from '../../renderer/src/chart/session-shading.ts';
import { checkedLayout, defaultLayout, toggleMaximized } from '../../renderer/src/workspace-layout.ts';
import {
  deleteWorkspace,
  nameProblem,
  saveWorkspaceAs,
  switchWorkspace,
  workspaceNames,
  type Workspaces,
} from '../../renderer/src/workspaces.ts';

const MINUTE = 60_000;
/** Monday 30 November 2026, 00:00 UTC; New York is on EST (UTC-5). */
const MONDAY = Date.UTC(2026, 10, 30);
const ny = (hours: number) => MONDAY + (hours + 5) * 60 * MINUTE;

describe('session shading', () => {
  it('finds the pre-market and after-hours stretches of a New York day', () => {
    const spans = extendedSpans(new ExchangeSessions('America/New_York'), ny(3), ny(21));
    expect(spans).toEqual([
      { phase: 'pre', start: ny(4), end: ny(9.5) },
      { phase: 'post', start: ny(16), end: ny(20) },
    ]);
    expect(extendedSpans(new ExchangeSessions('America/New_York'), ny(10), ny(15))).toEqual([]);
  });

  it('shades whole bars: those starting inside a span', () => {
    // One-minute bars from 08:00 to 10:59 New York time.
    const axis = { count: 180, startOf: (i: number) => ny(8) + i * MINUTE, intervalMs: MINUTE };
    expect(barsIn(axis, { start: ny(4), end: ny(9.5) })).toEqual({ first: 0, last: 89 });
    expect(barsIn(axis, { start: ny(16), end: ny(20) })).toBeNull();
  });

  it('is only for exchanges with extended hours', () => {
    expect(hasExtendedHours('America/New_York')).toBe(true);
    expect(hasExtendedHours('Europe/London')).toBe(false);
    expect(hasExtendedHours(undefined)).toBe(false);
  });
});

describe('the chart clock', () => {
  it('reads times in the exchange zone, UTC, or the machine’s own', () => {
    expect(displayZone('exchange', 'Asia/Tokyo')).toBe('Asia/Tokyo');
    expect(displayZone('exchange', undefined)).toBe('America/New_York');
    expect(displayZone('UTC', 'Asia/Tokyo')).toBe('UTC');
    expect(displayZone('local', 'Asia/Tokyo')).toBeUndefined();
    const at = ny(9.5);
    expect(tickMark(at, TickMarkType.Time, 'America/New_York')).toMatch(/09:30/);
    expect(tickMark(at, TickMarkType.Time, 'UTC')).toMatch(/02:30 PM|14:30/);
  });
});

describe('layouts and workspaces', () => {
  it('gives an older saved layout the new panel settings’ defaults, and refuses unknown values', () => {
    const old = { columns: 2, active: 'a', panels: [{ id: 'a', symbol: 'AAPL', interval: '5m', wide: false }] };
    expect(checkedLayout(old)).toMatchObject({
      maximized: null,
      panels: [{ id: 'a', log: false, timeZone: 'exchange', sessions: true, compare: [] }],
    });
    const odd = { ...old, maximized: 'gone', panels: [{ ...old.panels[0], timeZone: 'Mars', log: 'yes' }] };
    expect(checkedLayout(odd)).toMatchObject({ maximized: null, panels: [{ timeZone: 'exchange', log: false }] });
  });

  it('shows one panel full screen and the grid again', () => {
    const layout = defaultLayout();
    const id = layout.panels[0]!.id;
    expect(toggleMaximized(layout, id).maximized).toBe(id);
    expect(toggleMaximized(toggleMaximized(layout, id), id).maximized).toBeNull();
  });

  it('keeps the layout in use when switching, saves copies under new names, and never deletes the last', () => {
    const main = defaultLayout();
    let w: Workspaces = { current: 'Main', layouts: { Main: main } };
    const changed = { ...main, columns: 3 };
    w = saveWorkspaceAs(w, changed, ' Day trading ');
    expect(w.current).toBe('Day trading');
    expect(w.layouts['Main']).toEqual(changed);
    expect(nameProblem(w, 'day TRADING')).toBe('There is a workspace named Day trading already');
    expect(nameProblem(w, '  ')).toBe('Give the workspace a name');
    expect(() => saveWorkspaceAs(w, changed, 'main')).toThrow('named Main already');

    const later = { ...changed, columns: 4 };
    w = switchWorkspace(w, later, 'Main');
    expect(w.current).toBe('Main');
    expect(w.layouts['Day trading']).toEqual(later);
    expect(switchWorkspace(w, later, 'Nowhere')).toBe(w);

    w = deleteWorkspace(w);
    expect(w.current).toBe('Day trading');
    expect(workspaceNames(w)).toEqual(['Day trading']);
    expect(deleteWorkspace(w)).toBe(w);
  });
});
