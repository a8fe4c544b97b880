import { useEffect, useEffectEvent, useState } from 'react';
import type { CommandOutput, WatchItem } from '../../../engine/api/contract.ts';
import type { ApiClient } from '../api/client.ts';
import { formatTime } from '../format.ts';
import { AlertForm } from './alerts/AlertForm.tsx';
import { describeRule } from '../../../engine/domain/alert-rule.ts';
import { cooldownLabel, draftOf, emptyDraft, type Rule, type RuleInput } from './alerts/alert-draft.ts';

type AlertEvent = CommandOutput<'alerts.history'>[number];

/** Alert rules, their history, and desktop notifications when one fires. */
export function AlertsView({ api, items }: { api: ApiClient; items: WatchItem[] }) {
  const [rules, setRules] = useState<Rule[]>([]);
  const [history, setHistory] = useState<AlertEvent[]>([]);
  const [editing, setEditing] = useState<Rule | null>(null);
  const [permission, setPermission] = useState(
    typeof Notification === 'undefined' ? 'unsupported' : Notification.permission,
  );

  useEffect(() => {
    api.call('alerts.list', {}).then(setRules, () => undefined);
    api.call('alerts.history', { limit: 100 }).then(setHistory, () => undefined);
    return api.on('alert', (event) => setHistory((h) => [event, ...h].slice(0, 100)));
  }, [api]);

  const submit = async (input: RuleInput) => {
    if (editing) {
      setRules(await api.call('alerts.edit', { ...input, id: editing.id }));
      setEditing(null);
    } else {
      setRules(await api.call('alerts.add', input));
    }
  };

  return (
    <section className="alerts" aria-label="Alerts">
      <AlertForm
        // A new form for each rule edited, so its fields start from that rule.
        key={editing?.id ?? 'new'}
        items={items}
        initial={editing ? draftOf(editing) : emptyDraft(items[0]?.symbol ?? '')}
        editing={editing?.id ?? null}
        onSubmit={submit}
        onCancel={() => setEditing(null)}
      />
      {permission === 'default' && (
        <button type="button" className="link" onClick={() => Notification.requestPermission().then(setPermission)}>
          Enable desktop notifications
        </button>
      )}
      <h3>Rules</h3>
      {rules.length === 0 ? (
        <p className="empty">No alert yet. Pick a symbol and a condition above.</p>
      ) : (
        <ul className="rules" data-testid="alert-rules">
          {rules.map((r) => (
            <li key={r.id} className={`${r.enabled ? '' : 'off'}${editing?.id === r.id ? ' editing' : ''}`}>
              <label className="rule-switch" title={r.enabled ? 'On: switch off to keep it quiet' : 'Off'}>
                <input
                  type="checkbox"
                  checked={r.enabled}
                  aria-label={`Alert ${r.id} on`}
                  onChange={(e) =>
                    api.call('alerts.setEnabled', { id: r.id, enabled: e.target.checked }).then(setRules)
                  }
                />
              </label>
              <span className="rule-text">
                {describeRule(r)}
                <small>
                  {cooldownLabel(r.cooldownMs)}
                  {r.enabled ? '' : ' · off'}
                </small>
              </span>
              <button className="link" aria-label={`Edit alert ${r.id}`} onClick={() => setEditing(r)}>
                Edit
              </button>
              <button
                className="link"
                aria-label={`Remove alert ${r.id}`}
                onClick={() => {
                  if (editing?.id === r.id) setEditing(null);
                  api.call('alerts.remove', { id: r.id }).then(setRules);
                }}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <h3>History</h3>
      {history.length === 0 ? (
        <p className="empty">No alert has fired.</p>
      ) : (
        <div className="table-scroll">
          <table data-testid="alert-history">
            <thead>
              <tr>
                <th>Time</th>
                <th>Symbol</th>
                <th>What happened</th>
              </tr>
            </thead>
            <tbody>
              {history.map((h) => (
                <tr key={h.id}>
                  <td>{formatTime(h.at)}</td>
                  <td>{h.symbol}</td>
                  <td>{h.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** Shows each fired alert as a desktop notification when the user allowed them. */
export function useAlertNotifications(api: ApiClient, onAlert: (message: string) => void): void {
  // The caller's latest onAlert, without subscribing again each time it passes a new function.
  const notify = useEffectEvent(onAlert);
  useEffect(
    () =>
      api.on('alert', (event) => {
        notify(event.message);
        if (typeof Notification !== 'undefined' && Notification.permission === 'granted') {
          new Notification('Market Monitor alert', { body: event.message, tag: `alert-${event.ruleId}` });
        }
      }),
    [api],
  );
}
