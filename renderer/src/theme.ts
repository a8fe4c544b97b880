import { useEffect, useState } from 'react';
import type { ApiClient } from './api/client.ts';

export type ThemeChoice = 'system' | 'dark' | 'light';
type Resolved = 'dark' | 'light';

const listeners = new Set<() => void>();
const media = () => window.matchMedia('(prefers-color-scheme: light)');

/** Applies the user's choice to the page: CSS follows the data-theme attribute, or the system when unset. */
export function applyTheme(choice: ThemeChoice): void {
  if (choice === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
  for (const listener of listeners) listener();
}

function resolved(): Resolved {
  const set = document.documentElement.dataset.theme;
  if (set === 'dark' || set === 'light') return set;
  return media().matches ? 'light' : 'dark';
}

/** The theme in effect, following the stored setting and the system's own changes. */
export function useTheme(api: ApiClient): Resolved {
  const [theme, setTheme] = useState<Resolved>(resolved);
  useEffect(() => {
    const update = () => setTheme(resolved());
    listeners.add(update);
    media().addEventListener('change', update);
    api.call('settings.get', {}).then(
      (s) => applyTheme(s.appearance.theme),
      () => undefined,
    );
    return () => {
      listeners.delete(update);
      media().removeEventListener('change', update);
    };
  }, [api]);
  return theme;
}
