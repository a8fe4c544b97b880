import { dispatch } from '../api/dispatch.ts';
import type { EngineEndpoint } from '../api/endpoint.ts';
import { createHandlers } from './handlers.ts';
import type { MarketMonitor } from './market-monitor.ts';

/** A running app as an endpoint in the caller's own thread. */
export function inThreadEndpoint(app: MarketMonitor): EngineEndpoint {
  const handlers = createHandlers(app);
  return {
    call: (name, input) => dispatch(handlers, name, input),
    subscribe: (listener) => app.events.subscribe(listener as never),
  };
}
