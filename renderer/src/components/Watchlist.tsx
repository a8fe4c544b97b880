import {
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
  type DragEvent,
  type FormEvent,
  type KeyboardEvent,
} from 'react';
import type { CommandOutput, WatchItem } from '../../../engine/api/contract.ts';
import { ApiCallError, type ApiClient } from '../api/client.ts';
import { formatChange, formatPercent, formatPrice, formatVolume } from '../format.ts';
import { FeedHealthCell } from './FeedHealthCell.tsx';
import { PROVIDERS, ProviderIdSchema, providerRefusal, type ProviderId } from '../../../engine/domain/provider.ts';
import { Sparkline } from './Sparkline.tsx';

interface Props {
  api: ApiClient;
  items: WatchItem[];
  selected: string | null;
  onSelect: (symbol: string) => void;
  /** The watchlist as a command left it, before the engine's event arrives. */
  onChange: (items: WatchItem[]) => void;
}

type SortKey = 'position' | 'symbol' | 'last' | 'change' | 'changePercent' | 'dayVolume';
const COLUMNS: Array<{ key: SortKey; label: string }> = [
  { key: 'symbol', label: 'Symbol' },
  { key: 'last', label: 'Last' },
  { key: 'change', label: 'Chg' },
  { key: 'changePercent', label: 'Chg %' },
  { key: 'dayVolume', label: 'Volume' },
];

const change = (item: WatchItem) => (item.last && item.dayOpen ? item.last.price - item.dayOpen : null);
const changePercent = (item: WatchItem) =>
  item.last && item.dayOpen ? (item.last.price - item.dayOpen) / item.dayOpen : null;

function sortValue(item: WatchItem, key: SortKey): number | string {
  if (key === 'symbol') return item.symbol;
  if (key === 'last') return item.last?.price ?? Number.NEGATIVE_INFINITY;
  if (key === 'change') return change(item) ?? Number.NEGATIVE_INFINITY;
  if (key === 'changePercent') return changePercent(item) ?? Number.NEGATIVE_INFINITY;
  if (key === 'dayVolume') return item.dayVolume;
  return item.position;
}

/** The items in the order of `symbols` (any other after them), each at its position there. */
function inOrder(items: readonly WatchItem[], symbols: readonly string[]): WatchItem[] {
  const at = (item: WatchItem) => {
    const i = symbols.indexOf(item.symbol);
    return i < 0 ? symbols.length : i;
  };
  return [...items].sort((a, b) => at(a) - at(b)).map((item, position) => ({ ...item, position }));
}

