import { useEffect, useEffectEvent, useState } from 'react';
import type { AnalysisInfo } from '../../../engine/api/contract.ts';
import { INTERVALS, type Interval } from '../../../engine/domain/interval.ts';
import { ApiCallError, type ApiClient } from '../api/client.ts';
import { base64Bytes, downloadFile } from '../download.ts';
import { formatDay, formatInteger, formatPercent, formatPrice, formatTime } from '../format.ts';
import { GrowthHeatmap } from './GrowthHeatmap.tsx';

type Cell = string | number | null;
interface Result {
  /** The analysis these rows are of (the view may have moved on to another one meanwhile). */
  name: string;
  columns: AnalysisInfo['columns'];
  rows: Record<string, Cell>[];
  timeZones?: Record<string, string> | undefined;
}

const SHOWN_ROWS = 500;

/** Every analysis as a table with its filters, and its CSV export. */
export function AnalysesView({ api }: { api: ApiClient }) {
  const [analyses, setAnalyses] = useState<AnalysisInfo[]>([]);
  const [name, setName] = useState('top-movers');
  const [symbol, setSymbol] = useState('');
  const [interval, setIntervalChoice] = useState<Interval>('1d');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [result, setResult] = useState<Result | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [exporting, setExporting] = useState(false);
  const [display, setDisplay] = useState<'heatmap' | 'table'>('heatmap');
  /** The growth analyses also have a heatmap; the group they are by is in their name. */
  const groupBy = /^growth-by-(.+)$/.exec(name)?.[1];

  useEffect(() => {
    api.call('analyses.list', {}).then(setAnalyses, () => undefined);
  }, [api]);

  const request = () => ({
    name: name as never,
    params: {
      ...(symbol.trim() ? { symbol: symbol.trim() } : {}),
      interval,
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
    },
  });

  const run = async () => {
    try {
      const asked = name;
      setResult({ name: asked, ...(await api.call('analyses.run', request())) });
      setErrors({});
    } catch (e) {
      setErrors(e instanceof ApiCallError ? fieldErrors(e) : { form: String(e) });
    }
  };

  // Runs now and every 5 s with the current form; a changed form runs at once and restarts the timer.
  const poll = useEffectEvent(run);
  useEffect(() => {
    void poll();
    const timer = window.setInterval(() => void poll(), 5_000);
    return () => window.clearInterval(timer);
  }, [api, name, symbol, interval, from, to]);

  const exportAs = async (format: 'csv' | 'parquet') => {
    setExporting(true);
    try {
      if (format === 'csv') {
        const { filename, csv } = await api.call('analyses.csv', request());
        downloadFile(filename, csv, 'text/csv');
      } else {
        const { filename, base64 } = await api.call('analyses.parquet', request());
        downloadFile(filename, base64Bytes(base64), 'application/vnd.apache.parquet');
      }
    } catch (e) {
      setErrors(e instanceof ApiCallError ? fieldErrors(e) : { form: String(e) });
    } finally {
      setExporting(false);
    }
  };

  const info = analyses.find((a) => a.name === name);
  return (
    <section className="analyses" aria-label="Analyses">
      <form className="analysis-filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Analysis
          <select value={name} onChange={(e) => setName(e.target.value)}>
            {analyses.map((a) => (
              <option key={a.name} value={a.name}>
                {a.title}
              </option>
            ))}
          </select>
        </label>
        <label>
          Symbol
          <input
            value={symbol}
            placeholder="All"
            onChange={(e) => setSymbol(e.target.value)}
            aria-invalid={!!errors['params.symbol']}
          />
          <small className="field-error">{errors['params.symbol']}</small>
        </label>
        <label>
          Interval
          <select value={interval} onChange={(e) => setIntervalChoice(e.target.value as Interval)}>
            {INTERVALS.map((i) => (
              <option key={i}>{i}</option>
            ))}
          </select>
        </label>
        <label>
          From
          <input
            type="date"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
            aria-invalid={!!errors['params.from']}
          />
          <small className="field-error">{errors['params.from']}</small>
        </label>
        <label>
          To (inclusive)
          <input
            type="date"
            value={to}
            onChange={(e) => setTo(e.target.value)}
            title="Up to the end of this exchange day, in each symbol's time zone"
          />
        </label>
        <button
          type="button"
          className="primary"
          onClick={() => exportAs('csv')}
          disabled={exporting}
          data-action="export-csv"
        >
          {exporting ? 'Exporting…' : 'Export CSV'}
        </button>
        <button
          type="button"
          className="primary"
          onClick={() => exportAs('parquet')}
          disabled={exporting}
          data-action="export-parquet"
          title="Typed columns for pandas, pyarrow or DuckDB"
        >
          Export Parquet
        </button>
      </form>
      {info && <p className="analysis-description">{info.description}</p>}
      {errors.form && <p className="field-error">{errors.form}</p>}
      {groupBy && (
        <div className="segmented" role="group" aria-label="Show as">
          {(['heatmap', 'table'] as const).map((d) => (
            <button key={d} type="button" aria-pressed={display === d} onClick={() => setDisplay(d)}>
              {d === 'heatmap' ? 'Heatmap' : 'Table'}
            </button>
          ))}
        </div>
      )}
      {result?.name === name &&
        (groupBy && display === 'heatmap' ? (
          <GrowthHeatmap rows={result.rows} groupLabel={groupBy[0]!.toUpperCase() + groupBy.slice(1)} />
        ) : (
          <ResultTable result={result} />
        ))}
    </section>
  );
}

function fieldErrors(error: ApiCallError): Record<string, string> {
  return Object.keys(error.fields).length > 0 ? error.fields : { form: error.message };
}

function ResultTable({ result }: { result: Result }) {
  if (result.rows.length === 0) {
    return <p className="empty">Nothing to show yet: the engine has no data for these filters.</p>;
  }
  return (
    <div className="table-scroll">
      <table data-testid="analysis-table">
        <thead>
          <tr>
            {result.columns.map((c) => (
              <th key={c.key} className={c.kind === 'text' || c.kind === 'time' || c.kind === 'day' ? '' : 'num'}>
                {c.header.replaceAll('_', ' ')}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {result.rows.slice(0, SHOWN_ROWS).map((row, i) => (
            <tr key={i}>
              {result.columns.map((c) => (
                <td key={c.key} className={cellClass(c.kind, row[c.key] ?? null)}>
                  {formatCell(c.kind, row[c.key] ?? null, dayZone(result, row))}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {result.rows.length > SHOWN_ROWS && (
        <p className="empty">
          Showing {SHOWN_ROWS} of {formatInteger(result.rows.length)} rows; the CSV export has them all.
        </p>
      )}
    </div>
  );
}

function cellClass(kind: string, value: Cell): string {
  if (kind === 'text' || kind === 'time' || kind === 'day') return '';
  if (kind === 'percent' && typeof value === 'number') return `num ${value >= 0 ? 'up' : 'down'}`;
  return 'num';
}

/** A row of one symbol has its days in the symbol's zone; a row of many stocks gives the date's UTC midnight. */
function dayZone(result: Result, row: Record<string, Cell>): string | undefined {
  return typeof row.symbol === 'string' ? result.timeZones?.[row.symbol] : 'UTC';
}

function formatCell(kind: string, value: Cell, timeZone: string | undefined): string {
  if (value === null) return '—';
  if (typeof value === 'string') return value;
  if (kind === 'time') return formatTime(value);
  if (kind === 'day') return formatDay(value, timeZone);
  if (kind === 'percent') return formatPercent(value);
  return Number.isInteger(value) ? formatInteger(value) : formatPrice(value);
}
