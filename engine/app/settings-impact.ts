import { isDeepStrictEqual } from 'node:util';
import type { Settings } from '../domain/settings.ts';

/**
 * The parts of the pipeline a settings change has to rebuild. The core (bus, engine, InfluxDB
 * mirror) carries open windows and offsets; the source carries each symbol's simulated market or
 * Yahoo session. Anything else (theme, storage retention, which is read at each run) rebuilds
 * nothing.
 */
export interface RebuildPlan {
  /** Bus, tick processor and mirror; the source is restarted with them, since it publishes into the bus. */
  core: boolean;
  source: boolean;
}

export function rebuildPlan(before: Settings, after: Settings): RebuildPlan {
  const core =
    !isDeepStrictEqual(before.bus, after.bus) ||
    !isDeepStrictEqual(before.stream, after.stream) ||
    !isDeepStrictEqual(before.influx, after.influx);
  const source = core || !isDeepStrictEqual(sourceInUse(before), sourceInUse(after));
  return { core, source };
}

/** The source's kind and its own settings: a replay file changed while the simulator runs changes nothing. */
function sourceInUse(settings: Settings): unknown {
  const { kind } = settings.source;
  return { kind, settings: settings.source[kind] };
}
