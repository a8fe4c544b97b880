import { INTERVALS, type Interval } from '../../engine/domain/interval.ts';

/** One chart panel of the workspace. */
export interface PanelLayout {
  id: string;
  symbol: string | null;
  interval: Interval;
  /** Spans two grid columns. */
  wide: boolean;
  /** Draws the indicator lines (SMA, EMA, Bollinger, VWAP, RSI). */
  indicators: boolean;
  /** Other symbols overlaid in percent. */
  compare: string[];
}

export interface WorkspaceLayout {
  columns: number;
  panels: PanelLayout[];
  active: string;
}

const KEY = 'market-monitor.layout';
export const MAX_PANELS = 16;

const newId = () => Math.random().toString(36).slice(2, 10);

export function newPanel(symbol: string | null, interval: Interval = '1m'): PanelLayout {
  return { id: newId(), symbol, interval, wide: false, indicators: false, compare: [] };
}

export function defaultLayout(): WorkspaceLayout {
  const panel = newPanel(null);
  return { columns: 1, panels: [panel], active: panel.id };
}

/** The layout saved in this browser, or the default when there is none or it no longer makes sense. */
export function loadLayout(): WorkspaceLayout {
  try {
    const saved = JSON.parse(window.localStorage.getItem(KEY) ?? 'null') as WorkspaceLayout | null;
    if (!saved || !Array.isArray(saved.panels) || saved.panels.length === 0) return defaultLayout();
    const panels = saved.panels.slice(0, MAX_PANELS).map((p) => ({
      ...newPanel(null),
      ...p,
      interval: INTERVALS.includes(p.interval) ? p.interval : '1m',
      indicators: p.indicators === true,
      compare: Array.isArray(p.compare) ? p.compare.filter((c) => typeof c === 'string').slice(0, 6) : [],
    }));
    const columns = Math.min(4, Math.max(1, Math.round(saved.columns) || 1));
    const active = panels.some((p) => p.id === saved.active) ? saved.active : panels[0]!.id;
    return { columns, panels, active };
  } catch {
    return defaultLayout();
  }
}

export function saveLayout(layout: WorkspaceLayout): void {
  window.localStorage.setItem(KEY, JSON.stringify(layout));
}

export function updatePanel(layout: WorkspaceLayout, id: string, patch: Partial<PanelLayout>): WorkspaceLayout {
  return { ...layout, panels: layout.panels.map((p) => (p.id === id ? { ...p, ...patch } : p)) };
}

export function movePanel(layout: WorkspaceLayout, id: string, beforeId: string): WorkspaceLayout {
  if (id === beforeId) return layout;
  const moving = layout.panels.find((p) => p.id === id);
  if (!moving) return layout;
  const rest = layout.panels.filter((p) => p.id !== id);
  rest.splice(
    Math.max(
      0,
      rest.findIndex((p) => p.id === beforeId),
    ),
    0,
    moving,
  );
  return { ...layout, panels: rest };
}

export function removePanel(layout: WorkspaceLayout, id: string): WorkspaceLayout {
  const panels = layout.panels.filter((p) => p.id !== id);
  if (panels.length === 0) return defaultLayout();
  return { ...layout, panels, active: layout.active === id ? panels[0]!.id : layout.active };
}

/**
 * A new panel, made active, showing the watchlist symbol on the fewest panels (the first such in
 * watchlist order), so panels beyond the watchlist's length go round it again rather than all
 * opening on its first symbol; two columns once there are several.
 */
export function addPanel(layout: WorkspaceLayout, symbols: readonly string[]): WorkspaceLayout {
  if (layout.panels.length >= MAX_PANELS) return layout;
  const shown = new Map<string, number>();
  for (const p of layout.panels) if (p.symbol !== null) shown.set(p.symbol, (shown.get(p.symbol) ?? 0) + 1);
  let next: string | null = null;
  for (const s of symbols) if (next === null || (shown.get(s) ?? 0) < (shown.get(next) ?? 0)) next = s;
  const panel = newPanel(next);
  return { ...layout, panels: [...layout.panels, panel], active: panel.id, columns: Math.max(layout.columns, 2) };
}

/** The panel after (or before) the active one, wrapping around. */
export function cycleActive(layout: WorkspaceLayout, step: 1 | -1): WorkspaceLayout {
  const at = layout.panels.findIndex((p) => p.id === layout.active);
  const next = layout.panels[(at + step + layout.panels.length) % layout.panels.length]!;
  return { ...layout, active: next.id };
}
