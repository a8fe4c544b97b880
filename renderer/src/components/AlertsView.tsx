import { useEffect, useEffectEvent, useState, type FormEvent } from 'react';
import type { CommandOutput, WatchItem } from '../../../engine/api/contract.ts';
import { ApiCallError, type ApiClient } from '../api/client.ts';
import { formatTime } from '../format.ts';

type Rule = CommandOutput<'alerts.list'>[number];
type AlertEvent = CommandOutput<'alerts.history'>[number];
type Kind = Rule['kind'];

const KINDS: Array<{ kind: Kind; label: string; unit: string }> = [
  { kind: 'price-above', label: 'Price above', unit: 'price' },
  { kind: 'price-below', label: 'Price below', unit: 'price' },
  { kind: 'move-percent', label: 'Moves by', unit: '%' },
  { kind: 'volume-spike', label: 'Volume spike', unit: '× average' },
  { kind: 'anomaly', label: 'Anomaly found', unit: '× detector threshold (1 = every anomaly)' },
];

/** Alert rules, their history, and desktop notifications when one fires. */
export function AlertsView({ api, items }: { api: ApiClient; items: WatchItem[] }) {
  const [rules, setRules] = useState<Rule[]>([]);
  const [history, setHistory] = useState<AlertEvent[]>([]);
  const [symbol, setSymbol] = useState(items[0]?.symbol ?? '');
  const [kind, setKind] = useState<Kind>('price-above');
  const [threshold, setThreshold] = useState('');
  const [windowMinutes, setWindowMinutes] = useState('5');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [permission, setPermission] = useState(
    typeof Notification === 'undefined' ? 'unsupported' : Notification.permission,
  );

  useEffect(() => {
    api.call('alerts.list', {}).then(setRules, () => undefined);
    api.call('alerts.history', { limit: 100 }).then(setHistory, () => undefined);
    return api.on('alert', (event) => setHistory((h) => [event, ...h].slice(0, 100)));
  }, [api]);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    const value = Number(threshold);
    try {
      setRules(
        await api.call('alerts.add', {
          symbol,
          kind,
          threshold: threshold.trim() === '' || Number.isNaN(value) ? (threshold as never) : value,
          windowMs: Math.round(Number(windowMinutes) * 60_000),
        }),
      );
      setErrors({});
      setThreshold('');
    } catch (error) {
      setErrors(error instanceof ApiCallError ? { form: error.message, ...error.fields } : { form: String(error) });
    }
  };

  const unit = KINDS.find((k) => k.kind === kind)!.unit;
  return (
    <section className="alerts" aria-label="Alerts">
      <form className="analysis-filters" onSubmit={add}>
        <label>
          Symbol
          <input
            list="alert-symbols"
            value={symbol}
            onChange={(e) => setSymbol(e.target.value)}
            aria-label="Alert symbol"
            aria-invalid={!!errors.symbol}
          />
          <datalist id="alert-symbols">
            {items.map((i) => (
              <option key={i.symbol} value={i.symbol} />
            ))}
          </datalist>
          <small className="field-error">{errors.symbol}</small>
        </label>
        <label>
          When
          <select value={kind} onChange={(e) => setKind(e.target.value as Kind)} aria-label="Alert kind">
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
            value={threshold}
            onChange={(e) => setThreshold(e.target.value)}
            aria-label="Threshold"
            aria-invalid={!!errors.threshold}
            inputMode="decimal"
          />
          <small className="field-error">{errors.threshold}</small>
        </label>
        {kind === 'move-percent' && (
          <label>
            Within (minutes)
            <input
              value={windowMinutes}
              onChange={(e) => setWindowMinutes(e.target.value)}
              aria-label="Window in minutes"
              aria-invalid={!!errors.windowMs}
            />
            <small className="field-error">{errors.windowMs}</small>
          </label>
        )}
        <button type="submit" className="primary">
          Add alert
        </button>
        {permission === 'default' && (
          <button type="button" className="link" onClick={() => Notification.requestPermission().then(setPermission)}>
            Enable desktop notifications
          </button>
        )}
      </form>
      <h3>Rules</h3>
      {rules.length === 0 ? (
        <p className="empty">No alert yet. Pick a symbol and a condition above.</p>
      ) : (
        <ul className="rules" data-testid="alert-rules">
          {rules.map((r) => (
            <li key={r.id}>
              <span>{describe(r)}</span>
              <button
                className="link"
                aria-label={`Remove alert ${r.id}`}
                onClick={() => api.call('alerts.remove', { id: r.id }).then(setRules)}
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

function describe(rule: Rule): string {
  switch (rule.kind) {
    case 'price-above':
      return `${rule.symbol} trades above ${rule.threshold}`;
    case 'price-below':
      return `${rule.symbol} trades below ${rule.threshold}`;
    case 'move-percent':
      return `${rule.symbol} moves ${rule.threshold}% within ${Math.round(rule.windowMs / 60_000)} min`;
    case 'volume-spike':
      return `${rule.symbol} trades ${rule.threshold}× its average minute volume`;
    case 'anomaly':
      return rule.threshold === 1
        ? `Any anomaly of ${rule.symbol}`
        : `An anomaly of ${rule.symbol} at ${rule.threshold}× the detector’s threshold`;
  }
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
