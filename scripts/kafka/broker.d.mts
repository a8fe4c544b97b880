// Types for broker.mjs (plain JavaScript), so that TypeScript tests can import it.

export declare const POM_PATH: string;
export declare const KAFKA_VERSION: string;
export declare const DEFAULT_CACHE_DIR: string;

export interface EnsureKafkaJarsOptions {
  /** Default ~/.cache/market-monitor/kafka-<version> (or $MARKET_MONITOR_KAFKA_CACHE). */
  cacheDir?: string | undefined;
}

/** Resolves the broker's jars with Maven once; returns the folder holding them. */
export declare function ensureKafkaJars(opts?: EnsureKafkaJarsOptions): Promise<string>;

export interface StartKafkaBrokerOptions {
  /** Created if missing; a temporary folder if omitted. Reused without formatting if already formatted. */
  dataDir?: string | undefined;
  /** Client port on 127.0.0.1; a free one if omitted. */
  port?: number | undefined;
  /** KRaft controller port on 127.0.0.1; a free one if omitted. */
  controllerPort?: number | undefined;
  /** Where server.log goes; default <dataDir>/logs. */
  logDir?: string | undefined;
  /** num.partitions (default 1). */
  partitions?: number | undefined;
  cacheDir?: string | undefined;
  libDir?: string | undefined;
  /** Readiness timeout, default 90 000 ms. */
  timeoutMs?: number | undefined;
  /** Extra server.properties entries. */
  config?: Record<string, string | number | boolean> | undefined;
  /** SCRAM credentials written when the storage is formatted, e.g. { mechanism: 'SCRAM-SHA-256', name, password }. */
  scramUsers?: Array<{ mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; name: string; password: string }> | undefined;
}

export interface KafkaBroker {
  /** ['127.0.0.1:PORT'], for kafkajs `brokers`. */
  brokers: string[];
  port: number;
  controllerPort: number;
  dataDir: string;
  logDir: string;
  logFile: string;
  clusterId: string;
  pid: number | undefined;
  /** Options that start a broker on the same data and ports. */
  options: StartKafkaBrokerOptions;
  /** Resolves when the java process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after 20 s; resolves once the process has exited. */
  stop(): Promise<void>;
  /** SIGKILL at once. */
  kill(): void;
}

export declare function startKafkaBroker(opts?: StartKafkaBrokerOptions): Promise<KafkaBroker>;
/** Stops `prev` (if running) and starts a broker on its dataDir and ports. */
export declare function restartKafkaBroker(
  prev: KafkaBroker,
  overrides?: StartKafkaBrokerOptions,
): Promise<KafkaBroker>;
export declare function freePort(avoid?: number[]): Promise<number>;
export declare function isPortFree(port: number): Promise<boolean>;
