import { useCallback, useMemo, useRef } from 'react';
import type { Notice, WatchItem } from '../../engine/api/contract.ts';
import type { ApiClient } from './api/client.ts';
import type { PaletteAction } from './components/CommandPalette.tsx';
import type { Shortcut } from './shortcuts.ts';
import { applyTheme } from './theme.ts';

interface Options<V extends string> {
  api: ApiClient;
  /** Every keyboard shortcut is also a command (with its keys shown). */
  shortcuts: readonly Shortcut[];
  theme: 'dark' | 'light';
  paused: boolean;
  onView: (view: V) => void;
  onItems: (items: WatchItem[]) => void;
  onTogglePause: () => void;
  onShowHelp: () => void;
  onNotice: (notice: Notice) => void;
  /** Each other named workspace is a command. */
  workspaces: { names: readonly string[]; current: string; onSwitch: (name: string) => void };
}

const SYMBOL_LIKE = /^[A-Za-z0-9^][A-Za-z0-9.\-=^]{0,14}$/;

/** Clicks an element once the view that holds it has rendered (up to a second). */
function clickWhenShown(selector: string): void {
  const started = performance.now();
  const attempt = () => {
    const element = document.querySelector<HTMLElement>(selector);
    if (element) element.click();
    else if (performance.now() - started < 1_000) requestAnimationFrame(attempt);
  };
  requestAnimationFrame(attempt);
}

/** The command palette's commands: the shortcuts, plus export, theme, pause, and "Add SYMBOL". */
export function usePaletteActions<V extends string>(options: Options<V>) {
  const { api, shortcuts, theme, paused, onView, onItems, onTogglePause, onShowHelp, onNotice, workspaces } = options;
  const { names, current, onSwitch } = workspaces;
  const otherWorkspaces = names.filter((n) => n !== current).join('\u0000');
  /** The latest: a switch keeps the layout in use as it is now, not as it was when the list was made. */
  const switchTo = useRef(onSwitch);
  switchTo.current = onSwitch;
  const fail = useCallback((e: Error) => onNotice({ level: 'error', message: e.message }), [onNotice]);

  const actions = useMemo<PaletteAction[]>(() => {
    const other = theme === 'dark' ? 'light' : 'dark';
    return [
      ...shortcuts
        .filter((s) => s.description !== 'Command palette')
        .map((s) => ({ id: `shortcut-${s.keys}`, title: s.description, keys: s.keys, run: s.run })),
      {
        id: 'export-analysis',
        title: 'Export the current analysis as CSV',
        run: () => {
          onView('analyses' as V);
          clickWhenShown('[data-action="export-csv"]');
        },
      },
      {
        id: 'export-analysis-parquet',
        title: 'Export the current analysis as Parquet',
        run: () => {
          onView('analyses' as V);
          clickWhenShown('[data-action="export-parquet"]');
        },
      },
      {
        id: 'toggle-theme',
        title: `Switch to the ${other} theme`,
        run: () => {
          api
            .call('settings.get', {})
            .then((s) => api.call('settings.update', { ...s, appearance: { ...s.appearance, theme: other } }))
            .then((s) => applyTheme(s.appearance.theme), fail);
        },
      },
      { id: 'pause', title: paused ? 'Resume the source' : 'Pause the source', run: onTogglePause },
      { id: 'help', title: 'Show keyboard shortcuts', keys: '?', run: onShowHelp },
      ...(otherWorkspaces ? otherWorkspaces.split('\u0000') : []).map((name) => ({
        id: `workspace-${name}`,
        title: `Switch to the workspace ${name}`,
        run: () => switchTo.current(name),
      })),
    ].filter((a, i, all) => all.findIndex((b) => b.title === a.title) === i);
  }, [api, shortcuts, theme, paused, onView, onTogglePause, onShowHelp, fail, otherWorkspaces]);

  const fromQuery = useCallback(
    (query: string): PaletteAction[] => {
      const symbol = query.trim().replace(/^add\s+/i, '');
      if (!SYMBOL_LIKE.test(symbol)) return [];
      const upper = symbol.toUpperCase();
      return [
        {
          id: `add-${upper}`,
          title: `Add ${upper} to the watchlist`,
          run: () => {
            onView('chart' as V);
            api.call('watchlist.add', { symbol: upper }).then(onItems, fail);
          },
        },
      ];
    },
    [api, onView, onItems, fail],
  );

  return { actions, fromQuery };
}
