/** The tray's one-glance summary of the pipeline: is data flowing in? */
import type { Status } from '../../engine/api/contract.ts';

export type ConnectionState = 'live' | 'degraded' | 'offline';

export interface TrayLook {
  state: ConnectionState;
  tooltip: string;
}

const DEGRADED_SOURCE = new Set(['starting', 'paused', 'delayed', 'rate-limited']);

export function connectionState(status: Status | undefined): TrayLook {
  if (!status) return { state: 'offline', tooltip: 'Market Monitor: starting' };
  const source = `${status.source.kind}: ${status.source.state}`;
  const bus =
    status.bus.kind === 'kafka' ? `Kafka ${status.bus.connected ? 'connected' : 'disconnected'}` : 'in-process bus';
  const tooltip = `Market Monitor: ${source}, ${bus}`;
  if (!status.bus.connected || ['offline', 'error', 'stopped'].includes(status.source.state)) {
    return { state: 'offline', tooltip };
  }
  if (DEGRADED_SOURCE.has(status.source.state) || status.bus.error) return { state: 'degraded', tooltip };
  return { state: 'live', tooltip };
}
