import { useState, type FormEvent } from 'react';
import type { WatchItem } from '../../../engine/api/contract.ts';
import { ApiCallError, type ApiClient } from '../api/client.ts';
import { formatPrice } from '../format.ts';

interface Props {
  api: ApiClient;
  items: WatchItem[];
  selected: string | null;
  onSelect: (symbol: string) => void;
  /** The watchlist as a command left it, before the engine's event arrives. */
  onChange: (items: WatchItem[]) => void;
}

export function Watchlist({ api, items, selected, onSelect, onChange }: Props) {
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const add = async (event: FormEvent) => {
    event.preventDefault();
    if (!draft.trim()) return;
    setBusy(true);
    try {
      const next = await api.call('watchlist.add', { symbol: draft });
      onChange(next);
      onSelect(next.at(-1)!.symbol);
      setDraft('');
      setError(null);
    } catch (e) {
      setError(e instanceof ApiCallError ? (e.fields.symbol ?? e.message) : String(e));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (symbol: string) => {
    try {
      onChange(await api.call('watchlist.remove', { symbol }));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <aside className="watchlist" aria-label="Watchlist">
      <h2>Watchlist</h2>
      <form onSubmit={add} className="add-symbol">
        <input
          aria-label="Symbol to add"
          placeholder="Add symbol, e.g. TSLA"
          value={draft}
          onChange={(e) => {
            setDraft(e.target.value);
            setError(null);
          }}
          aria-invalid={error !== null}
          aria-describedby="add-symbol-error"
          spellCheck={false}
          autoCapitalize="characters"
        />
        <button type="submit" disabled={busy}>
          Add
        </button>
      </form>
      <p id="add-symbol-error" className="field-error" role="alert">
        {error}
      </p>
      {items.length === 0 ? (
        <p className="empty">Your watchlist is empty. Add a symbol above to start watching it.</p>
      ) : (
        <ul>
          {items.map((item) => (
            <li key={item.symbol} className={item.symbol === selected ? 'selected' : ''} data-symbol={item.symbol}>
              <button className="symbol" onClick={() => onSelect(item.symbol)} aria-current={item.symbol === selected}>
                <span>{item.symbol}</span>
                <span className="last">{item.last ? formatPrice(item.last.price) : '—'}</span>
              </button>
              <button
                className="remove"
                aria-label={`Remove ${item.symbol}`}
                title={`Remove ${item.symbol}`}
                onClick={() => remove(item.symbol)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
