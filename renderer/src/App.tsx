import { useEffect, useMemo, useRef, useState } from 'react';
import type { Notice } from '../../engine/api/contract.ts';
import type { ApiClient } from './api/client.ts';
import { useConnection, useLive } from './api/hooks.ts';
import { AlertsView, useAlertNotifications } from './components/AlertsView.tsx';
import { AnalysesView } from './components/AnalysesView.tsx';
import { ChartWorkspace } from './components/ChartWorkspace.tsx';
import { CompanyCard } from './components/CompanyCard.tsx';
import { PipelineView } from './components/PipelineView.tsx';
import { PortfolioView } from './components/portfolio/PortfolioView.tsx';
import { SettingsView } from './components/SettingsView.tsx';
import { SqlView } from './components/SqlView.tsx';
import { StatusBar } from './components/StatusBar.tsx';
import { Toasts } from './components/Toasts.tsx';
import { Watchlist } from './components/Watchlist.tsx';
import { ShortcutHelp } from './components/ShortcutHelp.tsx';
import { CommandPalette } from './components/CommandPalette.tsx';
import { usePaletteActions } from './palette-actions.ts';
import { useWorkspaces } from './use-workspaces.ts';
import { WorkspaceSwitcher } from './components/WorkspaceSwitcher.tsx';
import { alt, altShift, plainKey, useShortcuts, type Shortcut } from './shortcuts.ts';
import { applyTheme, useTheme } from './theme.ts';
import {
  addPanel,
  cycleActive,
  shiftActive,
  loadLayout,
  saveLayout,
  toggleMaximized,
  updatePanel,
  type WorkspaceLayout,
} from './workspace-layout.ts';

const remembered = (key: string) => window.localStorage.getItem(`market-monitor.${key}`);
const remember = (key: string, value: string) => window.localStorage.setItem(`market-monitor.${key}`, value);

type View = 'chart' | 'analyses' | 'alerts' | 'pipeline' | 'settings' | 'sql' | 'portfolio';
/** In tab order; Alt+1… follow it (Portfolio came last, so the older shortcuts kept their digits). */
const VIEWS = ['chart', 'analyses', 'alerts', 'pipeline', 'settings', 'sql', 'portfolio'] as const;
const VIEW_TITLES: Record<View, string> = {
  chart: 'Chart',
  analyses: 'Analyses',
  alerts: 'Alerts',
  pipeline: 'Pipeline',
  settings: 'Settings',
  sql: 'SQL',
  portfolio: 'Portfolio',
};
const isView = (v: string | null): v is View => v !== null && Object.hasOwn(VIEW_TITLES, v);

