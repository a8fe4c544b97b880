import { useCallback, useEffect, useState } from 'react';
import type { Notice } from '../../../engine/api/contract.ts';
import type { ApiClient } from '../api/client.ts';

type Toast = Notice & { id: number };

let nextId = 1;

/** Engine notices and the UI's own errors, each shown for a few seconds or until closed. */
export function Toasts({ api, local }: { api: ApiClient; local: Notice | null }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const close = useCallback((id: number) => setToasts((list) => list.filter((t) => t.id !== id)), []);

  const push = useCallback(
    (notice: Notice) => {
      const id = nextId++;
      setToasts((list) => [...list.slice(-3), { ...notice, id }]);
      setTimeout(() => close(id), notice.level === 'error' ? 8_000 : 4_000);
    },
    [close],
  );

  useEffect(() => api.on('notice', push), [api, push]);
  useEffect(() => {
    if (local) push(local);
  }, [local, push]);

  return (
    <div className="toasts" role="status" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast ${t.level}`}>
          {t.message}
          {/* An icon, not a character: the toast's text stays the message alone. */}
          <button
            type="button"
            className="toast-close"
            aria-label="Dismiss"
            title="Dismiss"
            onClick={() => close(t.id)}
          >
            <svg viewBox="0 0 10 10" width="10" height="10" aria-hidden="true">
              <path d="M1 1 9 9M9 1 1 9" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
            </svg>
          </button>
        </div>
      ))}
    </div>
  );
}
