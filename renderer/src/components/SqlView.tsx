import { useEffect, useRef, useState } from 'react';
import type { SavedQuery, SqlResult, SqlTable } from '../../../engine/api/contract.ts';
import { ApiCallError, type ApiClient } from '../api/client.ts';
import { downloadFile } from '../download.ts';
import { formatInteger } from '../format.ts';

const ROW_LIMITS = [100, 1_000, 10_000] as const;
const STARTER =
  'SELECT symbol, interval, count(*) AS candles, max(start) AS newest\nFROM candles\nGROUP BY symbol, interval\nORDER BY symbol, interval';

/** Read-only SQL over the store: the schema, an editor, the result as a table, CSV export, saved queries. */
export function SqlView({ api }: { api: ApiClient }) {
  const [sql, setSql] = useState(STARTER);
  const [rowLimit, setRowLimit] = useState<number>(1_000);
  const [result, setResult] = useState<SqlResult | null>(null);
  const [error, setError] = useState('');
  const [running, setRunning] = useState<string | null>(null);
  const [schema, setSchema] = useState<SqlTable[]>([]);
  const [saved, setSaved] = useState<SavedQuery[]>([]);
  const [name, setName] = useState('');
  const nextId = useRef(1);

  useEffect(() => {
    api.call('sql.schema', {}).then(setSchema, (e: Error) => setError(e.message));
    api.call('sql.saved.list', {}).then(setSaved, (e: Error) => setError(e.message));
  }, [api]);

  const fail = (e: unknown) => setError(e instanceof ApiCallError || e instanceof Error ? e.message : String(e));

  const run = async () => {
    const id = `view-${nextId.current++}`;
    setRunning(id);
    setError('');
    try {
      setResult(await api.call('sql.run', { sql, id, rowLimit }));
    } catch (e) {
      setResult(null);
      fail(e);
    } finally {
      setRunning(null);
    }
  };

  const cancel = () => {
    if (running) api.call('sql.cancel', { id: running }).catch(fail);
  };

  const exportCsv = async () => {
    try {
      const { filename, csv } = await api.call('sql.csv', { sql, rowLimit });
      downloadFile(filename, csv, 'text/csv');
    } catch (e) {
      fail(e);
    }
  };

  const save = async () => {
    try {
      setSaved(await api.call('sql.saved.save', { name: name.trim() || firstLine(sql), sql }));
      setName('');
    } catch (e) {
      fail(e);
    }
  };

  const remove = async (id: number) => {
    try {
      setSaved(await api.call('sql.saved.delete', { id }));
    } catch (e) {
      fail(e);
    }
  };

  return (
    <section className="sql-view" aria-label="SQL">
      <aside className="sql-side">
        <h2>Saved queries</h2>
        {saved.length === 0 && <p className="empty">None yet: name a query and save it.</p>}
        <ul className="sql-saved" data-testid="saved-queries">
          {saved.map((q) => (
            <li key={q.id}>
              <button type="button" className="link" title={q.sql} onClick={() => setSql(q.sql)}>
                {q.name}
              </button>
              <button type="button" className="icon" aria-label={`Delete ${q.name}`} onClick={() => remove(q.id)}>
                ×
              </button>
            </li>
          ))}
        </ul>
        <h2>Tables</h2>
        <div className="sql-schema" data-testid="sql-schema">
          {schema.map((t) => (
            <details key={t.name}>
              <summary>
                {t.name}
                {t.type === 'view' && <small> view</small>}
              </summary>
              <ul>
                {t.columns.map((c) => (
                  <li key={c.name}>
                    <span>{c.name}</span> <small>{[c.type, c.primaryKey && 'key'].filter(Boolean).join(' ')}</small>
                  </li>
                ))}
              </ul>
            </details>
          ))}
        </div>
      </aside>
      <div className="sql-main">
        <textarea
          className="sql-editor"
          aria-label="SQL query"
          spellCheck={false}
          value={sql}
          onChange={(e) => setSql(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !running) {
              e.preventDefault();
              void run();
            }
          }}
        />
        <div className="analysis-filters sql-actions">
          {running ? (
            <button type="button" className="primary" onClick={cancel}>
              Cancel
            </button>
          ) : (
            <button type="button" className="primary" onClick={run} title="Ctrl+Enter">
              Run
            </button>
          )}
          <label>
            Rows
            <select value={rowLimit} onChange={(e) => setRowLimit(Number(e.target.value))}>
              {ROW_LIMITS.map((n) => (
                <option key={n} value={n}>
                  first {formatInteger(n)}
                </option>
              ))}
            </select>
          </label>
          <button type="button" onClick={exportCsv} disabled={!!running} data-action="export-sql-csv">
            Export CSV
          </button>
          <label>
            Name
            <input value={name} placeholder="Query name" onChange={(e) => setName(e.target.value)} />
          </label>
          <button type="button" onClick={save} data-action="save-query">
            Save
          </button>
        </div>
        <p className="sql-note">
          Read-only: one query that reads (SELECT, WITH, EXPLAIN); a query that runs too long is stopped.
        </p>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        {running && <p className="empty">Running…</p>}
        {result && !running && <SqlResultTable result={result} />}
      </div>
    </section>
  );
}

function SqlResultTable({ result }: { result: SqlResult }) {
  return (
    <>
      <p className="sql-summary" data-testid="sql-summary">
        {result.truncated
          ? `First ${formatInteger(result.rowLimit)} rows (the query has more)`
          : `${formatInteger(result.rows.length)} ${result.rows.length === 1 ? 'row' : 'rows'}`}
        {` · ${formatInteger(result.elapsedMs)} ms`}
      </p>
      <div className="table-scroll">
        <table data-testid="sql-table">
          <thead>
            <tr>
              {result.columns.map((c, i) => (
                <th key={i} className={typeof result.rows[0]?.[i] === 'number' ? 'num' : ''}>
                  {c.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {result.rows.map((row, r) => (
              <tr key={r}>
                {row.map((cell, i) => (
                  <td key={i} className={typeof cell === 'number' ? 'num' : ''}>
                    {cell === null ? 'NULL' : String(cell)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function firstLine(sql: string): string {
  return sql.trim().split('\n')[0]!.slice(0, 80);
}
