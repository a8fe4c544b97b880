/**
 * What the engine needs of its host when it runs in a thread of its own: the OS keychain that seals
 * provider keys (Electron's safeStorage, callable from the main process only) and the processes the
 * SQL console runs its queries in (Electron's utility processes, forked from the main process
 * only). Each comes as a pair: the engine's stand-in in its thread, and the host's side that serves it.
 */
import type { KeyCipher } from '../../engine/app/encrypted-key-file.ts';
import type { QueryAnswer, QueryProcess, QueryProcessStarter } from '../../engine/sql/sql-console.ts';
import type { SqlProcessNews, SqlProcessRequest } from './messages.ts';
import type { SyncServices } from './sync-call.ts';

/** The keychain in the engine's thread: each call waits for the host's keychain. */
export function cipherOverSyncCalls(call: (op: string, input?: unknown) => unknown): KeyCipher {
  return {
    available: () => call('cipher.available') as boolean,
    encrypt: (plain) => Buffer.from(call('cipher.encrypt', plain) as string, 'base64'),
    decrypt: (sealed) => call('cipher.decrypt', sealed.toString('base64')) as string,
    backend: () => (call('cipher.backend') as string | null) ?? 'os',
  };
}

/** The host's keychain, as the services cipherOverSyncCalls calls (sealed keys travel in base64). */
export function cipherServices(cipher: KeyCipher): SyncServices {
  return {
    'cipher.available': () => cipher.available(),
    'cipher.encrypt': (plain) => cipher.encrypt(plain as string).toString('base64'),
    'cipher.decrypt': (sealed) => cipher.decrypt(Buffer.from(sealed as string, 'base64')),
    'cipher.backend': () => cipher.backend?.() ?? null,
  };
}

/**
 * Query processes in the engine's thread: each one asked for is started by the host, and what it
 * answers comes back by message. `news` is called with a listener for the host's messages about them.
 */
export function queryProcessesOverMessages(
  post: (request: SqlProcessRequest) => void,
  news: (listener: (message: SqlProcessNews) => void) => void,
): QueryProcessStarter {
  const live = new Map<number, { answered: ((answer: QueryAnswer) => void)[]; ended: ((why: string) => void)[] }>();
  news((message) => {
    const process = live.get(message.id);
    if (!process) return;
    if (message.type === 'sql-answer') for (const listener of process.answered) listener(message.answer);
    else {
      live.delete(message.id);
      for (const listener of process.ended) listener(message.why);
    }
  });
  let nextId = 1;
  return (): QueryProcess => {
    const id = nextId++;
    const process = { answered: [] as ((answer: QueryAnswer) => void)[], ended: [] as ((why: string) => void)[] };
    live.set(id, process);
    post({ type: 'sql-start', id });
    return {
      send: (job) => post({ type: 'sql-send', id, job }),
      onAnswer: (listener) => void process.answered.push(listener),
      onEnd: (listener) => void process.ended.push(listener),
      kill: () => post({ type: 'sql-kill', id }),
    };
  };
}

/**
 * The host's side: starts, feeds and ends the query processes the engine's thread asks for, and
 * kills those still running when the thread is gone.
 */
export function serveQueryProcesses(
  start: QueryProcessStarter,
  reply: (news: SqlProcessNews) => void,
): { handle: (request: SqlProcessRequest) => void; killAll: () => void } {
  const running = new Map<number, QueryProcess>();
  const killAll = () => {
    for (const process of running.values()) process.kill();
    running.clear();
  };
  const handle = (request: SqlProcessRequest) => {
    if (request.type === 'sql-send') return running.get(request.id)?.send(request.job);
    if (request.type === 'sql-kill') return running.get(request.id)?.kill();
    let process: QueryProcess;
    try {
      process = start();
    } catch (error) {
      reply({ type: 'sql-end', id: request.id, why: error instanceof Error ? error.message : String(error) });
      return;
    }
    running.set(request.id, process);
    process.onAnswer((answer) => reply({ type: 'sql-answer', id: request.id, answer }));
    process.onEnd((why) => {
      if (!running.delete(request.id)) return; // killed with the thread: no one is told
      reply({ type: 'sql-end', id: request.id, why });
    });
  };
  return { handle, killAll };
}