export function Watchlist({ api, items: listed, selected, onSelect, onChange }: Props) {
  /**
   * An order asked for and not yet answered. The list shows it at once, over the events that still
   * bring the old one, so a held key moves the row on from where it was just put.
   */
  const [pendingOrder, setPendingOrder] = useState<string[] | null>(null);
  /** The same, read at once: two key presses may come before React shows the first's order. */
  const pending = useRef<string[] | null>(null);
  const items = pendingOrder ? inOrder(listed, pendingOrder) : listed;
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: 'position', descending: false });
  const dragged = useRef<string | null>(null);
  const [suggestions, setSuggestions] = useState<CommandOutput<'symbols.search'>>([]);
  /** The row Tab enters the list at (a roving tab stop): the one last focused, else the selected one. */
  const [active, setActive] = useState<string | null>(null);
  /** Where the focus goes once a removal has re-rendered the list: a row's symbol, or '' for the input. */
  const refocus = useRef<string | null>(null);
  const list = useRef<HTMLUListElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const keysHint = useId();

  // Suggestions from Yahoo's symbol search, asked once the user pauses typing. Offline, the box
  // simply offers none: a ticker typed in full still adds.
  useEffect(() => {
    const query = draft.trim();
    if (!query) {
      setSuggestions([]);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      api
        .call('symbols.search', { query })
        .then((found) => current && setSuggestions(found))
        .catch(() => current && setSuggestions([]));
    }, 300);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [api, draft]);

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

  const rowButton = (symbol: string) =>
    [...(list.current?.querySelectorAll<HTMLButtonElement>('li > button.symbol') ?? [])].find(
      (b) => b.closest('li')?.dataset.symbol === symbol,
    );

  const remove = async (symbol: string) => {
    // Removing the row that has the focus hands it to the next row (or the previous one, after the last).
    const focusInList = list.current?.contains(document.activeElement) ?? false;
    const at = sorted.findIndex((i) => i.symbol === symbol);
    const neighbour = sorted[at + 1]?.symbol ?? sorted[at - 1]?.symbol ?? '';
    try {
      const next = await api.call('watchlist.remove', { symbol });
      if (focusInList) {
        refocus.current = neighbour;
        if (neighbour) setActive(neighbour);
      }
      onChange(next);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  const route = async (symbol: string, provider: ProviderId | null) => {
    try {
      onChange(await api.call('watchlist.setProvider', { symbol, provider }));
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  // Each header cycles: its natural order, reversed, then back to the saved order.
  const sortBy = (key: SortKey) =>
    setSort((s) => {
      const natural = key !== 'symbol';
      if (s.key !== key) return { key, descending: natural };
      if (s.descending === natural) return { key, descending: !natural };
      return { key: 'position', descending: false };
    });

  const sorted = [...items].sort((a, b) => {
    const x = sortValue(a, sort.key);
    const y = sortValue(b, sort.key);
    const order = typeof x === 'string' ? x.localeCompare(y as string) : x - (y as number);
    return sort.descending ? -order : order;
  });

  const shown = sorted.map((i) => i.symbol);
  const tabStop = [active, selected].find((s) => s !== null && shown.includes(s)) ?? shown[0] ?? null;

  // Before the browser handles the next key: a row moved by Alt and an arrow has its focus back by then.
  useLayoutEffect(() => {
    const target = refocus.current;
    if (target === null) return;
    if (target === '') {
      refocus.current = null;
      input.current?.focus();
      return;
    }
    const button = rowButton(target);
    if (!button) return;
    refocus.current = null;
    button.focus();
  });

  // Dragging (or Alt with an arrow) reorders the saved order, so it is offered only while the list shows that order.
  const canDrag = sort.key === 'position';
  /** Saves the order with `symbol` at position `index`; only the newest of such requests is shown when answered. */
  const place = async (symbol: string, index: number) => {
    const symbols = (pending.current ?? items.map((i) => i.symbol)).filter((s) => s !== symbol);
    symbols.splice(index, 0, symbol);
    pending.current = symbols;
    setPendingOrder(symbols);
    const settle = () => {
      if (pending.current !== symbols) return false; // a newer order is on its way
      pending.current = null;
      setPendingOrder(null);
      return true;
    };
    try {
      const answer = await api.call('watchlist.reorder', { symbols });
      if (settle()) onChange(answer);
    } catch (e) {
      // The list goes back to the engine's order, as its events bring it.
      if (settle()) setError(e instanceof Error ? e.message : String(e));
    }
  };
  const drop = (event: DragEvent, target: string) => {
    event.preventDefault();
    const from = dragged.current;
    dragged.current = null;
    if (!from || from === target) return;
    // Dropped on a row, it takes that row's place in the order without it.
    void place(
      from,
      items
        .map((i) => i.symbol)
        .filter((s) => s !== from)
        .indexOf(target),
    );
  };

  /**
   * Arrow keys, Home and End move between rows; Alt with an arrow moves the row itself (in the saved
   * order, as dragging does); Delete or Backspace removes the row; Enter is the button's click.
   */
  const onRowKey = (event: KeyboardEvent<HTMLLIElement>, symbol: string) => {
    if (!(event.target instanceof HTMLButtonElement)) return; // a select keeps its own arrow keys
    const step = { ArrowUp: -1, ArrowDown: 1 }[event.key];
    if (event.altKey && step && canDrag && !(event.ctrlKey || event.metaKey || event.shiftKey)) {
      event.preventDefault();
      const order = pending.current ?? shown;
      const to = order.indexOf(symbol) + step;
      if (to < 0 || to >= order.length) return;
      // The row's button is moved in the page: the focus follows it once the new order is shown.
      refocus.current = symbol;
      void place(symbol, to);
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const at = shown.indexOf(symbol);
    const moves: Record<string, number> = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: shown.length - 1 };
    if (event.key in moves) {
      event.preventDefault();
      const to = shown[Math.min(Math.max(moves[event.key]!, 0), shown.length - 1)];
      if (to === undefined) return;
      setActive(to);
      rowButton(to)?.focus();
    } else if (event.key === 'Delete' || event.key === 'Backspace') {
      event.preventDefault();
      void remove(symbol);
    }
  };

  return (
    <aside className="watchlist" aria-label="Watchlist">
      <h2>Watchlist</h2>
      <form onSubmit={add} className="add-symbol">
        <input
          ref={input}
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
          list="symbol-suggestions"
        />
        <datalist id="symbol-suggestions">
          {suggestions.map((s) => (
            <option key={s.symbol} value={s.symbol} label={[s.name, s.exchange, s.type].filter(Boolean).join(' · ')} />
          ))}
        </datalist>
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
        <>
          {/* Sort buttons, not a table header: the state is in each button's name, not in aria-sort. */}
          <div className="watch-header" role="group" aria-label="Sort the watchlist by">
            {COLUMNS.map((c) => (
              <button key={c.key} className={`col-${c.key}`} onClick={() => sortBy(c.key)}>
                {c.label}
                {sort.key === c.key && (
                  <>
                    <span aria-hidden="true">{sort.descending ? ' ▾' : ' ▴'}</span>
                    <span className="visually-hidden">
                      {sort.descending ? ' sorted descending' : ' sorted ascending'}
                    </span>
                  </>
                )}
              </button>
            ))}
          </div>
          <p id={keysHint} className="visually-hidden">
            Up and down arrows, Home and End move between symbols; Alt with an arrow moves the symbol up or down the
            list; Enter shows one in the chart; Delete removes it.
          </p>
          <ul ref={list} aria-label="Watched symbols">
            {sorted.map((item) => {
              const tab = item.symbol === tabStop ? 0 : -1;
              return (
                <li
                  key={item.symbol}
                  className={item.symbol === selected ? 'selected' : ''}
                  data-symbol={item.symbol}
                  draggable={canDrag}
                  onDragStart={() => (dragged.current = item.symbol)}
                  onDragOver={(e) => canDrag && e.preventDefault()}
                  onDrop={(e) => drop(e, item.symbol)}
                  onFocus={() => setActive(item.symbol)}
                  onKeyDown={(e) => onRowKey(e, item.symbol)}
                >
                  <button
                    className="symbol"
                    tabIndex={tab}
                    onClick={() => onSelect(item.symbol)}
                    aria-current={item.symbol === selected}
                    aria-keyshortcuts="Delete Alt+ArrowUp Alt+ArrowDown"
                    aria-describedby={`${keysHint} ${keysHint}-feed-${item.symbol}`}
                  >
                    {/* Read as "AAPL last 39.60 change −0.08 −0.19% volume 1.72K": the hidden words name the columns. */}
                    <span className="col-symbol" title={item.symbol}>
                      {item.symbol}
                    </span>
                    <span className="visually-hidden"> last </span>
                    <Price item={item} />
                    <span className="visually-hidden"> change </span>
                    <Change item={item} />
                    <span className="visually-hidden"> volume </span>
                    <span className="col-dayVolume">{item.dayVolume ? formatVolume(item.dayVolume) : '—'}</span>
                    <Sparkline points={item.spark} width={48} />
                    <FeedHealthCell item={item} id={`${keysHint}-feed-${item.symbol}`} />
                  </button>
                  <ProviderChoice
                    item={item}
                    tabIndex={tab}
                    onChoose={(provider) => void route(item.symbol, provider)}
                  />
                  <button
                    className="remove"
                    tabIndex={tab}
                    aria-label={`Remove ${item.symbol}`}
                    title={`Remove ${item.symbol}`}
                    onClick={() => remove(item.symbol)}
                  >
                    ×
                  </button>
                </li>
              );
            })}
          </ul>
        </>
      )}
    </aside>
  );
}

/**
 * Where a symbol's prices come from: the live source's own feed, or a real-time provider that
 * streams it.
 */
function ProviderChoice({
  item,
  tabIndex,
  onChoose,
}: {
  item: WatchItem;
  tabIndex: number;
  onChoose: (provider: ProviderId | null) => void;
}) {
  const choices = ProviderIdSchema.options.filter((p) => !providerRefusal(p, item.symbol));
  if (choices.length === 0 && !item.provider) return null;
  // The simulator and a replay make their own prices: a provider applies only to the live source.
  if (item.feed?.mode === 'simulated' || item.feed?.mode === 'replay') return null;
  return (
    <select
      className="provider"
      tabIndex={tabIndex}
      value={item.provider ?? ''}
      aria-label={`Price feed for ${item.symbol}`}
      title={`Where ${item.symbol}'s prices come from`}
      onChange={(e) => onChoose((e.target.value || null) as ProviderId | null)}
    >
      <option value="">Yahoo</option>
      {[...new Set([...choices, ...(item.provider ? [item.provider] : [])])].map((p) => (
        <option key={p} value={p}>
          {PROVIDERS[p].name}
        </option>
      ))}
    </select>
  );
}

/** The last price, flashing green or red for a moment when it moves. */
function Price({ item }: { item: WatchItem }) {
  const previous = useRef(item.last?.price);
  const [flash, setFlash] = useState<'' | 'flash-up' | 'flash-down'>('');
  useEffect(() => {
    const price = item.last?.price;
    if (price !== undefined && previous.current !== undefined && price !== previous.current) {
      setFlash(price > previous.current ? 'flash-up' : 'flash-down');
      const timer = setTimeout(() => setFlash(''), 400);
      previous.current = price;
      return () => clearTimeout(timer);
    }
    previous.current = price;
  }, [item.last?.price]);
  return <span className={`col-last ${flash}`}>{item.last ? formatPrice(item.last.price) : '—'}</span>;
}

/** Change since the day's open, in price and in percent, green or red. */
function Change({ item }: { item: WatchItem }) {
  const pct = changePercent(item);
  const abs = change(item);
  if (pct === null || abs === null)
    return (
      <>
        <span className="col-change">—</span>
        <span className="col-changePercent">—</span>
      </>
    );
  const direction = pct >= 0 ? 'up' : 'down';
  return (
    <>
      <span className={`col-change ${direction}`}>{formatChange(abs, item.last!.price)}</span>
      <span className={`col-changePercent ${direction}`}>{formatPercent(pct)}</span>
    </>
  );
}
