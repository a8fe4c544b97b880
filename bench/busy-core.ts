/**
 * `npm run bench -- --busy-core`: another process keeps one core busy for the whole run, as a
 * browser or a trading app beside the monitor would. Each figure and its baseline are then measured
 * under the same load, so the goals can be checked on a machine that is not quiet.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const SPIN = 'for (;;) { Math.sqrt(Math.random()); }';

export function startBusyCore(): () => void {
  const child: ChildProcess = spawn(process.execPath, ['-e', SPIN], { stdio: 'ignore' });
  child.unref();
  const stop = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', stop);
  return stop;
}
