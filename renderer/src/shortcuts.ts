import { useEffect } from 'react';

export interface Shortcut {
  keys: string;
  description: string;
  matches: (event: KeyboardEvent) => boolean;
  run: () => void;
}

const typing = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName));

/** Global keyboard shortcuts; plain keys and arrows are ignored while the user types in a field. */
export function useShortcuts(shortcuts: readonly Shortcut[]): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const plain = !event.altKey && !event.ctrlKey && !event.metaKey;
      // In a field the arrows edit, with Alt or Option too (a word at a time): they stay the field's.
      if ((plain || event.key.startsWith('Arrow')) && typing(event.target)) return;
      const shortcut = shortcuts.find((s) => s.matches(event));
      if (!shortcut) return;
      event.preventDefault();
      shortcut.run();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [shortcuts]);
}

export const alt = (code: string) => (e: KeyboardEvent) =>
  e.altKey && !e.shiftKey && !e.ctrlKey && !e.metaKey && e.code === code;
export const altShift = (code: string) => (e: KeyboardEvent) =>
  e.altKey && e.shiftKey && !e.ctrlKey && !e.metaKey && e.code === code;
export const plainKey = (key: string) => (e: KeyboardEvent) => !e.altKey && !e.ctrlKey && !e.metaKey && e.key === key;
