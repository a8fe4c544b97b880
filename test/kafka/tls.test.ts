// Remote clusters speak TLS: a real broker with an SSL listener and a certificate made here by
// keytool. Verification on with the cluster's CA file works; without it the certificate is refused.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testKafkaConnection } from '../../engine/bus/kafka/test-connection.ts';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import { KafkaSettingsSchema, type KafkaSettingsInput } from '../../engine/domain/bus-settings.ts';
import { freePort, startKafkaBroker, type KafkaBroker } from '../../scripts/kafka/broker.mjs';
import { tempDir } from '../unit/helpers.ts';
import { KAFKA_SKIP_REASON } from '../support/kafka.ts';

const PASS = 'test-keystore-pass';

describe.skipIf(KAFKA_SKIP_REASON !== null)(
  `Kafka over TLS${KAFKA_SKIP_REASON ? ` (skipped: ${KAFKA_SKIP_REASON})` : ''}`,
  { timeout: 120_000 },
  () => {
    let broker: KafkaBroker;
    let tlsAddress: string;
    const dirs = tempDir('mm-kafka-tls-');
    const keystore = path.join(dirs.dir, 'broker.p12');
    const caFile = path.join(dirs.dir, 'ca.pem');

    beforeAll(async () => {
      const keytool = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'keytool') : 'keytool';
      execFileSync(keytool, [
        ...['-genkeypair', '-alias', 'broker', '-keyalg', 'RSA', '-keysize', '2048', '-validity', '2'],
        ...['-dname', 'CN=127.0.0.1', '-ext', 'SAN=IP:127.0.0.1', '-storetype', 'PKCS12'],
        ...['-keystore', keystore, '-storepass', PASS, '-keypass', PASS],
      ]);
      execFileSync(keytool, [
        '-exportcert',
        '-rfc',
        '-alias',
        'broker',
        '-keystore',
        keystore,
        '-storepass',
        PASS,
        '-file',
        caFile,
      ]);
      const port = await freePort();
      const tlsPort = await freePort([port]);
      const controllerPort = await freePort([port, tlsPort]);
      tlsAddress = `127.0.0.1:${tlsPort}`;
      broker = await startKafkaBroker({
        dataDir: path.join(dirs.dir, 'data'),
        port,
        controllerPort,
        config: {
          listeners: `PLAINTEXT://127.0.0.1:${port},SSL://${tlsAddress},CONTROLLER://127.0.0.1:${controllerPort}`,
          'advertised.listeners': `PLAINTEXT://127.0.0.1:${port},SSL://${tlsAddress}`,
          'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SSL:SSL,CONTROLLER:PLAINTEXT',
          'ssl.keystore.type': 'PKCS12',
          'ssl.keystore.location': keystore,
          'ssl.keystore.password': PASS,
          'ssl.key.password': PASS,
        },
      });
    }, 180_000);

    afterAll(async () => {
      await broker?.stop();
      dirs.cleanup();
    }, 60_000);

    const settings = (input: Partial<KafkaSettingsInput>) =>
      KafkaSettingsSchema.parse({ brokers: [tlsAddress], tls: true, ...input });

    it('connects with verification on when given the cluster’s CA file', async () => {
      expect(await testKafkaConnection(settings({ tlsCaFile: caFile }))).toMatchObject({
        ok: true,
        brokers: [tlsAddress],
      });
    });

    it('refuses the self-signed certificate without the CA file, and connects only when told not to verify', async () => {
      const refused = await testKafkaConnection(settings({}));
      expect(refused.ok).toBe(false);
      expect(refused.ok ? '' : refused.error).toMatch(/certificate/i);
      expect(await testKafkaConnection(settings({ tlsRejectUnauthorized: false }))).toMatchObject({ ok: true });
    });

    it('names an unusable CA file at its field and keeps the saved settings', async () => {
      const app = await MarketMonitor.open({ dbPath: path.join(dirs.dir, 'app.db') });
      try {
        const before = app.settings;
        const next = {
          ...before,
          bus: {
            ...before.bus,
            kind: 'kafka' as const,
            kafka: { ...before.bus.kafka, ...settings({ tlsCaFile: path.join(dirs.dir, 'missing.pem') }) },
          },
        };
        await expect(app.updateSettings(next)).rejects.toMatchObject({
          issues: [
            expect.objectContaining({ path: ['bus', 'kafka', 'tlsCaFile'], message: expect.stringMatching(/ENOENT/) }),
          ],
        });
        expect(app.settings).toEqual(before);
        fs.writeFileSync(path.join(dirs.dir, 'not.pem'), 'hello');
        expect(await testKafkaConnection(settings({ tlsCaFile: path.join(dirs.dir, 'not.pem') }))).toMatchObject({
          ok: false,
          error: expect.stringMatching(/not a PEM certificate/),
        });
      } finally {
        await app.close();
      }
    });
  },
);
