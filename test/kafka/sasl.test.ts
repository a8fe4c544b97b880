// Remote clusters ask for credentials: the same bus and the connection test over SASL PLAIN and
// SCRAM, against a real broker with a SASL listener beside its plain one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testKafkaConnection } from '../../engine/bus/kafka/test-connection.ts';
import { KafkaSettingsSchema, type KafkaSettings } from '../../engine/domain/bus-settings.ts';
import { freePort, startKafkaBroker, type KafkaBroker } from '../../scripts/kafka/broker.mjs';
import { storedCandles, tempDir } from '../unit/helpers.ts';
import { KAFKA_SKIP_REASON } from '../support/kafka.ts';
import { kafkaEngine, referenceCandles, storedOffsets, waitFor } from './support/engine.ts';
import { tickStream } from './support/ticks.ts';

const USERS = {
  plain: { name: 'alice', password: 'plain-secret' },
  scram: { name: 'bob', password: 'scram-secret' },
};

describe.skipIf(KAFKA_SKIP_REASON !== null)(
  `Kafka over SASL${KAFKA_SKIP_REASON ? ` (skipped: ${KAFKA_SKIP_REASON})` : ''}`,
  { timeout: 120_000 },
  () => {
    let broker: KafkaBroker;
    let saslAddress: string;
    const dirs = tempDir('mm-kafka-sasl-');
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-kafka-sasl-data-'));

    beforeAll(async () => {
      const port = await freePort();
      const saslPort = await freePort([port]);
      const controllerPort = await freePort([port, saslPort]);
      saslAddress = `127.0.0.1:${saslPort}`;
      const scramLogin = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
      broker = await startKafkaBroker({
        dataDir,
        port,
        controllerPort,
        scramUsers: [
          { mechanism: 'SCRAM-SHA-256', ...USERS.scram },
          { mechanism: 'SCRAM-SHA-512', ...USERS.scram },
        ],
        config: {
          listeners: `PLAINTEXT://127.0.0.1:${port},SASL_PLAINTEXT://${saslAddress},CONTROLLER://127.0.0.1:${controllerPort}`,
          'advertised.listeners': `PLAINTEXT://127.0.0.1:${port},SASL_PLAINTEXT://${saslAddress}`,
          'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT',
          'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
          'listener.name.sasl_plaintext.plain.sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required user_${USERS.plain.name}="${USERS.plain.password}";`,
          'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config': scramLogin,
          'listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config': scramLogin,
        },
      });
    }, 180_000);

    afterAll(async () => {
      await broker?.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
      dirs.cleanup();
    }, 60_000);

    const settings = (sasl: Partial<KafkaSettings['sasl']>): KafkaSettings =>
      KafkaSettingsSchema.parse({ brokers: [saslAddress], sasl });

    it('tests the connection with PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 credentials', async () => {
      for (const sasl of [
        { mechanism: 'plain' as const, username: USERS.plain.name, password: USERS.plain.password },
        { mechanism: 'scram-sha-256' as const, username: USERS.scram.name, password: USERS.scram.password },
        { mechanism: 'scram-sha-512' as const, username: USERS.scram.name, password: USERS.scram.password },
      ]) {
        const report = await testKafkaConnection(settings(sasl));
        expect(report, sasl.mechanism).toMatchObject({ ok: true, brokers: [saslAddress] });
      }
    });

    it('says the credentials were refused, not that the network failed', async () => {
      const report = await testKafkaConnection(
        settings({ mechanism: 'scram-sha-256', username: USERS.scram.name, password: 'wrong' }),
      );
      expect(report.ok).toBe(false);
      expect(report.ok ? '' : report.error).toMatch(/SASL|[Aa]uthentication/);
    });

    it('carries ticks over SASL into the same candles as the in-process bus', async () => {
      const ticks = tickStream(2_000, 31);
      const topic = 'sasl.ticks';
      const e = kafkaEngine({
        dbFile: path.join(dirs.dir, 'sasl.db'),
        brokers: [saslAddress],
        topic,
        groupId: 'sasl-group',
        sasl: { mechanism: 'plain', username: USERS.plain.name, password: USERS.plain.password },
      });
      try {
        await e.bus.subscribe(e.processor);
        await e.bus.publish(ticks);
        await waitFor(
          () => storedOffsets(e.db, 'sasl-group', topic),
          (n) => n >= ticks.length,
          'all ticks',
          60_000,
        );
        expect(storedCandles(e.db)).toEqual(await referenceCandles(ticks));
      } finally {
        await e.close();
      }
    });
  },
);
