import { useEffect, useState } from 'react';
import type { EventName, EventPayload } from '../../../engine/api/contract.ts';
import type { ApiClient, ConnectionState } from './client.ts';

/** The latest payload of an event channel, seeded by a command's answer; commands that change it may set it too. */
export function useLive<E extends EventName, T>(
  api: ApiClient,
  event: E,
  initial: () => Promise<T>,
  fromEvent: (payload: EventPayload<E>) => T,
): [T | undefined, (value: T) => void] {
  const [value, setValue] = useState<T>();
  useEffect(() => {
    let live = true;
    initial().then(
      (v) => live && setValue(v),
      () => undefined,
    );
    const off = api.on(event, (payload) => setValue(fromEvent(payload)));
    return () => {
      live = false;
      off();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, event]);
  return [value, setValue];
}

export function useConnection(api: ApiClient): ConnectionState {
  const [state, setState] = useState<ConnectionState>('connecting');
  useEffect(() => api.onConnection(setState), [api]);
  return state;
}
