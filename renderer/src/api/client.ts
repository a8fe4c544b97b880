import type {
  ApiError,
  CallResult,
  CommandInput,
  CommandName,
  CommandOutput,
  EventName,
  EventPayload,
  MarketMonitorApi,
} from '../../../engine/api/contract.ts';
import { decodeColumnFrame } from '../../../engine/api/column-frame.ts';
import type { ClientMessage, ServerMessage } from '../../../engine/api/wire.ts';
import type { MarketMonitorBridge } from './bridge.ts';

/** A refused command, with the per-field messages a form can show. */
export class ApiCallError extends Error {
  readonly code: ApiError['code'];
  readonly fields: Record<string, string>;

  constructor(error: ApiError) {
    super(error.message);
    this.code = error.code;
    this.fields = error.fields ?? {};
  }
}

export type ConnectionState = 'connecting' | 'open' | 'closed';

/**
 * A command's input as a form holds it: a number may still be the text the user typed, which the
 * engine's schema refuses with a message for that field (one validation, the engine's).
 */
export type FormInput<T> = T extends number
  ? number | string
  : T extends readonly (infer U)[]
    ? FormInput<U>[]
    : T extends object
      ? { [K in keyof T]: FormInput<T[K]> }
      : T;

export interface ApiClient extends MarketMonitorApi {
  readonly transport: 'electron' | 'websocket';
  /** `call` with what a form holds, checked by the engine only. */
  submit<N extends CommandName>(name: N, input: FormInput<CommandInput<N>>): Promise<CommandOutput<N>>;
  onConnection(listener: (state: ConnectionState) => void): () => void;
}

type AnyListener = (payload: unknown) => void;

class Listeners {
  private readonly byEvent = new Map<string, Set<AnyListener>>();

  add(event: string, listener: AnyListener): () => void {
    let set = this.byEvent.get(event);
    if (!set) this.byEvent.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  emit(event: string, payload: unknown): void {
    for (const listener of this.byEvent.get(event) ?? []) listener(payload);
  }
}

function unwrap<N extends CommandName>(result: CallResult): CommandOutput<N> {
  if (!result.ok) throw new ApiCallError(result.error);
  return result.output as CommandOutput<N>;
}

/** The Electron transport: the preload bridge. */
export function bridgeClient(bridge: MarketMonitorBridge): ApiClient {
  const listeners = new Listeners();
  bridge.onEvent((event, payload) => listeners.emit(event, payload));
  // Untyped on the wire: the engine validates every input.
  const send = async <N extends CommandName>(name: N, input: unknown) => unwrap<N>(await bridge.call(name, input));
  return {
    transport: 'electron',
    call: send,
    submit: send,
    on: (event, listener) => listeners.add(event, listener as AnyListener),
    onConnection: (listener) => {
      listener('open');
      return () => undefined;
    },
  };
}

/** The browser transport: a WebSocket to the headless host, reconnecting with backoff. */
export function webSocketClient(url: string): ApiClient {
  const listeners = new Listeners();
  const connection = new Set<(state: ConnectionState) => void>();
  const pending = new Map<number, { resolve: (r: CallResult) => void; reject: (e: Error) => void }>();
  const queue: string[] = [];
  let nextId = 1;
  let socket: WebSocket;
  let retryMs = 250;
  let state: ConnectionState = 'connecting';

  const setState = (next: ConnectionState) => {
    state = next;
    for (const listener of connection) listener(next);
  };

  const open = () => {
    socket = new WebSocket(url);
    socket.onopen = () => {
      retryMs = 250;
      setState('open');
      for (const text of queue.splice(0)) socket.send(text);
    };
    socket.binaryType = 'arraybuffer';
    socket.onmessage = (message) => {
      if (message.data instanceof ArrayBuffer) {
        const { id, result } = decodeColumnFrame(message.data);
        pending.get(id)?.resolve(result);
        pending.delete(id);
        return;
      }
      const data = JSON.parse(String(message.data)) as ServerMessage;
      if (data.type === 'event') listeners.emit(data.event, data.payload);
      else {
        pending.get(data.id)?.resolve(data.result);
        pending.delete(data.id);
      }
    };
    socket.onclose = () => {
      for (const call of pending.values()) call.reject(new Error('Connection to Market Monitor lost'));
      pending.clear();
      setState('closed');
      setTimeout(open, retryMs);
      retryMs = Math.min(retryMs * 2, 5_000);
    };
  };
  open();

  // Untyped on the wire: the engine validates every input.
  const send = <N extends CommandName>(name: N, input: unknown) =>
    new Promise<CallResult>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      const text = JSON.stringify({ type: 'call', id, name, input } satisfies ClientMessage);
      if (state === 'open') socket.send(text);
      else queue.push(text);
    }).then((result) => unwrap<N>(result));

  return {
    transport: 'websocket',
    call: send,
    submit: send,
    on: <E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void) =>
      listeners.add(event, listener as AnyListener),
    onConnection: (listener) => {
      connection.add(listener);
      listener(state);
      return () => connection.delete(listener);
    },
  };
}

/** The bridge inside Electron, the WebSocket of the page's own host in a browser. */
export function connect(): ApiClient {
  if (window.marketMonitor) return bridgeClient(window.marketMonitor);
  const url = new URL('api', window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = '';
  return webSocketClient(url.toString());
}
