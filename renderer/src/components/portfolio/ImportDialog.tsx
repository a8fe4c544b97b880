import { useState, type FormEvent } from 'react';
import { LOT_FIELDS, type LotField } from '../../../../engine/domain/portfolio.ts';
import type { ApiClient } from '../../api/client.ts';

interface Props {
  api: ApiClient;
  defaultAccount: string;
  onImported: (count: number) => void;
  onClose: () => void;
}

const LABELS: Record<LotField, string> = {
  account: 'Account',
  symbol: 'Symbol',
  quantity: 'Quantity',
  price: 'Price',
  date: 'Trade date',
  fees: 'Fees',
};

/**
 * Lots from a broker's CSV, pasted or read from a file. Each lot field takes the file's column of
 * its own name unless another is named; the engine takes all the rows or none, and its refusal
 * (the row, its line and why) is shown here with nothing changed.
 */
export function ImportDialog({ api, defaultAccount, onImported, onClose }: Props) {
  const [csv, setCsv] = useState('');
  const [columns, setColumns] = useState<Partial<Record<LotField, string>>>({});
  const [account, setAccount] = useState(defaultAccount);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const header = csv.split(/\r?\n/, 1)[0]?.trim() ?? '';

  const readFile = async (file: File | undefined) => {
    if (file) setCsv(await file.text());
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const mapped = Object.fromEntries(Object.entries(columns).filter(([, v]) => v && v.trim()));
      const result = await api.call('portfolio.importCsv', {
        csv,
        columns: mapped,
        ...(account.trim() ? { account: account.trim() } : {}),
      });
      onImported(result.imported);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="overlay" onClick={onClose}>
      <form
        className="dialog import-dialog"
        role="dialog"
        aria-modal="true"
        aria-label="Import lots from CSV"
        onClick={(e) => e.stopPropagation()}
        onSubmit={submit}
      >
        <h2>Import lots from CSV</h2>
        <p className="empty">
          A header row, then one lot a row. Columns named account, symbol, quantity, price, date (YYYY-MM-DD) and fees
          are found by name; name your broker&rsquo;s columns below where they differ. Every row is checked first: a bad
          row stops the import and nothing is added.
        </p>
        <label className="import-file">
          File
          <input type="file" accept=".csv,text/csv" onChange={(e) => void readFile(e.target.files?.[0])} />
        </label>
        <textarea
          value={csv}
          onChange={(e) => setCsv(e.target.value)}
          aria-label="CSV text"
          placeholder={'symbol,quantity,price,date\nAAPL,10,182.5,2024-05-01'}
          rows={6}
          spellCheck={false}
        />
        {header && <p className="import-header">Header: {header}</p>}
        <fieldset className="import-mapping">
          <legend>Column for each field</legend>
          {LOT_FIELDS.map((field) => (
            <label key={field}>
              {LABELS[field]}
              <input
                value={columns[field] ?? ''}
                placeholder={field}
                onChange={(e) => setColumns((c) => ({ ...c, [field]: e.target.value }))}
                aria-label={`Column for ${field}`}
              />
            </label>
          ))}
          <label>
            Default account
            <input value={account} onChange={(e) => setAccount(e.target.value)} aria-label="Default account" />
          </label>
        </fieldset>
        {error && (
          <p className="field-error import-error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-buttons">
          <button type="button" className="link" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy || !csv.trim()}>
            {busy ? 'Importing…' : 'Import'}
          </button>
        </div>
      </form>
    </div>
  );
}
