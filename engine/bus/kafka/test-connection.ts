import type { KafkaSettings } from '../../domain/bus-settings.ts';
import { checkTlsCaFile, createKafkaClient, describeKafkaError } from './kafka-client.ts';

export type KafkaConnectionReport =
  | { ok: true; brokers: string[]; controller: number | null; clusterId: string; topics: string[]; tookMs: number }
  | { ok: false; error: string; tookMs: number };

/** Settings > Kafka > Test connection: what the cluster says about itself, or why it could not be reached. */
export async function testKafkaConnection(settings: KafkaSettings, timeoutMs = 8_000): Promise<KafkaConnectionReport> {
  const started = Date.now();
  const caProblem = checkTlsCaFile(settings);
  if (caProblem)
    return { ok: false, error: `TLS certificate authority ${settings.tlsCaFile}: ${caProblem}`, tookMs: 0 };
  const client = createKafkaClient(settings, { connectionTimeoutMs: Math.min(timeoutMs, 5_000) });
  const admin = client.admin({ retry: { retries: 1, initialRetryTime: 200 } });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    const report = await Promise.race([
      (async () => {
        await admin.connect();
        const cluster = await admin.describeCluster();
        const topics = (await admin.listTopics()).filter((t) => !t.startsWith('__')).sort();
        return { cluster, topics };
      })(),
      timeout,
    ]);
    return {
      ok: true,
      brokers: report.cluster.brokers.map((b) => `${b.host}:${b.port}`),
      controller: report.cluster.controller,
      clusterId: report.cluster.clusterId,
      topics: report.topics,
      tookMs: Date.now() - started,
    };
  } catch (error) {
    return {
      ok: false,
      error: `Could not reach Kafka at ${settings.brokers.join(', ')}: ${describeKafkaError(error)}`,
      tookMs: Date.now() - started,
    };
  } finally {
    clearTimeout(timer);
    await admin.disconnect().catch(() => undefined);
  }
}
