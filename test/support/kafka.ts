import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { restartKafkaBroker, startKafkaBroker, type KafkaBroker } from '../../scripts/kafka/broker.mjs';

export type { KafkaBroker };

/** Why Kafka tests are skipped, or null when they run. Set MARKET_MONITOR_SKIP_KAFKA=1 to skip them. */
export const KAFKA_SKIP_REASON: string | null =
  process.env.MARKET_MONITOR_SKIP_KAFKA === '1' ? 'MARKET_MONITOR_SKIP_KAFKA=1 is set' : null;

export interface TestKafka extends KafkaBroker {
  /** Stops the broker (if running) and deletes its temporary data directory. */
  cleanup(): Promise<void>;
}

/**
 * A real Kafka broker on a free 127.0.0.1 port, with its data in a fresh temporary directory.
 * Returns null only when MARKET_MONITOR_SKIP_KAFKA=1 (callers skip with KAFKA_SKIP_REASON);
 * otherwise a broker that cannot start (no Java, no Maven, jars not resolvable...) throws.
 */
export async function startTestKafka(
  opts: { partitions?: number; config?: Record<string, string | number | boolean> } = {},
): Promise<TestKafka | null> {
  if (KAFKA_SKIP_REASON) return null;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-test-kafka-'));
  try {
    return withCleanup(await startKafkaBroker({ dataDir, partitions: opts.partitions ?? 1, config: opts.config }));
  } catch (e) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
}

/** Stops `prev` and starts it again on the same data and ports. */
export async function restartTestKafka(prev: TestKafka): Promise<TestKafka> {
  return withCleanup(await restartKafkaBroker(prev));
}

function withCleanup(broker: KafkaBroker): TestKafka {
  return {
    ...broker,
    async cleanup() {
      await broker.stop();
      fs.rmSync(broker.dataDir, { recursive: true, force: true });
    },
  };
}
