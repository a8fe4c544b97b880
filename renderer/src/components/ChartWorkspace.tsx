import { useEffect, useRef, type ReactNode } from 'react';
import type { WatchItem } from '../../../engine/api/contract.ts';
import type { ApiClient } from '../api/client.ts';
import {
  MAX_PANELS,
  addPanel,
  movePanel,
  removePanel,
  toggleMaximized,
  updatePanel,
  type WorkspaceLayout,
} from '../workspace-layout.ts';
import { ChartPanel } from './ChartPanel.tsx';

interface Props {
  api: ApiClient;
  layout: WorkspaceLayout;
  items: WatchItem[];
  theme: 'dark' | 'light';
  onLayoutChange: (layout: WorkspaceLayout) => void;
  /** The named workspaces' switcher, at the toolbar's start. */
  switcher?: ReactNode;
}

/** A grid of live chart panels: add, remove, widen, drag to rearrange; the layout is kept between runs. */
export function ChartWorkspace({ api, layout, items, theme, onLayoutChange, switcher }: Props) {
  const dragged = useRef<string | null>(null);
  const change = onLayoutChange;
  const maximized = layout.panels.find((p) => p.id === layout.maximized) ?? null;
  const latest = useRef(layout);
  latest.current = layout;

  // Escape leaves full screen, unless a dialog or a field is taking the key.
  useEffect(() => {
    if (!maximized) return;
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (e.key !== 'Escape' || e.defaultPrevented || document.querySelector('[role="dialog"]')) return;
      if (target?.closest('input, select, textarea, details[open]')) return;
      change({ ...latest.current, maximized: null });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [maximized, change]);

  const hint = maximized
    ? `${maximized.symbol ?? 'Panel'} full screen · Esc or F for the grid`
    : `${layout.panels.length} of ${MAX_PANELS} panels · drag a panel's title to move it`;
  return (
    <section className="chart-workspace" aria-label="Charts">
      <div className="workspace-toolbar">
        {switcher}
        <button
          onClick={() =>
            change(
              addPanel(
                layout,
                items.map((i) => i.symbol),
              ),
            )
          }
          disabled={layout.panels.length >= MAX_PANELS}
          title="Add a chart panel (Alt+N)"
        >
          + Panel
        </button>
        <label>
          Columns
          <select
            value={layout.columns}
            onChange={(e) => change({ ...layout, columns: Number(e.target.value) })}
            aria-label="Columns"
          >
            {[1, 2, 3, 4].map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </label>
        {/* Cut short in a narrow window: the title keeps it whole. */}
        <span className="muted" title={hint}>
          {hint}
        </span>
      </div>
      <div
        className={`panel-grid${maximized ? ' maximized' : ''}`}
        style={{ gridTemplateColumns: `repeat(${maximized ? 1 : layout.columns}, minmax(0, 1fr))` }}
      >
        {layout.panels.map((panel) => (
          <div
            key={panel.id}
            // Kept mounted while another panel fills the workspace: its chart keeps its scroll and history.
            hidden={maximized !== null && maximized.id !== panel.id}
            className={`panel-cell${panel.id === layout.active ? ' active' : ''}${panel.wide ? ' wide' : ''}`}
            onMouseDown={() => panel.id !== layout.active && change({ ...layout, active: panel.id })}
            // The keyboard makes a panel active as the pointer does: Enter on the watchlist opens there.
            onFocus={() => panel.id !== latest.current.active && change({ ...latest.current, active: panel.id })}
            onDragOver={(e) => e.preventDefault()}
            onDrop={(e) => {
              e.preventDefault();
              if (dragged.current) change(movePanel(layout, dragged.current, panel.id));
              dragged.current = null;
            }}
            data-testid="panel"
          >
            {panel.symbol ? (
              <ChartPanel
                api={api}
                symbol={panel.symbol}
                interval={panel.interval}
                onIntervalChange={(interval) => change(updatePanel(layout, panel.id, { interval }))}
                indicators={panel.indicators}
                onIndicatorsChange={(indicators) => change(updatePanel(layout, panel.id, { indicators }))}
                compare={panel.compare}
                compareChoices={items.map((i) => i.symbol)}
                onCompareChange={(compare) => change(updatePanel(layout, panel.id, { compare }))}
                view={panel}
                onViewChange={(patch) => change(updatePanel(layout, panel.id, patch))}
                theme={theme}
                toolbar={
                  <div className="panel-tools" draggable onDragStart={() => (dragged.current = panel.id)}>
                    <select
                      aria-label={`Symbol of the ${panel.symbol} panel`}
                      value={panel.symbol}
                      onChange={(e) => change(updatePanel(layout, panel.id, { symbol: e.target.value }))}
                    >
                      {[panel.symbol, ...items.map((i) => i.symbol).filter((s) => s !== panel.symbol)].map((s) => (
                        <option key={s}>{s}</option>
                      ))}
                    </select>
                    <button
                      title={maximized ? 'Back to the grid (Esc)' : 'Full screen (F)'}
                      aria-label={maximized ? 'Leave full screen' : `Full screen: the ${panel.symbol} panel`}
                      aria-pressed={maximized?.id === panel.id}
                      onClick={() => change(toggleMaximized(layout, panel.id))}
                    >
                      {maximized ? '⤡' : '⤢'}
                    </button>
                    <button
                      hidden={maximized !== null}
                      title={panel.wide ? 'Narrow' : 'Widen'}
                      aria-label={`Widen the ${panel.symbol} panel`}
                      aria-pressed={panel.wide}
                      onClick={() => change(updatePanel(layout, panel.id, { wide: !panel.wide }))}
                    >
                      {panel.wide ? '⇥⇤' : '⇤⇥'}
                    </button>
                    {layout.panels.length > 1 && (
                      <button
                        title="Remove panel"
                        aria-label={`Remove the ${panel.symbol} panel`}
                        onClick={() => change(removePanel(layout, panel.id))}
                      >
                        ×
                      </button>
                    )}
                  </div>
                }
              />
            ) : (
              <div className="chart-panel empty-state">
                <p>
                  Add a symbol to the watchlist to see its live chart: type it in the box on the left, or press{' '}
                  <kbd>/</kbd>. <kbd>Ctrl+K</kbd> lists every command.
                </p>
              </div>
            )}
          </div>
        ))}
      </div>
    </section>
  );
}
