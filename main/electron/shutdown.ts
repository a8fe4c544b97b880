/**
 * Graceful shutdown: the engine's close() stops the producer, drains the bus, flushes the mirror and
 * closes SQLite. A hung close must not keep the app alive forever, so it gets a deadline.
 */
export type ShutdownOutcome = 'closed' | 'timed-out' | 'failed';

export async function closeWithin(
  close: () => Promise<void>,
  timeoutMs: number,
  log?: (message: string, detail?: unknown) => void,
): Promise<ShutdownOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<ShutdownOutcome>((resolve) => {
    timer = setTimeout(() => resolve('timed-out'), timeoutMs);
  });
  const closing = close().then(
    (): ShutdownOutcome => 'closed',
    (error: unknown): ShutdownOutcome => {
      log?.('Closing the engine failed', error);
      return 'failed';
    },
  );
  const outcome = await Promise.race([closing, deadline]);
  clearTimeout(timer);
  if (outcome === 'timed-out') log?.(`The engine did not close within ${timeoutMs} ms; quitting anyway`);
  return outcome;
}

/**
 * Runs the shutdown once however many quit requests arrive (menu, tray, window close, signals):
 * later calls get the first call's promise.
 */
export function once<T>(run: () => Promise<T>): () => Promise<T> {
  let started: Promise<T> | undefined;
  return () => (started ??= run());
}
