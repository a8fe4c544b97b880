import { useEffect, useEffectEvent, useState } from 'react';
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
  // Callers pass inline functions: read the latest ones, but subscribe once per api and event.
  const load = useEffectEvent(initial);
  const convert = useEffectEvent(fromEvent);
  useEffect(() => {
    let live = true;
    load().then(
      (v) => live && setValue(v),
      () => undefined,
    );
    const off = api.on(event, (payload) => setValue(convert(payload)));
    return () => {
      live = false;
      off();
    };
  }, [api, event]);
  return [value, setValue];
}

export function useConnection(api: ApiClient): ConnectionState {
  const [state, setState] = useState<ConnectionState>('connecting');
  useEffect(() => api.onConnection(setState), [api]);
  return state;
}
