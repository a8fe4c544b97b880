/** How often one listener failed, and how it failed last: what the status shows. */
export interface ListenerFailure {
  name: string;
  count: number;
  lastMessage: string;
  lastAt: number;
}

/**
 * Listeners that each run on their own: one that throws is counted and reported, and neither the
 * others nor the caller see its error. For work that follows something already done (a committed
 * batch), where a failure downstream must not look like a failure of that thing.
 */
export class ContainedListeners<T> {
  private readonly listeners = new Map<(event: T) => void, string>();
  private readonly failures = new Map<string, ListenerFailure>();
  private readonly onFailure: (failure: ListenerFailure, error: unknown) => void;

  constructor(onFailure: (failure: ListenerFailure, error: unknown) => void = () => undefined) {
    this.onFailure = onFailure;
  }

  add(name: string, listener: (event: T) => void): () => void {
    this.listeners.set(listener, name);
    return () => this.listeners.delete(listener);
  }

  emit(event: T): void {
    for (const [listener, name] of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.record(name, error);
      }
    }
  }

  /** Every listener that failed since this set was made, in the order they first failed. */
  failureList(): ListenerFailure[] {
    return [...this.failures.values()].map((f) => ({ ...f }));
  }

  private record(name: string, error: unknown): void {
    const failure = this.failures.get(name) ?? { name, count: 0, lastMessage: '', lastAt: 0 };
    failure.count++;
    failure.lastMessage = error instanceof Error ? error.message : String(error);
    failure.lastAt = Date.now();
    this.failures.set(name, failure);
    try {
      this.onFailure({ ...failure }, error);
    } catch {
      // Reporting must not turn a contained failure into an uncontained one.
    }
  }
}
