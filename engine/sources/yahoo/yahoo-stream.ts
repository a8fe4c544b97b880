import { WebSocket } from 'ws';
import { Backoff } from '../../base/backoff.ts';
import { decodePricingFrame, NOT_PRICING, type StreamQuote } from './pricing-message.ts';

export const YAHOO_STREAM_URL = 'wss://streamer.finance.yahoo.com/?version=2';

export type StreamState =
  | { kind: 'idle' }
  | { kind: 'connecting' }
  | { kind: 'open'; since: number }
  | { kind: 'down'; reason: string; retryAt: number };

export interface YahooStreamOptions {
  /** Yahoo's streamer unless a test points it at a local server. */
  url?: string;
  backoff?: Backoff;
  /**
   * The whole subscription is sent again this often, as yfinance does every 15 s: the streamer
   * is known to stop sending for subscriptions it was not reminded of.
   */
  resubscribeMs?: number;
  /** A ping is sent this often; one still unanswered at the next means the connection is dead. */
  pingMs?: number;
  /** A handshake that takes longer than this fails (and is retried with backoff). */
  handshakeTimeoutMs?: number;
  now?: () => number;
  onQuote: (quote: StreamQuote) => void;
  onState?: (state: StreamState) => void;
}

/**
 * Yahoo's public price stream: one WebSocket, a JSON `subscribe` of the watched symbols, and a
 * base64 protobuf PricingData message per price change. Reconnects with exponential backoff and
 * jitter; the backoff is reset only by a usable message, not by a handshake, so a server that
 * accepts and hangs up at once does not make it reconnect in a loop.
 */
export class YahooStream {
  private readonly options: YahooStreamOptions;
  private readonly backoff: Backoff;
  private readonly now: () => number;
  private readonly wanted = new Set<string>();
  private socket: WebSocket | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private resubscribeTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private stateValue: StreamState = { kind: 'idle' };
  private stopped = false;
  /** Frames that could not be read, with the last reason: shown, never turned into prices. */
  readonly counters = { connects: 0, messages: 0, garbled: 0, lastGarbled: '' };

  constructor(options: YahooStreamOptions) {
    this.options = options;
    this.backoff = options.backoff ?? new Backoff({ baseMs: 1_000, maxMs: 120_000 });
    this.now = options.now ?? Date.now;
  }

  get state(): StreamState {
    return this.stateValue;
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
      if (added.length) this.send({ subscribe: added });
      if (removed.length) this.send({ unsubscribe: removed });
    } else if (this.stateValue.kind === 'idle') this.connect();
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
    const socket = new WebSocket(this.options.url ?? YAHOO_STREAM_URL, {
      handshakeTimeout: this.options.handshakeTimeoutMs ?? 10_000,
      maxPayload: 64 * 1024,
    });
    this.socket = socket;
    // The first cause wins: terminating a socket raises an error of its own after the real one.
    let failure: string | undefined;
    let awaitingPong = false;
    socket.on('open', () => {
      this.setState({ kind: 'open', since: this.now() });
      this.send({ subscribe: [...this.wanted] });
      this.resubscribeTimer = setInterval(
        () => this.send({ subscribe: [...this.wanted] }),
        this.options.resubscribeMs ?? 15_000,
      );
      this.pingTimer = setInterval(() => {
        if (awaitingPong) {
          failure ??= 'the streamer stopped answering';
          socket.terminate();
          return;
        }
        awaitingPong = true;
        socket.ping();
      }, this.options.pingMs ?? 20_000);
    });
    socket.on('pong', () => (awaitingPong = false));
    socket.on('message', (data, isBinary) => this.receive(isBinary ? undefined : String(data)));
    socket.on('unexpected-response', (_req, res) => {
      failure ??= `the streamer answered HTTP ${res.statusCode}`;
      socket.terminate();
    });
    socket.on('error', (error) => (failure ??= error.message || undefined));
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.clearTimers();
      this.socket = undefined;
      if (this.stopped || this.wanted.size === 0) this.setState({ kind: 'idle' });
      else this.scheduleReconnect(failure ?? 'the streamer closed the connection');
    });
  }

  private receive(frame: string | undefined): void {
    if (frame === undefined) {
      this.garbled('a binary frame');
      return;
    }
    let quote: StreamQuote | typeof NOT_PRICING;
    try {
      quote = decodePricingFrame(frame);
    } catch (error) {
      this.garbled(error instanceof Error ? error.message : String(error));
      return;
    }
    if (quote === NOT_PRICING) return;
    this.counters.messages++;
    this.backoff.reset();
    // Messages may still arrive for a symbol just unsubscribed.
    if (this.wanted.has(quote.symbol)) this.options.onQuote(quote);
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

  private send(message: { subscribe?: string[]; unsubscribe?: string[] }): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
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
    clearInterval(this.resubscribeTimer);
    clearInterval(this.pingTimer);
  }

  private setState(state: StreamState): void {
    this.stateValue = state;
    this.options.onState?.(state);
  }
}
