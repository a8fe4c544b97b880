import { useState } from 'react';
import type { Drawing, DrawingKind } from '../../../engine/domain/drawing.ts';
import type { DrawState } from '../chart/drawing-layer.ts';
import { formatPrice, formatTime } from '../format.ts';

const TOOLS: Record<DrawingKind, { label: string; hint: [string, string?] }> = {
  hline: { label: 'Horizontal line', hint: ['Click the price for the line'] },
  trend: { label: 'Trend line', hint: ['Click where the line starts', 'Click where it ends'] },
  rect: { label: 'Rectangle', hint: ['Click a corner', 'Click the opposite corner'] },
  note: { label: 'Note', hint: ['Click where the note goes'] },
};

const LINE_AT_LAST = 'hline-at-last';

/** The drawing tools of a panel: the next clicks on the chart draw the one chosen. */
export function DrawSelect({
  symbol,
  state,
  onArm,
  onLineAtLast,
}: {
  symbol: string;
  state: DrawState;
  onArm: (tool: DrawingKind | null) => void;
  /** A horizontal line at the newest close at once: drawing without a pointer. */
  onLineAtLast: () => void;
}) {
  return (
    <select
      className="draw-select"
      aria-label={`Draw on ${symbol}`}
      title="Draw on the chart: kept with the symbol, shown in each of its panels"
      value={state.tool ?? ''}
      onChange={(e) =>
        e.target.value === LINE_AT_LAST ? onLineAtLast() : onArm((e.target.value || null) as DrawingKind | null)
      }
    >
      <option value="">Draw…</option>
      <option value={LINE_AT_LAST}>Line at the last price</option>
      {Object.entries(TOOLS).map(([kind, { label }]) => (
        <option key={kind} value={kind}>
          {label}
        </option>
      ))}
    </select>
  );
}

/**
 * Under the header while drawing: what the next click does, the note's text when it is placed,
 * and what the engine said (a refusal, or the alert a line became).
 */
export function DrawingBar({
  state,
  message,
  onCancel,
  onNote,
  onDismiss,
}: {
  state: DrawState;
  message: { text: string; error: boolean } | null;
  onCancel: () => void;
  onNote: (text: string) => void;
  onDismiss: () => void;
}) {
  if (state.tool === null)
    return message ? (
      <p className={`drawing-bar${message.error ? ' error' : ''}`} role={message.error ? 'alert' : 'status'}>
        {message.text}
        <button type="button" aria-label="Dismiss" title="Dismiss" onClick={onDismiss}>
          ×
        </button>
      </p>
    ) : null;
  if (state.step === 'text') return <NotePrompt onNote={onNote} onCancel={onCancel} />;
  const hint = TOOLS[state.tool].hint;
  return (
    <p className="drawing-bar" role="status" data-testid="drawing-hint">
      {TOOLS[state.tool].label}: {state.step === 'second' ? hint[1] : hint[0]}.{' '}
      <span className="muted">Esc cancels.</span>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </p>
  );
}

function NotePrompt({ onNote, onCancel }: { onNote: (text: string) => void; onCancel: () => void }) {
  const [text, setText] = useState('');
  return (
    <form
      className="drawing-bar"
      onSubmit={(e) => {
        e.preventDefault();
        onNote(text);
      }}
    >
      <input
        autoFocus
        aria-label="Note text"
        placeholder="The note's text"
        maxLength={200}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => e.key === 'Escape' && onCancel()}
      />
      <button type="submit" disabled={text.trim() === ''}>
        Add note
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}

/** The symbol's drawings, each removable; a horizontal line can become a price alert from here. */
export function DrawingList({
  drawings,
  onRemove,
  onAlert,
}: {
  drawings: Drawing[];
  onRemove: (id: number) => void;
  onAlert: (id: number) => void;
}) {
  // Always there, with its count: the header keeps its size when the first drawing comes.
  return (
    <details className="drawing-list">
      <summary title="This symbol's drawings" data-count={drawings.length}>
        <span aria-hidden="true">✎</span> {drawings.length}
        <span className="visually-hidden"> drawings</span>
      </summary>
      <ul>
        {drawings.length === 0 && <li className="muted">None yet: choose a tool under Draw…</li>}
        {drawings.map((d) => (
          <li key={d.id} data-kind={d.spec.kind}>
            <span className="drawing-label">{describe(d)}</span>
            {d.spec.kind === 'hline' && (
              <button type="button" onClick={() => onAlert(d.id)} title="Alert when the price reaches this line">
                Alert
              </button>
            )}
            <button type="button" aria-label={`Remove ${describe(d)}`} title="Remove" onClick={() => onRemove(d.id)}>
              ×
            </button>
          </li>
        ))}
      </ul>
    </details>
  );
}

function describe({ spec }: Drawing): string {
  switch (spec.kind) {
    case 'hline':
      return `Line at ${formatPrice(spec.price)}`;
    case 'trend':
      return `Trend ${formatPrice(spec.from.price)} → ${formatPrice(spec.to.price)}`;
    case 'rect':
      return `Rectangle ${formatPrice(Math.min(spec.from.price, spec.to.price))}–${formatPrice(Math.max(spec.from.price, spec.to.price))}`;
    case 'note':
      return `Note “${spec.text}” at ${formatTime(spec.at.time)}`;
  }
}