export function App({ api }: { api: ApiClient }) {
  const connection = useConnection(api);
  const [liveItems, setItems] = useLive(
    api,
    'watchlist',
    () => api.call('watchlist.list', {}),
    (list) => list,
  );
  const items = liveItems ?? [];
  const [status] = useLive(
    api,
    'status',
    () => api.call('status.get', {}),
    (s) => s,
  );
  const [layout, setLayout] = useState<WorkspaceLayout>(loadLayout);
  /** Layout changes apply to the latest layout, since a command may answer after others changed it. */
  const changeLayout = (update: WorkspaceLayout | ((current: WorkspaceLayout) => WorkspaceLayout)) =>
    setLayout((current) => {
      const next = typeof update === 'function' ? update(current) : update;
      saveLayout(next);
      return next;
    });
  const workspaces = useWorkspaces(layout, (l) => changeLayout(l));
  const [localNotice, setLocalNotice] = useState<Notice | null>(null);
  const [view, setView] = useState<View>(isView(remembered('view')) ? (remembered('view') as View) : 'chart');
  /**
   * The chart workspace and Settings stay mounted once shown, hidden while another view is: a tab
   * switch neither rebuilds every chart nor throws away a settings draft that was not saved.
   */
  const [kept, setKept] = useState<ReadonlySet<View>>(() => new Set([view]));
  const changeView = (next: View) => {
    setView(next);
    setKept((shown) => (shown.has(next) ? shown : new Set([...shown, next])));
    remember('view', next);
  };

  const theme = useTheme(api);
  const [showHelp, setShowHelp] = useState(false);
  const [showPalette, setShowPalette] = useState(false);
  const shortcuts = useMemo<Shortcut[]>(
    () => [
      ...VIEWS.map((v, i) => ({
        keys: `Alt+${i + 1}`,
        description: `Show ${VIEW_TITLES[v]}`,
        matches: alt(`Digit${i + 1}`),
        run: () => changeView(v),
      })),
      {
        keys: 'Alt+N',
        description: 'Add a chart panel',
        matches: alt('KeyN'),
        run: () => changeLayout((l) => addPanel(l, symbolsRef.current)),
      },
      {
        keys: 'Alt+→',
        description: 'Next panel',
        matches: alt('ArrowRight'),
        run: () => changeLayout((l) => cycleActive(l, 1)),
      },
      {
        keys: 'Alt+←',
        description: 'Previous panel',
        matches: alt('ArrowLeft'),
        run: () => changeLayout((l) => cycleActive(l, -1)),
      },
      {
        keys: 'Alt+Shift+→',
        description: 'Move the active panel one place on',
        matches: altShift('ArrowRight'),
        run: () => changeLayout((l) => shiftActive(l, 1)),
      },
      {
        keys: 'Alt+Shift+←',
        description: 'Move the active panel one place back',
        matches: altShift('ArrowLeft'),
        run: () => changeLayout((l) => shiftActive(l, -1)),
      },
      {
        keys: 'F',
        description: 'Full screen the active panel, or back to the grid',
        matches: plainKey('f'),
        run: () => {
          changeView('chart');
          changeLayout((l) => toggleMaximized(l, l.active));
        },
      },
      {
        keys: '/',
        description: 'Add a symbol',
        matches: plainKey('/'),
        run: () => {
          changeView('chart');
          setTimeout(() => document.querySelector<HTMLInputElement>('[aria-label="Symbol to add"]')?.focus());
        },
      },
      { keys: '?', description: 'Show these shortcuts', matches: plainKey('?'), run: () => setShowHelp((v) => !v) },
      {
        keys: 'Ctrl+K',
        description: 'Command palette',
        matches: (e) => (e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k',
        run: () => setShowPalette((v) => !v),
      },
    ],
    [],
  );
  const symbolsRef = useRef<string[]>([]);
  symbolsRef.current = items.map((i) => i.symbol);
  useShortcuts(shortcuts);
  useAlertNotifications(api, (message) => setLocalNotice({ level: 'warning', message }));

  // Panels show symbols that exist: a removed symbol's panels move to the first one on the list.
  useEffect(() => {
    if (!liveItems) return;
    if (liveItems.length === 0) {
      // An empty watchlist empties the panels too: they then say how to add a symbol.
      if (layout.panels.some((p) => p.symbol !== null)) {
        changeLayout({ ...layout, panels: layout.panels.map((p) => ({ ...p, symbol: null })) });
      }
      return;
    }
    const known = new Set(liveItems.map((i) => i.symbol));
    if (layout.panels.every((p) => p.symbol !== null && known.has(p.symbol))) return;
    changeLayout({
      ...layout,
      panels: layout.panels.map((p) =>
        p.symbol !== null && known.has(p.symbol) ? p : { ...p, symbol: liveItems[0]!.symbol },
      ),
    });
  }, [liveItems, layout]);

  const activePanel = layout.panels.find((p) => p.id === layout.active) ?? layout.panels[0]!;
  /** Choosing a symbol on the watchlist shows it in the active panel. */
  const select = (symbol: string) => changeLayout((current) => updatePanel(current, current.active, { symbol }));

  const togglePause = () => {
    api
      .call('source.setPaused', { paused: status?.source.state !== 'paused' })
      .catch((e: Error) => setLocalNotice({ level: 'error', message: e.message }));
  };

  const paletteActions = usePaletteActions({
    api,
    shortcuts,
    theme,
    paused: status?.source.state === 'paused',
    onView: changeView,
    onItems: setItems,
    onTogglePause: togglePause,
    onShowHelp: () => setShowHelp(true),
    onNotice: setLocalNotice,
    workspaces: {
      names: workspaces.names,
      current: workspaces.current,
      onSwitch: (name) => {
        changeView('chart');
        workspaces.switchTo(name);
      },
    },
  });

  const current =
    activePanel.symbol !== null && items.some((i) => i.symbol === activePanel.symbol) ? activePanel.symbol : null;
  return (
    <div className="app">
      <header className="top-bar">
        <h1>Market Monitor</h1>
        <nav className="tabs" aria-label="Views">
          {VIEWS.map((v) => (
            <button
              key={v}
              className={v === view ? 'active' : ''}
              aria-pressed={v === view}
              onClick={() => changeView(v)}
            >
              {VIEW_TITLES[v]}
            </button>
          ))}
        </nav>
      </header>
      {kept.has('chart') && (
        <main className="workspace" hidden={view !== 'chart'}>
          <div className="sidebar">
            <Watchlist api={api} items={items} selected={current} onSelect={select} onChange={setItems} />
            {current && <CompanyCard api={api} symbol={current} quote={items.find((i) => i.symbol === current)} />}
          </div>
          <ChartWorkspace
            api={api}
            layout={layout}
            items={items}
            theme={theme}
            onLayoutChange={changeLayout}
            switcher={
              <WorkspaceSwitcher
                names={workspaces.names}
                current={workspaces.current}
                onSwitch={workspaces.switchTo}
                onSaveAs={workspaces.saveAs}
                onDelete={workspaces.remove}
              />
            }
          />
        </main>
      )}
      <main className="workspace single" hidden={view === 'chart'}>
        {view === 'analyses' && <AnalysesView api={api} />}
        {view === 'alerts' && <AlertsView api={api} items={items} />}
        {view === 'pipeline' && <PipelineView api={api} status={status} />}
        {view === 'sql' && <SqlView api={api} />}
        {view === 'portfolio' && <PortfolioView api={api} theme={theme} />}
        {kept.has('settings') && (
          <div className="kept-view" hidden={view !== 'settings'}>
            <SettingsView api={api} active={view === 'settings'} onSaved={(s) => applyTheme(s.appearance.theme)} />
          </div>
        )}
      </main>
      {showHelp && <ShortcutHelp shortcuts={shortcuts} onClose={() => setShowHelp(false)} />}
      {showPalette && (
        <CommandPalette
          actions={paletteActions.actions}
          fromQuery={paletteActions.fromQuery}
          onClose={() => setShowPalette(false)}
        />
      )}
      <StatusBar status={status} connection={connection} onTogglePause={togglePause} />
      <Toasts api={api} local={localNotice} />
    </div>
  );
}
