import { describe, expect, it } from 'vitest';
import { SINKS, sinkStatuses } from '../../engine/app/sink-registry.ts';
import { SOURCES } from '../../engine/app/source-registry.ts';
import type { Candle } from '../../engine/domain/candle.ts';
import type { SinkStatus } from '../../engine/domain/sink-status.ts';
import { TickSourceKindSchema, type Tick } from '../../engine/domain/tick.ts';
import type { Sink } from '../../engine/sinks/sink.ts';
import { scratch } from './helpers.ts';

const { open, dbFile } = scratch();

/** A sink that keeps what it is offered: the registry and fan-out are what is under test here. */
class KeepingSink implements Sink {
  readonly kind = 'influx';
  readonly name = 'kept';
  readonly ticks: Tick[] = [];
  readonly candles: Candle[] = [];
  offer(ticks: readonly Tick[], candles: readonly Candle[]): void {
    this.ticks.push(...ticks);
    this.candles.push(...candles);
  }
  status(): SinkStatus {
    return {
      kind: this.kind,
      name: this.name,
      state: 'ok',
      target: 'memory',
      buffered: 0,
      spilled: 0,
      dropped: 0,
      written: this.ticks.length,
    };
  }
  close = async () => undefined;
}

describe('the source and sink registries', () => {
  it('has a factory for every kind of source ticks can name', () => {
    expect(Object.keys(SOURCES).sort()).toEqual([...TickSourceKindSchema.options].sort());
  });

  it('lists every known sink in the status, off with how to switch it on while the settings leave it off', async () => {
    const app = await open({ dbPath: dbFile(), overrides: { source: { kind: 'simulator' } }, statusEveryMs: 60_000 });
    const sinks = app.status().sinks;
    expect(sinks.map((s) => s.kind)).toEqual(SINKS.map((p) => p.kind));
    expect(sinks[0]).toMatchObject({ kind: 'influx', name: 'InfluxDB mirror', state: 'off' });
    expect(sinks[0]!.hint).toContain('Settings');
  });

  it('shows a running sink by its own status, in the registry’s place for its kind', () => {
    const running = new KeepingSink();
    expect(sinkStatuses([running])).toEqual([running.status()]);
  });

  it('the simulator’s companion makes up a profile for a watched symbol that has none', async () => {
    const app = await open({
      dbPath: dbFile(),
      overrides: { source: { kind: 'simulator', simulator: { ticksPerSecond: 1 } } },
      statusEveryMs: 60_000,
    });
    app.addSymbol('ZZTOP');
    expect(app.companies.get('ZZTOP')).toMatchObject({ symbol: 'ZZTOP', simulated: true });
  });
});
