import { useEffect, useEffectEvent } from 'react';
import type { Shortcut } from '../shortcuts.ts';

export function ShortcutHelp({ shortcuts, onClose }: { shortcuts: readonly Shortcut[]; onClose: () => void }) {
  const close = useEffectEvent(onClose);
  // Escape closes it, wherever the focus is (a click outside does too).
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      close();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts" onClick={onClose}>
      <div className="dialog" onClick={(e) => e.stopPropagation()}>
        <h2>Keyboard shortcuts</h2>
        <dl>
          {shortcuts.map((s) => (
            <div key={s.keys}>
              <dt>
                <kbd>{s.keys}</kbd>
              </dt>
              <dd>{s.description}</dd>
            </div>
          ))}
          <div>
            <dt>
              <kbd>Delete</kbd>
            </dt>
            <dd>Remove the watchlist symbol that has the focus</dd>
          </div>
          <div>
            <dt>
              <kbd>Esc</kbd>
            </dt>
            <dd>Close this</dd>
          </div>
        </dl>
        {/* The focus starts here, so Enter or Space closes it too. */}
        <button className="primary" onClick={onClose} autoFocus>
          Close
        </button>
      </div>
    </div>
  );
}
