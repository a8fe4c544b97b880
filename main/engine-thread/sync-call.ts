/**
 * A synchronous call from the engine's thread to its host's thread, for the host services the
 * engine calls synchronously (the OS keychain behind its SecretStore). The engine's thread posts the
 * request and waits on a shared buffer (Atomics.wait) until the host's thread has written the answer
 * into it. The host's thread only serves the window or the socket, so it answers within a turn.
 */

export interface SyncRequest {
  type: 'sync';
  op: string;
  input: unknown;
}

export type SyncServices = Record<string, (input: unknown) => unknown>;

/** Int32 slots before the answer's bytes: 0 while waiting, 1 once answered; the answer's length. */
const STATE = 0;
const LENGTH = 1;
const HEADER_BYTES = 8;
/** Room for an answer: the services answer with a key, a sealed key or a flag. */
const ANSWER_BYTES = 64 * 1024;
const WAIT_MS = 10_000;

type Answer = { ok: true; value: unknown } | { ok: false; message: string };

export function syncCallBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + ANSWER_BYTES);
}

/** The engine's side: a function that blocks until the host answered (or throws what it threw). */
export function syncCaller(
  buffer: SharedArrayBuffer,
  post: (request: SyncRequest) => void,
): (op: string, input?: unknown) => unknown {
  const header = new Int32Array(buffer, 0, 2);
  const bytes = new Uint8Array(buffer, HEADER_BYTES);
  return (op, input = null) => {
    Atomics.store(header, STATE, 0);
    post({ type: 'sync', op, input });
    if (Atomics.wait(header, STATE, 0, WAIT_MS) === 'timed-out') throw new Error(`The app did not answer (${op})`);
    const answer = JSON.parse(new TextDecoder().decode(bytes.slice(0, Atomics.load(header, LENGTH)))) as Answer;
    if (!answer.ok) throw new Error(answer.message);
    return answer.value;
  };
}

/** The host's side: runs the service asked for and wakes the waiting thread with its answer. */
export function answerSyncCall(buffer: SharedArrayBuffer, services: SyncServices, request: SyncRequest): void {
  const header = new Int32Array(buffer, 0, 2);
  const bytes = new Uint8Array(buffer, HEADER_BYTES);
  let encoded = new TextEncoder().encode(JSON.stringify(run(services, request)));
  if (encoded.length > ANSWER_BYTES)
    encoded = new TextEncoder().encode(
      JSON.stringify({ ok: false, message: `The answer to ${request.op} is too long` }),
    );
  bytes.set(encoded);
  Atomics.store(header, LENGTH, encoded.length);
  Atomics.store(header, STATE, 1);
  Atomics.notify(header, STATE);
}

function run(services: SyncServices, request: SyncRequest): Answer {
  try {
    const service = services[request.op];
    if (!service) throw new Error(`The app has no ${request.op}`);
    return { ok: true, value: service(request.input) ?? null };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}
