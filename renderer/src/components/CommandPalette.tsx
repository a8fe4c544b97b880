import { useMemo, useState } from 'react';
import { fuzzyFilter, fuzzyMatch } from '../fuzzy.ts';

export interface PaletteAction {
  id: string;
  title: string;
  /** Its keyboard shortcut, shown on the right. */
  keys?: string;
  run: () => void;
}

interface Props {
  actions: readonly PaletteAction[];
  /** Actions made from what was typed (e.g. "Add TSLA to the watchlist"), listed after the matches. */
  fromQuery?: (query: string) => PaletteAction[];
  onClose: () => void;
}

/** Ctrl+K / Cmd+K: type a few letters of an action, arrows to choose, Enter to run, Escape to close. */
export function CommandPalette({ actions, fromQuery, onClose }: Props) {
  const [query, setQuery] = useState('');
  const [selected, setSelected] = useState(0);
  const shown = useMemo(
    () => [...fuzzyFilter(query, actions, (a) => a.title), ...(fromQuery?.(query) ?? [])],
    [query, actions, fromQuery],
  );
  const at = Math.min(selected, Math.max(0, shown.length - 1));

  const run = (action: PaletteAction | undefined) => {
    if (!action) return;
    onClose();
    action.run();
  };

  return (
    <div className="overlay palette-overlay" onClick={onClose}>
      <div className="palette" role="dialog" aria-label="Command palette" onClick={(e) => e.stopPropagation()}>
        <input
          autoFocus
          value={query}
          placeholder="Type a command: show analyses, add panel, export, theme…"
          aria-label="Command"
          aria-controls="palette-list"
          aria-activedescendant={shown[at] ? `palette-${shown[at].id}` : undefined}
          onChange={(e) => {
            setQuery(e.target.value);
            setSelected(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') setSelected((at + 1) % Math.max(1, shown.length));
            else if (e.key === 'ArrowUp') setSelected((at - 1 + shown.length) % Math.max(1, shown.length));
            else if (e.key === 'Enter') run(shown[at]);
            else if (e.key === 'Escape') onClose();
            else return;
            e.preventDefault();
            e.stopPropagation();
          }}
        />
        <ul id="palette-list" role="listbox" aria-label="Commands">
          {shown.map((action, i) => (
            <li
              key={action.id}
              id={`palette-${action.id}`}
              role="option"
              aria-selected={i === at}
              onMouseMove={() => i !== at && setSelected(i)}
              onClick={() => run(action)}
            >
              <Highlighted text={action.title} positions={fuzzyMatch(query, action.title)?.positions ?? []} />
              {action.keys && <kbd>{action.keys}</kbd>}
            </li>
          ))}
          {shown.length === 0 && <li className="palette-empty">No command matches “{query}”.</li>}
        </ul>
      </div>
    </div>
  );
}

function Highlighted({ text, positions }: { text: string; positions: readonly number[] }) {
  const marked = new Set(positions);
  return <span>{[...text].map((ch, i) => (marked.has(i) ? <mark key={i}>{ch}</mark> : ch))}</span>;
}
