/** Resolves after `ms` milliseconds (a timer: at least that long, later on a busy event loop). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
