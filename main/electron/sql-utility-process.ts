/**
 * The SQL console's query processes in the packaged app. Its fuses turn ELECTRON_RUN_AS_NODE off,
 * so `process.execPath -e` is the app again, not Node: there each query runs in an Electron
 * utility process instead, which runs a file (the query program, written once to a folder of the
 * app's) and talks through `process.parentPort`. Plain module: main.ts passes `utilityProcess.fork`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { QUERY_PROGRAM, type QueryAnswer, type QueryProcessStarter } from '../../engine/sql/sql-console.ts';

/** What this module needs of Electron's `UtilityProcess`. */
export interface UtilityProcessLike {
  postMessage(message: unknown): void;
  once(event: 'message', listener: (message: unknown) => void): unknown;
  once(event: 'exit', listener: (code: number) => unknown): unknown;
  kill(): boolean;
}
export type ForkUtility = (modulePath: string) => UtilityProcessLike;

/** Writes the query program to `dir` (utilityProcess.fork takes a file, not source text). */
export function writeQueryProgram(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'sql-query-process.cjs');
  fs.writeFileSync(file, QUERY_PROGRAM);
  return file;
}

/**
 * Starts each query in a utility process of `program`. The program cannot exit right after its
 * answer (parentPort.postMessage has no completion callback), so the answer is what ends it here.
 */
export function utilityQueryProcesses(fork: ForkUtility, program: string): QueryProcessStarter {
  return () => {
    const child = fork(program);
    return {
      send: (job) => child.postMessage(job),
      onAnswer: (listener) =>
        child.once('message', (answer) => {
          child.kill();
          listener(answer as QueryAnswer);
        }),
      onEnd: (listener) => child.once('exit', (code) => listener(`exit code ${code}`)),
      kill: () => void child.kill(),
    };
  };
}
