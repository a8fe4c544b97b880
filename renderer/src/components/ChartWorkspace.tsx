import { useRef } from 'react';
import type { WatchItem } from '../../../engine/api/contract.ts';
import type { ApiClient } from '../api/client.ts';
import {
  MAX_PANELS,
  addPanel,
  movePanel,
  removePanel,
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
}

/** A grid of live chart panels: add, remove, widen, drag to rearrange; the layout is kept between runs. */
export function ChartWorkspace({ api, layout, items, theme, onLayoutChange }: Props) {
  const dragged = useRef<string | null>(null);
  const change = onLayoutChange;

  return (
    <section className="chart-workspace" aria-label="Charts">
      <div className="workspace-toolbar">
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
        <span className="muted">
          {layout.panels.length} of {MAX_PANELS} panels · drag a panel's title to move it
        </span>
      </div>
      <div className="panel-grid" style={{ gridTemplateColumns: `repeat(${layout.columns}, minmax(0, 1fr))` }}>
        {layout.panels.map((panel) => (
          <div
            key={panel.id}
            className={`panel-cell${panel.id === layout.active ? ' active' : ''}${panel.wide ? ' wide' : ''}`}
            onMouseDown={() => panel.id !== layout.active && change({ ...layout, active: panel.id })}
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
                theme={theme}
                toolbar={
                  <div className="panel-tools" draggable onDragStart={() => (dragged.current = panel.id)}>
                    <select
                      aria-label="Panel symbol"
                      value={panel.symbol}
                      onChange={(e) => change(updatePanel(layout, panel.id, { symbol: e.target.value }))}
                    >
                      {[panel.symbol, ...items.map((i) => i.symbol).filter((s) => s !== panel.symbol)].map((s) => (
                        <option key={s}>{s}</option>
                      ))}
                    </select>
                    <button
                      title={panel.wide ? 'Narrow' : 'Widen'}
                      aria-label="Widen panel"
                      onClick={() => change(updatePanel(layout, panel.id, { wide: !panel.wide }))}
                    >
                      {panel.wide ? '⇥⇤' : '⇤⇥'}
                    </button>
                    {layout.panels.length > 1 && (
                      <button
                        title="Remove panel"
                        aria-label="Remove panel"
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
