// The mirror's own storage failing under it (no InfluxDB needed): the engine must not crash.
import { afterEach, describe, expect, it } from 'vitest';
import { InfluxSettingsSchema } from '../../engine/domain/influx-settings.ts';
import { InfluxMirror } from '../../engine/sinks/influx/mirror.ts';
import { openDatabase } from '../../engine/store/database.ts';
import { until } from '../unit/helpers.ts';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
  unhandled.length = 0;
});

describe('InfluxMirror when its spill table fails', () => {
  it('reports the failure in its status and keeps retrying instead of rejecting a promise nobody awaits', async () => {
    process.on('unhandledRejection', onUnhandled);
    const db = openDatabase(':memory:');
    const settings = InfluxSettingsSchema.parse({
      enabled: true,
      url: 'http://127.0.0.1:9',
      db: 'mm',
      batchSize: 2,
      flushIntervalMs: 50,
    });
    const mirror = new InfluxMirror({ settings, db });
    // What a locked or damaged database does to the spill table's statements, made permanent.
    db.exec('DROP TABLE influx_spill');
    const tick = (ts: number) => ({ symbol: 'AAPL', ts, price: 1, volume: 1, source: 'simulator' as const });
    mirror.offer([tick(1), tick(2)], []);
    await until(() => mirror.status().state !== 'ok', 'the failure in the status', 2_000);
    expect(mirror.status().lastError).toMatch(/influx_spill/);
    await new Promise((resolve) => setTimeout(resolve, 200)); // a few flush timer rounds
    expect(unhandled).toEqual([]);
    await mirror.close(50);
    db.close();
  });
});
