import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import type { AnalysisInfo } from '../../../../engine/api/contract.ts';
import { INTERVALS, type Interval } from '../../../../engine/domain/interval.ts';
import { ApiCallError } from '../../api/client.ts';
import { useChanged } from '../../use-changed.ts';
import {
  KINDS,
  PERIODS,
  draftOf,
  emptyDraft,
  jobInput,
  localTimeZone,
  splitErrors,
  timeZones,
  type JobDraft,
  type JobSaveInput,
  type JobView,
  type Kind,
} from './job-draft.ts';

interface Props {
  analyses: AnalysisInfo[];
  onSubmit: (input: JobSaveInput) => Promise<void>;
  /** A saved job to change instead of a new one; null for a new one. */
  editing?: JobView | null;
  onCancelEdit?: () => void;
}

/**
 * A new scheduled job, or a change to one; the engine checks it, and its refusals are shown beside
 * the fields they concern.
 */
export function JobForm({ analyses, onSubmit, editing = null, onCancelEdit }: Props) {
  const [draft, setDraft] = useState(() => (editing ? draftOf(editing) : emptyDraft(localTimeZone())));
  const [errors, setErrors] = useState<Record<string, string>>({});
  // The job chosen for editing fills the form in the render that names the form after it; leaving
  // it empties the form again.
  if (useChanged(editing)) {
    setDraft(editing ? draftOf(editing) : { ...emptyDraft(draft.timeZone), folder: draft.folder });
    setErrors({});
  }
  useEffect(() => {
    if (editing) form.current?.querySelector<HTMLElement>('select, input')?.focus();
  }, [editing]);
  const [saving, setSaving] = useState(false);
  const zones = useMemo(timeZones, []);
  const form = useRef<HTMLFormElement>(null);
  /** Counts refusals: after each, the focus goes to the first control in error. */
  const [refusals, setRefusals] = useState(0);
  useEffect(() => {
    if (refusals === 0) return;
    const first = form.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    (first?.matches('fieldset') ? first.querySelector<HTMLElement>('input') : first)?.focus();
  }, [refusals]);
  const set = (patch: Partial<JobDraft>) => setDraft((d) => ({ ...d, ...patch }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaving(true);
    try {
      await onSubmit(editing ? { ...jobInput(draft), id: editing.id, enabled: editing.enabled } : jobInput(draft));
      setErrors({});
      setDraft((d) => ({ ...emptyDraft(d.timeZone), folder: d.folder }));
    } catch (error) {
      setErrors(
        error instanceof ApiCallError && Object.keys(error.fields).length > 0
          ? error.fields
          : { form: error instanceof Error ? error.message : String(error) },
      );
      setRefusals((n) => n + 1);
    } finally {
      setSaving(false);
    }
  };

  const setKind = (kind: Kind) =>
    set({ kind, ...(draft.nameEdited ? {} : { name: KINDS.find((k) => k.kind === kind)!.name }) });
  const toggleAnalysis = (name: string, on: boolean) =>
    set({ analyses: on ? [...draft.analyses, name] : draft.analyses.filter((a) => a !== name) });

  const { byField, others } = splitErrors(errors);
  /** A control in error says so, and its message is read with it. */
  const invalid = (field: string) => ({
    'aria-invalid': !!byField[field],
    'aria-describedby': byField[field] ? `job-error-${field}` : undefined,
  });
  return (
    <form
      ref={form}
      className={`job-form${editing ? ' editing' : ''}`}
      onSubmit={submit}
      aria-label={editing ? `Edit the job ${editing.name}` : 'New scheduled job'}
      noValidate
    >
      <div className="analysis-filters">
        <label>
          Job
          <select value={draft.kind} onChange={(e) => setKind(e.target.value as Kind)} aria-label="Job kind">
            {KINDS.map((k) => (
              <option key={k.kind} value={k.kind}>
                {k.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Name
          <input
            value={draft.name}
            onChange={(e) => set({ name: e.target.value, nameEdited: true })}
            aria-label="Job name"
            {...invalid('name')}
          />
          <small className="field-error" id="job-error-name">
            {byField.name}
          </small>
        </label>
        <label>
          Runs
          <select
            value={draft.scheduleType}
            onChange={(e) => set({ scheduleType: e.target.value as JobDraft['scheduleType'] })}
            aria-label="Schedule"
          >
            <option value="daily">Every day at a time</option>
            <option value="cron">On a cron schedule</option>
          </select>
        </label>
        {draft.scheduleType === 'daily' ? (
          <label>
            At
            <input
              type="time"
              value={draft.time}
              onChange={(e) => set({ time: e.target.value })}
              aria-label="Time of day"
              {...invalid('time')}
              required
            />
            <small className="field-error" id="job-error-time">
              {byField.time}
            </small>
          </label>
        ) : (
          <label>
            Cron (minute hour day month weekday)
            <input
              className="mono"
              value={draft.expression}
              onChange={(e) => set({ expression: e.target.value })}
              aria-label="Cron expression"
              {...invalid('expression')}
              placeholder="0 18 * * 1-5"
              spellCheck={false}
            />
            <small className="field-error" id="job-error-expression">
              {byField.expression}
            </small>
          </label>
        )}
        <label>
          Time zone
          <input
            list="job-time-zones"
            value={draft.timeZone}
            onChange={(e) => set({ timeZone: e.target.value })}
            aria-label="Time zone"
            {...invalid('timeZone')}
            spellCheck={false}
          />
          <datalist id="job-time-zones">
            {zones.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
          <small className="field-error" id="job-error-timeZone">
            {byField.timeZone}
          </small>
        </label>
      </div>

      {draft.kind === 'export' && (
        <>
          <div className="analysis-filters">
            <label className="wide">
              Folder
              <input
                value={draft.folder}
                onChange={(e) => set({ folder: e.target.value })}
                aria-label="Export folder"
                {...invalid('folder')}
                placeholder="/home/me/market-exports"
                spellCheck={false}
              />
              <small className="field-error" id="job-error-folder">
                {byField.folder}
              </small>
            </label>
            <label>
              Format
              <select
                value={draft.format}
                onChange={(e) => set({ format: e.target.value as JobDraft['format'] })}
                aria-label="Export format"
              >
                <option value="csv">CSV</option>
                <option value="parquet">Parquet</option>
              </select>
            </label>
            <label>
              Period
              <select
                value={draft.period}
                onChange={(e) => set({ period: e.target.value as JobDraft['period'] })}
                aria-label="Export period"
              >
                {PERIODS.map((p) => (
                  <option key={p.period} value={p.period}>
                    {p.label}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Candle interval
              <select
                value={draft.interval}
                onChange={(e) => set({ interval: e.target.value as Interval })}
                aria-label="Candle interval"
              >
                {INTERVALS.map((i) => (
                  <option key={i} value={i}>
                    {i}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <fieldset className="job-checks" {...invalid('analyses')}>
            <legend>Analyses to export</legend>
            {analyses.map((a) => (
              <label key={a.name} title={a.description}>
                <input
                  type="checkbox"
                  checked={draft.analyses.includes(a.name)}
                  onChange={(e) => toggleAnalysis(a.name, e.target.checked)}
                />
                {a.title}
              </label>
            ))}
            <small className="field-error" id="job-error-analyses">
              {byField.analyses}
            </small>
          </fieldset>
        </>
      )}

      {draft.kind === 'maintenance' && (
        <fieldset className="job-checks">
          <legend>Steps</legend>
          <label title="Rewrites the whole file to give back free space: the engine waits meanwhile, seconds per gigabyte">
            <input type="checkbox" checked={draft.vacuum} onChange={(e) => set({ vacuum: e.target.checked })} />
            VACUUM (slow on a large database)
          </label>
          <label>
            <input type="checkbox" checked={draft.analyze} onChange={(e) => set({ analyze: e.target.checked })} />
            ANALYZE
          </label>
          <label>
            <input type="checkbox" checked={draft.checkpoint} onChange={(e) => set({ checkpoint: e.target.checked })} />
            WAL checkpoint
          </label>
          <small className="field-error" id="job-error-maintenance">
            {byField.maintenance}
          </small>
        </fieldset>
      )}

      {draft.kind === 'backfill' && (
        <p className="muted">
          Fetches the watchlist’s missing history. It needs the Yahoo Finance source (Settings &gt; Source); with
          another source the run is recorded as skipped.
        </p>
      )}

      <div className="job-form-actions">
        <button type="submit" className="primary" disabled={saving}>
          {editing ? (saving ? 'Saving…' : 'Save changes') : saving ? 'Adding…' : 'Add job'}
        </button>
        {editing && (
          <button type="button" onClick={onCancelEdit}>
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
      </div>
    </form>
  );
}
