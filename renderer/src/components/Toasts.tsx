import { useEffect, useState } from 'react';
import type { Notice } from '../../../engine/api/contract.ts';
import type { ApiClient } from '../api/client.ts';

type Toast = Notice & { id: number };

/** Engine notices and the UI's own errors, each shown for a few seconds. */
export function Toasts({ api, local }: { api: ApiClient; local: Notice | null }) {
  const [toasts, setToasts] = useState<Toast[]>([]);

  const push = (notice: Notice) => {
    const id = Math.random();
    setToasts((list) => [...list.slice(-3), { ...notice, id }]);
    setTimeout(() => setToasts((list) => list.filter((t) => t.id !== id)), notice.level === 'error' ? 8_000 : 4_000);
  };

  useEffect(() => api.on('notice', push), [api]);
  useEffect(() => {
    if (local) push(local);
  }, [local]);

  return (
    <div className="toasts" role="status" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast ${t.level}`}>
          {t.message}
        </div>
      ))}
    </div>
  );
}
