/**
 * The engine's own thread (a worker of `market-monitor serve`): the sources, the bus, the stream
 * engine and SQLite run here, so the host thread only serves HTTP and the WebSocket. Commands and
 * events cross as structured-clone messages; number columns move without a copy.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { MarketMonitor, type MarketMonitorOptions } from '../../engine/app/market-monitor.ts';
import { inThreadEndpoint } from '../../engine/app/in-thread-endpoint.ts';
import type { HostMessage, ThreadMessage } from './engine-thread-messages.ts';

const port = parentPort!;
const post = (message: ThreadMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

/** The buffers of an answer's typed arrays (a history's columns): handed over, not copied. */
function buffersOf(output: unknown): ArrayBuffer[] {
  if (output === null || typeof output !== 'object') return [];
  return Object.values(output).flatMap((value) =>
    ArrayBuffer.isView(value) && value.buffer instanceof ArrayBuffer && value.byteOffset === 0 ? [value.buffer] : [],
  );
}

try {
  const app = await MarketMonitor.open(workerData as MarketMonitorOptions);
  const endpoint = inThreadEndpoint(app);
  endpoint.subscribe((event, payload) => post({ type: 'event', event, payload }));
  port.on('message', (message: HostMessage) => {
    if (message.type === 'close') {
      void app.close().finally(() => post({ type: 'closed' }));
      return;
    }
    void endpoint.call(message.name, message.input).then((result) => {
      const transfer = result.ok ? [...new Set(buffersOf(result.output))] : [];
      post({ type: 'result', id: message.id, result }, transfer);
    });
  });
  post({ type: 'ready' });
} catch (error) {
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
}
