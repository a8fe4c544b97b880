/**
 * A synchronous call from the engine's thread to its host's thread, for the host services the
 * engine calls synchronously (the OS keychain behind its SecretStore). The engine's thread posts the
 * request and waits on a shared buffer (Atomics.wait) until the host's thread has written the answer
 * into it. Each request has a number: the host writes an answer only while that request is still
 * awaited, and the engine's thread reads one only when it carries its own number, so an answer that
 * comes after its caller gave up can never be taken for the next call's.
 */

export interface SyncRequest {
  type: 'sync';
  seq: number;
  op: string;
  input: unknown;
}

export type SyncServices = Record<string, (input: unknown) => unknown>;

/** Int32 slots before the answer's bytes. */
const AWAITED = 0; // the request the engine's thread waits for
const ANSWERED = 1; // the request whose answer the bytes hold
const LENGTH = 2;
const HEADER_BYTES = 12;
/** Room for an answer: the services answer with a key, a sealed key or a flag. */
const ANSWER_BYTES = 64 * 1024;
/**
 * The keychain may ask the user first (a locked keyring, macOS asking to allow access): the engine's
 * thread waits that long, its ticks queued on the bus, and then reads on as if no key were kept.
 */
export const SYNC_WAIT_MS = 60_000;

type Answer = { ok: true; value: unknown } | { ok: false; message: string };

export function syncCallBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + ANSWER_BYTES);
}

/** The engine's side: a function that blocks until the host answered (or throws what it threw). */
export function syncCaller(
  buffer: SharedArrayBuffer,
  post: (request: SyncRequest) => void,
  waitMs = SYNC_WAIT_MS,
): (op: string, input?: unknown) => unknown {
  const header = new Int32Array(buffer, 0, 3);
  const bytes = new Uint8Array(buffer, HEADER_BYTES);
  let last = 0;
  return (op, input = null) => {
    const seq = ++last;
    Atomics.store(header, AWAITED, seq);
    post({ type: 'sync', seq, op, input });
    const deadline = Date.now() + waitMs;
    for (let answered = Atomics.load(header, ANSWERED); answered !== seq; answered = Atomics.load(header, ANSWERED)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`The app did not answer in time (${op})`);
      Atomics.wait(header, ANSWERED, answered, left);
    }
    const answer = JSON.parse(new TextDecoder().decode(bytes.slice(0, Atomics.load(header, LENGTH)))) as Answer;
    if (!answer.ok) throw new Error(answer.message);
    return answer.value;
  };
}

/** The host's side: runs the service asked for and wakes the waiting thread with its answer. */
export function answerSyncCall(buffer: SharedArrayBuffer, services: SyncServices, request: SyncRequest): void {
  const header = new Int32Array(buffer, 0, 3);
  const bytes = new Uint8Array(buffer, HEADER_BYTES);
  const answer = run(services, request);
  // The caller gave up on this request and may be waiting for a newer one: leave the buffer to it.
  if (Atomics.load(header, AWAITED) !== request.seq) return;
  let encoded = new TextEncoder().encode(JSON.stringify(answer));
  if (encoded.length > ANSWER_BYTES)
    encoded = new TextEncoder().encode(
      JSON.stringify({ ok: false, message: `The answer to ${request.op} is too long` }),
    );
  bytes.set(encoded);
  Atomics.store(header, LENGTH, encoded.length);
  Atomics.store(header, ANSWERED, request.seq);
  Atomics.notify(header, ANSWERED);
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
