import { INTERVALS, type Interval } from '../../engine/domain/interval.ts';
import { CHART_TIME_ZONES, type ChartTimeZone } from './chart/chart-time-zone.ts';

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
  /** A logarithmic price scale. */
  log: boolean;
  /** The clock its times are read in. */
  timeZone: ChartTimeZone;
  /** Pre-market and after-hours bars shaded. */
  sessions: boolean;
}

export interface WorkspaceLayout {
  columns: number;
  panels: PanelLayout[];
  active: string;
  /** The panel shown alone, filling the workspace; null for the grid. */
  maximized: string | null;
}

const KEY = 'market-monitor.layout';
export const MAX_PANELS = 16;

const newId = () => Math.random().toString(36).slice(2, 10);

export function newPanel(symbol: string | null, interval: Interval = '1m'): PanelLayout {
  return {
    id: newId(),
    symbol,
    interval,
    wide: false,
    indicators: false,
    compare: [],
    log: false,
    timeZone: 'exchange',
    sessions: true,
  };
}

export function defaultLayout(): WorkspaceLayout {
  const panel = newPanel(null);
  return { columns: 1, panels: [panel], active: panel.id, maximized: null };
}

/** The layout saved in this browser, or the default when there is none or it no longer makes sense. */
export function loadLayout(): WorkspaceLayout {
  try {
    return checkedLayout(JSON.parse(window.localStorage.getItem(KEY) ?? 'null'));
  } catch {
    return defaultLayout();
  }
}

/**
 * A layout as saved (by this version or an older one, or edited by hand), made whole: missing or
 * unknown values take their defaults.
 */
export function checkedLayout(value: unknown): WorkspaceLayout {
  const saved = value as Partial<WorkspaceLayout> | null;
  if (!saved || !Array.isArray(saved.panels) || saved.panels.length === 0) return defaultLayout();
  const panels = saved.panels.slice(0, MAX_PANELS).map((p) => ({
    ...newPanel(null),
    ...p,
    interval: INTERVALS.includes(p.interval) ? p.interval : '1m',
    indicators: p.indicators === true,
    compare: Array.isArray(p.compare) ? p.compare.filter((c) => typeof c === 'string').slice(0, 6) : [],
    log: p.log === true,
    timeZone: CHART_TIME_ZONES.includes(p.timeZone) ? p.timeZone : 'exchange',
    sessions: p.sessions !== false,
  }));
  const columns = Math.min(4, Math.max(1, Math.round(saved.columns ?? 1) || 1));
  const active = panels.some((p) => p.id === saved.active) ? saved.active! : panels[0]!.id;
  const maximized = panels.some((p) => p.id === saved.maximized) ? saved.maximized! : null;
  return { columns, panels, active, maximized };
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
  const maximized = layout.maximized === id ? null : layout.maximized;
  return { ...layout, panels, active: layout.active === id ? panels[0]!.id : layout.active, maximized };
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
  return {
    ...layout,
    panels: [...layout.panels, panel],
    active: panel.id,
    columns: Math.max(layout.columns, 2),
    maximized: null,
  };
}

/** The panel after (or before) the active one, wrapping around. */
export function cycleActive(layout: WorkspaceLayout, step: 1 | -1): WorkspaceLayout {
  const at = layout.panels.findIndex((p) => p.id === layout.active);
  const next = layout.panels[(at + step + layout.panels.length) % layout.panels.length]!;
  return { ...layout, active: next.id };
}

/** Moves the active panel one place later (1) or earlier (-1) in the grid; it stays at either end. */
export function shiftActive(layout: WorkspaceLayout, step: 1 | -1): WorkspaceLayout {
  const at = layout.panels.findIndex((p) => p.id === layout.active);
  const to = at + step;
  if (at < 0 || to < 0 || to >= layout.panels.length) return layout;
  const panels = [...layout.panels];
  [panels[at], panels[to]] = [panels[to]!, panels[at]!];
  return { ...layout, panels };
}

/** Shows the panel alone, filling the workspace, or the grid again when it is shown so already. */
export function toggleMaximized(layout: WorkspaceLayout, id: string): WorkspaceLayout {
  return { ...layout, active: id, maximized: layout.maximized === id ? null : id };
}
