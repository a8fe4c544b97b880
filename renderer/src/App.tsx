import { useEffect, useState } from 'react';
import type { Notice } from '../../engine/api/contract.ts';
import type { Interval } from '../../engine/domain/interval.ts';
import type { ApiClient } from './api/client.ts';
import { useConnection, useLive } from './api/hooks.ts';
import { AnalysesView } from './components/AnalysesView.tsx';
import { ChartPanel } from './components/ChartPanel.tsx';
import { CompanyCard } from './components/CompanyCard.tsx';
import { PipelineView } from './components/PipelineView.tsx';
import { SettingsView } from './components/SettingsView.tsx';
import { StatusBar } from './components/StatusBar.tsx';
import { Toasts } from './components/Toasts.tsx';
import { Watchlist } from './components/Watchlist.tsx';

const remembered = (key: string) => window.localStorage.getItem(`market-monitor.${key}`);
const remember = (key: string, value: string) => window.localStorage.setItem(`market-monitor.${key}`, value);

type View = 'chart' | 'analyses' | 'pipeline' | 'settings';
const VIEW_TITLES: Record<View, string> = {
  chart: 'Chart',
  analyses: 'Analyses',
  pipeline: 'Pipeline',
  settings: 'Settings',
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
  const [selected, setSelected] = useState<string | null>(remembered('symbol'));
  const [interval, setChartInterval] = useState<Interval>((remembered('interval') as Interval | null) ?? '1m');
  const [localNotice, setLocalNotice] = useState<Notice | null>(null);
  const [view, setView] = useState<View>(isView(remembered('view')) ? (remembered('view') as View) : 'chart');
  const changeView = (next: View) => {
    setView(next);
    remember('view', next);
  };

  // Keep a selection that exists: the first symbol when the chosen one was removed.
  useEffect(() => {
    if (liveItems && liveItems.length > 0 && !liveItems.some((i) => i.symbol === selected))
      select(liveItems[0]!.symbol);
  }, [liveItems, selected]);

  const select = (symbol: string) => {
    setSelected(symbol);
    remember('symbol', symbol);
  };
  const changeInterval = (next: Interval) => {
    setChartInterval(next);
    remember('interval', next);
  };
  const togglePause = () => {
    api
      .call('source.setPaused', { paused: status?.source.state !== 'paused' })
      .catch((e: Error) => setLocalNotice({ level: 'error', message: e.message }));
  };

  const current = items.some((i) => i.symbol === selected) ? selected : null;
  return (
    <div className="app">
      <header className="top-bar">
        <h1>Market Monitor</h1>
        <nav className="tabs" aria-label="Views">
          {(['chart', 'analyses', 'pipeline', 'settings'] as const).map((v) => (
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
      {view === 'chart' ? (
        <main className="workspace">
          <div className="sidebar">
            <Watchlist api={api} items={items} selected={current} onSelect={select} onChange={setItems} />
            {current && <CompanyCard api={api} symbol={current} />}
          </div>
          {current ? (
            <ChartPanel api={api} symbol={current} interval={interval} onIntervalChange={changeInterval} />
          ) : (
            <section className="chart-panel empty-state">
              <p>Add a symbol to the watchlist to see its live chart.</p>
            </section>
          )}
        </main>
      ) : (
        <main className="workspace single">
          {view === 'analyses' && <AnalysesView api={api} />}
          {view === 'pipeline' && <PipelineView api={api} status={status} />}
          {view === 'settings' && <SettingsView api={api} />}
        </main>
      )}
      <StatusBar status={status} connection={connection} onTogglePause={togglePause} />
      <Toasts api={api} local={localNotice} />
    </div>
  );
}
