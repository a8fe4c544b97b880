import { useState, type FormEvent } from 'react';
import type { WatchItem } from '../../../../engine/api/contract.ts';
import { ApiCallError } from '../../api/client.ts';
import {
  COOLDOWNS,
  KINDS,
  cooldownLabel,
  ruleInput,
  splitErrors,
  type AlertDraft,
  type Kind,
  type RuleInput,
} from './alert-draft.ts';

interface Props {
  items: WatchItem[];
  initial: AlertDraft;
  /** Set while an existing rule is edited: the button says so and Cancel appears. */
  editing: number | null;
  onSubmit: (input: RuleInput) => Promise<void>;
  onCancel: () => void;
}

/** The form of one alert rule, new or edited; errors the engine gives are shown where the user looks. */
export function AlertForm({ items, initial, editing, onSubmit, onCancel }: Props) {
  const [draft, setDraft] = useState(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const set = (patch: Partial<AlertDraft>) => setDraft((d) => ({ ...d, ...patch }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const checked = ruleInput(draft);
    if ('errors' in checked) return setErrors(checked.errors);
    try {
      await onSubmit(checked.input);
      setErrors({});
      if (editing === null) set({ threshold: '' });
    } catch (error) {
      setErrors(
        error instanceof ApiCallError && Object.keys(error.fields).length > 0
          ? error.fields
          : { form: error instanceof Error ? error.message : String(error) },
      );
    }
  };

  const { byField, others } = splitErrors(errors, draft.kind);
  const unit = KINDS.find((k) => k.kind === draft.kind)!.unit;
  const cooldowns = COOLDOWNS.some((c) => c.ms === draft.cooldownMs)
    ? COOLDOWNS
    : [...COOLDOWNS, { ms: draft.cooldownMs, label: cooldownLabel(draft.cooldownMs) }];
  return (
    <form
      className="analysis-filters alert-form"
      onSubmit={submit}
      aria-label={editing ? `Edit alert ${editing}` : 'New alert'}
    >
      <label>
        Symbol
        <input
          list="alert-symbols"
          value={draft.symbol}
          onChange={(e) => set({ symbol: e.target.value })}
          aria-label="Alert symbol"
          aria-invalid={!!byField.symbol}
        />
        <datalist id="alert-symbols">
          {items.map((i) => (
            <option key={i.symbol} value={i.symbol} />
          ))}
        </datalist>
        <small className="field-error">{byField.symbol}</small>
      </label>
      <label>
        When
        <select value={draft.kind} onChange={(e) => set({ kind: e.target.value as Kind })} aria-label="Alert kind">
          {KINDS.map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Threshold ({unit})
        <input
          value={draft.threshold}
          onChange={(e) => set({ threshold: e.target.value })}
          aria-label="Threshold"
          aria-invalid={!!byField.threshold}
          inputMode="decimal"
        />
        <small className="field-error">{byField.threshold}</small>
      </label>
      {draft.kind === 'move-percent' && (
        <label>
          Within (minutes)
          <input
            value={draft.windowMinutes}
            onChange={(e) => set({ windowMinutes: e.target.value })}
            aria-label="Window in minutes"
            aria-invalid={!!byField.windowMs}
            inputMode="decimal"
          />
          <small className="field-error">{byField.windowMs}</small>
        </label>
      )}
      <label>
        Notify
        <select
          value={draft.cooldownMs}
          onChange={(e) => set({ cooldownMs: Number(e.target.value) })}
          aria-label="How often"
          aria-invalid={!!byField.cooldownMs}
        >
          {cooldowns.map((c) => (
            <option key={c.ms} value={c.ms}>
              {c.label}
            </option>
          ))}
        </select>
        <small className="field-error">{byField.cooldownMs}</small>
      </label>
      <button type="submit" className="primary">
        {editing ? 'Save alert' : 'Add alert'}
      </button>
      {editing !== null && (
        <button type="button" className="link" onClick={onCancel}>
          Cancel
        </button>
      )}
      {others.length > 0 && (
        <div className="form-errors" role="alert">
          {others.map((m) => (
            <p key={m} className="field-error">
              {m}
            </p>
          ))}
        </div>
      )}
    </form>
  );
}
