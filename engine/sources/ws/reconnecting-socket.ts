import { WebSocket } from 'ws';
import { Backoff } from '../../base/backoff.ts';

/** A streaming connection's state, as the feeds and the watchlist describe it. */
export type StreamState =
  | { kind: 'idle' }
  | { kind: 'connecting' }
  | { kind: 'open'; since: number }
  | { kind: 'down'; reason: string; retryAt: number };

/** What one provider's socket speaks: how to (un)subscribe symbols and how to read a frame. */
export interface StreamProtocol<M> {
  /** Where to connect, asked at each attempt (a key may have changed). */
  url(): string;
  subscribe(symbols: readonly string[]): string[];
  unsubscribe(symbols: readonly string[]): string[];
  /**
   * One text frame: its messages, none for a control frame (an acknowledgement), or a throw for a
   * frame that cannot be read. Only a frame with messages proves the feed usable.
   */
  decode(frame: string): M[];
}

export interface ReconnectingSocketOptions<M> {
  protocol: StreamProtocol<M>;
  /** Who the reasons name: "the streamer", "Coinbase". */
  serverName?: string;
  backoff?: Backoff;
  /** The whole subscription is sent again this often (Yahoo forgets subscriptions it was not reminded of). */
  resubscribeMs?: number;
  /** A ping is sent this often; one still unanswered at the next means the connection is dead. */
  pingMs?: number;
  /** No frame at all for this long means the server stopped sending: reconnect. Off when absent. */
  idleMs?: number;
  /** A handshake that takes longer than this fails (and is retried with backoff). */
  handshakeTimeoutMs?: number;
  /** The provider's cap on client messages per second: frames past it wait their turn. */
  maxFramesPerSecond?: number;
  now?: () => number;
  onMessage: (message: M) => void;
  onState?: (state: StreamState) => void;
}

/**
 * One streaming WebSocket kept open for a set of symbols: it subscribes them on open and as they
 * change, and reconnects with exponential backoff and jitter. The backoff is reset only by a
 * usable message, not by a handshake, so a server that accepts and hangs up at once does not make
 * it reconnect in a loop. Frames that cannot be read are counted and shown, never turned into prices.
 */
export class ReconnectingSocket<M> {
  private readonly options: ReconnectingSocketOptions<M>;
  private readonly backoff: Backoff;
  private readonly now: () => number;
  private readonly wanted = new Set<string>();
  private socket: WebSocket | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly intervals: NodeJS.Timeout[] = [];
  private stateValue: StreamState = { kind: 'idle' };
  private stopped = false;
  private lastFrameAt = 0;
  private outbox: string[] = [];
  /** When the frames of the last second went out (only under a rate cap). */
  private sentAt: number[] = [];
  private drainTimer: NodeJS.Timeout | undefined;
  readonly counters = { connects: 0, messages: 0, garbled: 0, lastGarbled: '', sent: 0 };

  constructor(options: ReconnectingSocketOptions<M>) {
    this.options = options;
    this.backoff = options.backoff ?? new Backoff({ baseMs: 1_000, maxMs: 120_000 });
    this.now = options.now ?? Date.now;
  }

  private get server(): string {
    return this.options.serverName ?? 'the server';
  }

  get state(): StreamState {
    return this.stateValue;
  }

  get symbols(): ReadonlySet<string> {
    return this.wanted;
  }

  /** Follows the watchlist at once: new symbols are subscribed, removed ones unsubscribed. */
  setSymbols(symbols: readonly string[]): void {
    if (this.stopped) return;
    const next = new Set(symbols);
    const added = [...next].filter((s) => !this.wanted.has(s));
    const removed = [...this.wanted].filter((s) => !next.has(s));
    this.wanted.clear();
    for (const s of next) this.wanted.add(s);
    if (this.wanted.size === 0) {
      this.disconnect();
      return;
    }
    if (this.stateValue.kind === 'open') {
      if (added.length) this.sendAll(this.options.protocol.subscribe(added));
      if (removed.length) this.sendAll(this.options.protocol.unsubscribe(removed));
    } else if (this.stateValue.kind === 'idle') this.connect();
  }

  /** Closes the connection and connects again at once (a new key). */
  restart(): void {
    if (this.stopped || this.wanted.size === 0) return;
    this.disconnect();
    this.backoff.reset();
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.disconnect();
  }

