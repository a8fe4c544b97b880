import type { Status } from '../../../engine/api/contract.ts';
import type { ConnectionState } from '../api/client.ts';
import { formatInteger, formatRate } from '../format.ts';

interface Props {
  status: Status | undefined;
  connection: ConnectionState;
  onTogglePause: () => void;
}

export function StatusBar({ status, connection, onTogglePause }: Props) {
  if (connection !== 'open' || !status) {
    return (
      <footer className="status-bar" data-testid="status-bar">
        <span className={`dot ${connection === 'closed' ? 'bad' : 'warn'}`} />
        {connection === 'closed' ? 'Disconnected from the engine, reconnecting…' : 'Connecting to the engine…'}
      </footer>
    );
  }
  const lag = status.bus.partitions.reduce((sum, p) => sum + p.lag, 0);
  const sourceOk = status.source.state === 'live';
  return (
    <footer className="status-bar" data-testid="status-bar">
      <span title={status.source.message} data-testid="status-source">
        <span className={`dot ${sourceOk ? 'ok' : 'warn'}`} />
        Source: {status.source.kind} · {status.source.state}
        {status.source.mode && ` · ${status.source.mode}`}
      </span>
      <button className="link" onClick={onTogglePause}>
        {status.source.state === 'paused' ? 'Resume' : 'Pause'}
      </button>
      {status.mode === 'viewer' && status.viewer ? (
        <span
          data-testid="status-viewer"
          title={status.viewer.error ?? `Reading ${status.viewer.topics.join(', ')}: candles computed by the engines`}
        >
          <span className={`dot ${status.viewer.connected ? 'ok' : 'warn'}`} />
          Viewer mode · {status.viewer.topics.length} candle topics · {formatInteger(status.viewer.consumed)} read · lag{' '}
          {formatInteger(status.viewer.lag)}
        </span>
      ) : (
        <span data-testid="status-bus" title={status.bus.error ?? `Topic ${status.bus.topic}`}>
          Bus: {status.bus.kind} · {status.bus.partitions.length} partitions · lag {formatInteger(lag)}
        </span>
      )}
      <span data-testid="status-rate">{formatRate(status.engine.ticksPerSecond)} ticks/s</span>
      <span title="Ticks accepted / too late / invalid">
        {formatInteger(status.engine.accepted)} ticks
        {status.engine.late > 0 && ` · ${formatInteger(status.engine.late)} late`}
        {status.engine.invalid > 0 && ` · ${formatInteger(status.engine.invalid)} invalid`}
      </span>
      {status.engine.listenerErrors.length > 0 && (
        <span
          data-testid="status-listeners"
          title={status.engine.listenerErrors.map((f) => `${f.name}: ${f.lastMessage}`).join('\n')}
        >
          <span className="dot warn" />
          {status.engine.listenerErrors.map((f) => f.name).join(', ')} failed after commit (ticks still stored)
        </span>
      )}
    </footer>
  );
}
