import fs from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import kafkajs, { type ConsumerConfig, type KafkaConfig, type SASLOptions } from 'kafkajs';
import type { KafkaSettings } from '../../domain/bus-settings.ts';

const { Kafka, logLevel } = kafkajs;

export type KafkaClient = InstanceType<typeof Kafka>;

/** The kafkajs client for the user's settings: brokers, TLS and SASL, with quiet logs. */
export function createKafkaClient(settings: KafkaSettings, opts: { connectionTimeoutMs?: number } = {}): KafkaClient {
  return new Kafka(kafkaConfig(settings, opts.connectionTimeoutMs));
}

/**
 * A group consumer of the app's: its session and heartbeat from the settings, and a crash restarts
 * it (what it stored says where to resume) until `closing` says its owner is letting go. Without
 * that, kafkajs restarts a consumer whose crash came during or after its disconnect, and the zombie
 * goes on consuming for an owner that is gone.
 */
export function groupConsumerConfig(settings: KafkaSettings, groupId: string, closing: () => boolean): ConsumerConfig {
  return {
    groupId,
    sessionTimeout: settings.sessionTimeoutMs,
    heartbeatInterval: Math.max(100, Math.floor(settings.sessionTimeoutMs / 10)),
    // kafkajs heartbeats between fetches: an idle long poll longer than the session would get
    // this member thrown out of the group, and two idle members would take turns evicting each other.
    maxWaitTimeInMs: Math.min(1_000, Math.floor(settings.sessionTimeoutMs / 4)),
    allowAutoTopicCreation: false,
    retry: {
      retries: Number.MAX_SAFE_INTEGER,
      initialRetryTime: 300,
      maxRetryTime: 5_000,
      restartOnFailure: async () => !closing(),
    },
  };
}

export function kafkaConfig(settings: KafkaSettings, connectionTimeoutMs = 5_000): KafkaConfig {
  return {
    clientId: settings.clientId,
    brokers: settings.brokers,
    connectionTimeout: connectionTimeoutMs,
    requestTimeout: 30_000,
    // The app keeps its own buffer and retries forever; kafkajs' own retries only smooth short blips.
    retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 5_000 },
    // MARKET_MONITOR_KAFKA_LOG=info (or debug) shows kafkajs' own log when a cluster misbehaves.
    logLevel: kafkaLogLevel(process.env.MARKET_MONITOR_KAFKA_LOG),
    ...(settings.tls ? { ssl: tlsOptions(settings) } : {}),
    ...(settings.sasl.mechanism === 'none' ? {} : { sasl: saslOptions(settings.sasl) }),
  };
}

function tlsOptions(settings: KafkaSettings): ConnectionOptions {
  const options: ConnectionOptions = { rejectUnauthorized: settings.tlsRejectUnauthorized };
  // An unreadable CA file leaves verification on with the system's authorities: the connection
  // then fails with a certificate error, and Settings names the file (checkTlsCaFile).
  if (settings.tlsCaFile && checkTlsCaFile(settings) === undefined) {
    options.ca = [fs.readFileSync(settings.tlsCaFile, 'utf8')];
  }
  return options;
}

/** Why the TLS certificate authority file cannot be used, or undefined when it can (or none is set). */
export function checkTlsCaFile(settings: KafkaSettings): string | undefined {
  if (!settings.tls || !settings.tlsCaFile) return undefined;
  try {
    const pem = fs.readFileSync(settings.tlsCaFile, 'utf8');
    return pem.includes('-----BEGIN CERTIFICATE-----') ? undefined : 'not a PEM certificate file';
  } catch (error) {
    return `cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
  }
}

function kafkaLogLevel(name: string | undefined): (typeof logLevel)[keyof typeof logLevel] {
  if (name === 'debug') return logLevel.DEBUG;
  if (name === 'info') return logLevel.INFO;
  if (name === 'warn') return logLevel.WARN;
  if (name === 'error') return logLevel.ERROR;
  return logLevel.NOTHING;
}

function saslOptions(sasl: KafkaSettings['sasl']): SASLOptions {
  const { username, password } = sasl;
  if (sasl.mechanism === 'plain') return { mechanism: 'plain', username, password };
  if (sasl.mechanism === 'scram-sha-256') return { mechanism: 'scram-sha-256', username, password };
  return { mechanism: 'scram-sha-512', username, password };
}

/** A kafkajs error as a sentence for the status bar: its message and, where there is one, its cause. */
export function describeKafkaError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const base = error.message || error.name;
  return cause instanceof Error && cause.message && !base.includes(cause.message) ? `${base} (${cause.message})` : base;
}
