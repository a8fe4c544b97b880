import type { Settings } from '../domain/settings.ts';
import type { SinkStatus } from '../domain/sink-status.ts';
import { InfluxMirror, INFLUX_SINK, mirrorOffStatus } from '../sinks/influx/mirror.ts';
import type { Sink } from '../sinks/sink.ts';
import type { SqliteDatabase } from '../store/database.ts';

/** What a sink may be built from: the settings and the database it keeps its backlog in. */
export interface SinkContext {
  settings: Settings;
  db: SqliteDatabase;
}

/** A kind of sink: how to build it from settings, and what the status says while it is off. */
export interface SinkPlugin {
  kind: string;
  /** The sink these settings ask for, or undefined while it is switched off. */
  create(context: SinkContext): Sink | undefined;
  offStatus(): SinkStatus;
}

/** Every sink the app can mirror to, in the order the status lists them. A new sink is one line here. */
export const SINKS: readonly SinkPlugin[] = [
  {
    kind: INFLUX_SINK.kind,
    create: ({ settings, db }) =>
      settings.influx.enabled ? new InfluxMirror({ settings: settings.influx, db }) : undefined,
    offStatus: mirrorOffStatus,
  },
];

/** The sinks the settings switch on. */
export function createSinks(context: SinkContext): Sink[] {
  return SINKS.flatMap((plugin) => plugin.create(context) ?? []);
}

/** One entry per known sink: the running one's status, or its "off" entry. */
export function sinkStatuses(running: readonly Sink[]): SinkStatus[] {
  return SINKS.map((plugin) => running.find((sink) => sink.kind === plugin.kind)?.status() ?? plugin.offStatus());
}
