/**
 * A page that renders useAlertNotifications over a stand-in client (the hook only listens on the
 * `alert` channel), so a test can re-render it with a new callback and fire alerts at it.
 */
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import type { EventPayload } from '../../../engine/api/contract.ts';
import type { ApiClient } from '../../../renderer/src/api/client.ts';
import { useAlertNotifications } from '../../../renderer/src/components/AlertsView.tsx';

type AlertListener = (payload: EventPayload<'alert'>) => void;

const listeners = new Set<AlertListener>();
const received: string[] = [];
const refused = () => Promise.reject(new Error('no commands on this page'));
const api = {
  transport: 'websocket',
  call: refused,
  submit: refused,
  on: (_event: string, listener: AlertListener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  onConnection: () => () => undefined,
} as unknown as ApiClient;

function Probe({ label }: { label: string }) {
  useAlertNotifications(api, (message) => received.push(`${label}: ${message}`));
  return null;
}

const root = createRoot(document.getElementById('root')!);

declare global {
  interface Window {
    alertHook: {
      render(label: string): void;
      fire(message: string): void;
      subscriptions(): number;
      received: string[];
    };
  }
}

window.alertHook = {
  render: (label) => flushSync(() => root.render(<Probe label={label} />)),
  fire: (message) => {
    for (const listener of listeners) listener({ id: 1, ruleId: 1, symbol: 'ACME', at: 0, value: 1, message });
  },
  subscriptions: () => listeners.size,
  received,
};
