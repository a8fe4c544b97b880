import { useCallback, useEffect, useMemo, useState } from 'react';
import type { AnalysisInfo } from '../../../../engine/api/contract.ts';
import type { ApiClient } from '../../api/client.ts';
import { useLive } from '../../api/hooks.ts';
import { formatTime, formatTimeIn } from '../../format.ts';
import { JobForm } from './JobForm.tsx';
import {
  OUTCOME_TONE,
  TRIGGER_LABEL,
  formatDuration,
  kindLabel,
  scheduleText,
  taskInWords,
  type JobRun,
  type JobSaveInput,
  type JobView,
  untilText,
} from './job-draft.ts';

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Scheduled exports, backfills and database maintenance: the jobs, a form for a new one, and their runs. */
export function ScheduledJobs({ api }: { api: ApiClient }) {
  const [jobs, setJobs] = useLive(
    api,
    'jobs',
    () => api.call('jobs.list', {}),
    (views) => views,
  );
  const [analyses, setAnalyses] = useState<AnalysisInfo[]>();
  const [historyOf, setHistoryOf] = useState<number | 'all'>('all');
  const [runs, setRuns] = useState<JobRun[]>([]);
  const [running, setRunning] = useState<ReadonlySet<number>>(new Set());
  /** A refusal of Run now, Remove or the on/off switch, shown in the job's row. */
  const [rowErrors, setRowErrors] = useState<Record<number, string>>({});
  const [historyError, setHistoryError] = useState<string>();
  const [editing, setEditing] = useState<JobView | null>(null);

  useEffect(() => {
    // Without the catalog the form still serves the other kinds.
    api.call('analyses.list', {}).then(setAnalyses, () => setAnalyses([]));
  }, [api]);
  const titles = useMemo(() => new Map((analyses ?? []).map((a) => [a.name, a.title])), [analyses]);

  const loadRuns = useCallback(() => {
    api.call('jobs.runs', historyOf === 'all' ? { limit: 50 } : { jobId: historyOf, limit: 50 }).then(
      (r) => {
        setRuns(r);
        setHistoryError(undefined);
      },
      (error) => setHistoryError(message(error)),
    );
  }, [api, historyOf]);
  // Every run's start and end comes as a `jobs` event: the history follows it.
  useEffect(() => {
    loadRuns();
    return api.on('jobs', loadRuns);
  }, [api, loadRuns]);

  const rowError = (id: number, text: string | undefined) =>
    setRowErrors((e) => {
      const next = { ...e };
      if (text === undefined) delete next[id];
      else next[id] = text;
      return next;
    });

  const save = async (input: JobSaveInput) => {
    setJobs(await api.call('jobs.save', input));
    setEditing(null);
  };

  const runNow = async (job: JobView) => {
    setRunning((r) => new Set(r).add(job.id));
    rowError(job.id, undefined);
    try {
      await api.call('jobs.runNow', { id: job.id });
    } catch (error) {
      rowError(job.id, message(error));
    } finally {
      setRunning((r) => {
        const next = new Set(r);
        next.delete(job.id);
        return next;
      });
    }
  };

  const remove = async (job: JobView) => {
    try {
      setJobs(await api.call('jobs.remove', { id: job.id }));
      if (editing?.id === job.id) setEditing(null);
      if (historyOf === job.id) setHistoryOf('all');
    } catch (error) {
      rowError(job.id, message(error));
    }
  };

  const setEnabled = async (job: JobView, enabled: boolean) => {
    try {
      const { id, name, schedule, task } = job;
      setJobs(await api.call('jobs.save', { id, name, enabled, schedule, task }));
      rowError(job.id, undefined);
    } catch (error) {
      rowError(job.id, message(error));
    }
  };

  const heading = <h3 id="scheduled-jobs-title">Scheduled jobs</h3>;
  // All at once when both have come: a form that grew under the user's eyes would move what is below it.
  if (jobs === undefined || analyses === undefined)
    return (
      <section className="scheduled-jobs" aria-labelledby="scheduled-jobs-title">
        {heading}
      </section>
    );
  const list = jobs;
  const nameOf = new Map(list.map((j) => [j.id, j.name]));
  return (
    <section className="scheduled-jobs" aria-labelledby="scheduled-jobs-title">
      {heading}
      <JobForm analyses={analyses} onSubmit={save} editing={editing} onCancelEdit={() => setEditing(null)} />
      {list.length === 0 ? (
        <p className="empty">No scheduled job yet. Add an export, a backfill or database maintenance above.</p>
      ) : (
        <div className="table-scroll">
          <table data-testid="jobs">
            <thead>
              <tr>
                <th>On</th>
                <th>Job</th>
                <th>Schedule</th>
                <th>Next run</th>
                <th>Last run</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((job) => (
                <tr key={job.id} className={job.enabled ? undefined : 'off'}>
                  <td>
                    <input
                      type="checkbox"
                      checked={job.enabled}
                      aria-label={`${job.name} on`}
                      onChange={(e) => void setEnabled(job, e.target.checked)}
                    />
                  </td>
                  <td className="job-what">
                    <b>{job.name}</b> <span className="job-kind">{kindLabel(job.task.kind)}</span>
                    <small>{taskInWords(job.task, titles)}</small>
                  </td>
                  <td className="job-schedule">{scheduleText(job.schedule)}</td>
                  <td className="job-next">
                    {job.nextRunAt === null ? (
                      <span className="muted">{job.enabled ? 'never' : 'off'}</span>
                    ) : (
                      <>
                        {formatTimeIn(job.nextRunAt, job.schedule.timeZone)}
                        <small>{untilText(job.nextRunAt, Date.now())}</small>
                      </>
                    )}
                  </td>
                  <td>
                    {job.lastRun ? (
                      <div className="job-last-run" title={job.lastRun.message}>
                        <span className={`state ${OUTCOME_TONE[job.lastRun.outcome]}`}>{job.lastRun.outcome}</span>
                        <small>
                          {formatTime(job.lastRun.startedAt)} · {formatDuration(job.lastRun.durationMs)}
                        </small>
                      </div>
                    ) : (
                      <span className="muted">not run yet</span>
                    )}
                  </td>
                  <td className="job-actions">
                    <div>
                      <button
                        type="button"
                        className="link"
                        onClick={() => void runNow(job)}
                        disabled={running.has(job.id)}
                        aria-label={`Run ${job.name} now`}
                      >
                        {running.has(job.id) ? 'Running…' : 'Run now'}
                      </button>
                      <button
                        type="button"
                        className="link"
                        onClick={() => setEditing(job)}
                        aria-pressed={editing?.id === job.id}
                        aria-label={`Edit ${job.name}`}
                      >
                        Edit
                      </button>
                      <button
                        type="button"
                        className="link"
                        onClick={() => setHistoryOf(job.id)}
                        aria-pressed={historyOf === job.id}
                        aria-label={`Runs of ${job.name}`}
                      >
                        History
                      </button>
                      <button
                        type="button"
                        className="link danger"
                        onClick={() => void remove(job)}
                        aria-label={`Remove ${job.name}`}
                      >
                        Remove
                      </button>
                    </div>
                    {rowErrors[job.id] && (
                      <p className="field-error wrap" role="alert">
                        {rowErrors[job.id]}
                      </p>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <div className="job-history-header">
        <h3 id="job-runs-title">Runs</h3>
        <label>
          Of
          <select
            value={String(historyOf)}
            onChange={(e) => setHistoryOf(e.target.value === 'all' ? 'all' : Number(e.target.value))}
            aria-label="Show the runs of"
          >
            <option value="all">every job</option>
            {list.map((j) => (
              <option key={j.id} value={j.id}>
                {j.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      {historyError && (
        <p className="field-error" role="alert">
          {historyError}
        </p>
      )}
      {runs.length === 0 ? (
        <p className="empty">No run yet.</p>
      ) : (
        <div className="table-scroll">
          <table data-testid="job-runs" aria-labelledby="job-runs-title">
            <thead>
              <tr>
                <th>Started</th>
                <th>Job</th>
                <th>Trigger</th>
                <th className="num">Duration</th>
                <th>Status</th>
                <th>Result</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((run) => (
                <tr key={run.id}>
                  <td>{formatTime(run.startedAt)}</td>
                  <td>{nameOf.get(run.jobId) ?? `job ${run.jobId}`}</td>
                  <td>{TRIGGER_LABEL[run.trigger]}</td>
                  <td className="num">{formatDuration(run.durationMs)}</td>
                  <td>
                    <span className={`state ${OUTCOME_TONE[run.outcome]}`}>{run.outcome}</span>
                  </td>
                  <td
                    className={`job-result${run.outcome === 'failed' ? ' field-error' : ''}`}
                    title={run.files.length > 0 ? run.files.join('\n') : undefined}
                  >
                    {run.message}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