  private connect(): void {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.setState({ kind: 'connecting' });
    this.counters.connects++;
    const socket = new WebSocket(this.options.protocol.url(), {
      handshakeTimeout: this.options.handshakeTimeoutMs ?? 10_000,
      maxPayload: 1024 * 1024,
    });
    this.socket = socket;
    // The first cause wins: terminating a socket raises an error of its own after the real one.
    let failure: string | undefined;
    const fail = (reason: string) => {
      failure ??= reason;
      socket.terminate();
    };
    socket.on('open', () => this.opened(socket, fail));
    socket.on('message', (data, isBinary) => this.receive(isBinary ? undefined : String(data)));
    socket.on('unexpected-response', (_req, res) => fail(`${this.server} answered HTTP ${res.statusCode}`));
    socket.on('error', (error) => (failure ??= error.message || undefined));
    socket.on('close', (code, reason) => {
      if (this.socket !== socket) return;
      this.clearTimers();
      this.socket = undefined;
      if (this.stopped || this.wanted.size === 0) this.setState({ kind: 'idle' });
      else this.scheduleReconnect(failure ?? closeReason(this.server, code, String(reason)));
    });
  }

  private opened(socket: WebSocket, fail: (reason: string) => void): void {
    this.lastFrameAt = this.now();
    this.setState({ kind: 'open', since: this.now() });
    this.sendAll(this.options.protocol.subscribe([...this.wanted]));
    const { resubscribeMs, pingMs = 20_000, idleMs } = this.options;
    if (resubscribeMs) this.every(resubscribeMs, () => this.sendAll(this.options.protocol.subscribe([...this.wanted])));
    let awaitingPong = false;
    socket.on('pong', () => (awaitingPong = false));
    this.every(pingMs, () => {
      if (awaitingPong) return fail(`${this.server} stopped answering`);
      awaitingPong = true;
      socket.ping();
    });
    if (idleMs)
      this.every(Math.max(50, idleMs / 4), () => {
        const silent = this.now() - this.lastFrameAt;
        if (silent > idleMs) fail(`nothing received for ${Math.round(silent / 1_000)} s`);
      });
  }

  private every(ms: number, run: () => void): void {
    this.intervals.push(setInterval(run, ms));
  }

  private receive(frame: string | undefined): void {
    this.lastFrameAt = this.now();
    if (frame === undefined) return this.garbled('a binary frame');
    let messages: M[];
    try {
      messages = this.options.protocol.decode(frame);
    } catch (error) {
      return this.garbled(error instanceof Error ? error.message : String(error));
    }
    if (messages.length === 0) return;
    this.counters.messages += messages.length;
    this.backoff.reset();
    for (const message of messages) this.options.onMessage(message);
  }

  private garbled(reason: string): void {
    this.counters.garbled++;
    this.counters.lastGarbled = reason;
  }

  private scheduleReconnect(reason: string): void {
    const delay = this.backoff.next();
    this.setState({ kind: 'down', reason, retryAt: this.now() + delay });
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private sendAll(frames: readonly string[]): void {
    if (this.socket?.readyState !== WebSocket.OPEN) return;
    this.outbox.push(...frames);
    this.drain();
  }

  /** Sends what the rate cap allows in the last second, and the rest as earlier sends age out of it. */
  private drain(): void {
    const cap = this.options.maxFramesPerSecond ?? Infinity;
    const socket = this.socket;
    if (this.drainTimer || socket?.readyState !== WebSocket.OPEN) return;
    const now = this.now();
    while (this.sentAt.length && this.sentAt[0]! <= now - 1_000) this.sentAt.shift();
    const sent = this.outbox.splice(0, Math.max(0, cap - this.sentAt.length));
    for (const frame of sent) socket.send(frame);
    if (Number.isFinite(cap)) this.sentAt.push(...sent.map(() => now));
    this.counters.sent += sent.length;
    if (this.outbox.length === 0) return;
    this.drainTimer = setTimeout(
      () => {
        this.drainTimer = undefined;
        this.drain();
      },
      Math.max(1, this.sentAt[0]! + 1_000 - now),
    );
  }

  private disconnect(): void {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.clearTimers();
    const socket = this.socket;
    this.socket = undefined;
    socket?.terminate();
    this.setState({ kind: 'idle' });
  }

  private clearTimers(): void {
    for (const timer of this.intervals.splice(0)) clearInterval(timer);
    clearTimeout(this.drainTimer);
    this.drainTimer = undefined;
    // A new connection subscribes everything afresh.
    this.outbox = [];
  }

  private setState(state: StreamState): void {
    this.stateValue = state;
    this.options.onState?.(state);
  }
}

/** A server's close frame, in words: its reason if it gave one. */
function closeReason(server: string, code: number, reason: string): string {
  if (reason) return `${server} closed the connection: ${reason}`;
  return code === 1000 || code === 1005 ? `${server} closed the connection` : `the connection closed (code ${code})`;
}
