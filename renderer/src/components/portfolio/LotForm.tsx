import { useState, type FormEvent } from 'react';
import { ApiCallError } from '../../api/client.ts';
import { useChanged } from '../../use-changed.ts';
import { draftOf, emptyDraft, lotInput, type LotDraft, type LotInput } from './lot-draft.ts';

interface Props {
  accounts: string[];
  onAdd: (lot: LotInput) => Promise<void>;
  /** A stored lot to change instead of adding one; null to add. */
  editing?: (LotInput & { id: number }) | null;
  onSave?: (id: number, lot: LotInput) => Promise<void>;
  onCancel?: () => void;
}

const FIELDS: Array<{ key: keyof LotDraft; label: string; hint?: string; type?: string; decimal?: boolean }> = [
  { key: 'account', label: 'Account' },
  { key: 'symbol', label: 'Symbol', hint: 'AAPL, SAP.DE' },
  { key: 'quantity', label: 'Quantity', hint: '< 0 for a short', decimal: true },
  { key: 'price', label: 'Price', hint: 'per unit', decimal: true },
  { key: 'date', label: 'Trade date', type: 'date' },
  { key: 'fees', label: 'Fees', hint: '0', decimal: true },
];

/** Adds a lot, or changes one; what the engine refuses is said at the field it is about. */
export function LotForm({ accounts, onAdd, editing = null, onSave, onCancel }: Props) {
  const [draft, setDraft] = useState<LotDraft>(() => (editing ? draftOf(editing) : emptyDraft(accounts[0])));
  const [errors, setErrors] = useState<Record<string, string>>({});
  // The lot chosen for editing fills the form in the render that names the form after it; leaving
  // it empties the form again.
  if (useChanged(editing)) {
    setDraft(editing ? draftOf(editing) : { ...emptyDraft(draft.account), date: draft.date });
    setErrors({});
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const checked = lotInput(draft);
    if ('errors' in checked) return setErrors(checked.errors);
    try {
      if (editing) await onSave?.(editing.id, checked.input);
      else await onAdd(checked.input);
      setErrors({});
      setDraft((d) => ({ ...emptyDraft(d.account), date: d.date }));
    } catch (error) {
      setErrors(
        error instanceof ApiCallError && Object.keys(error.fields).length > 0
          ? error.fields
          : { form: error instanceof Error ? error.message : String(error) },
      );
    }
  };

  return (
    <form
      className="analysis-filters lot-form"
      onSubmit={submit}
      aria-label={editing ? `Edit lot ${editing.id}` : 'Add a lot'}
      noValidate
    >
      {FIELDS.map((f) => (
        <label key={f.key} className={`lot-field-${f.key}`}>
          {f.label}
          <input
            value={draft[f.key]}
            type={f.type ?? 'text'}
            placeholder={f.hint}
            list={f.key === 'account' ? 'portfolio-accounts' : undefined}
            inputMode={f.decimal ? 'decimal' : undefined}
            onChange={(e) => setDraft((d) => ({ ...d, [f.key]: e.target.value }))}
            aria-label={`Lot ${f.label.toLowerCase()}`}
            aria-invalid={!!errors[f.key]}
          />
          <small className="field-error">{errors[f.key]}</small>
        </label>
      ))}
      <datalist id="portfolio-accounts">
        {accounts.map((a) => (
          <option key={a} value={a} />
        ))}
      </datalist>
      <button type="submit" className="primary">
        {editing ? 'Save lot' : 'Add lot'}
      </button>
      {editing && (
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      )}
      {errors.form && (
        <p className="field-error" role="alert">
          {errors.form}
        </p>
      )}
    </form>
  );
}
