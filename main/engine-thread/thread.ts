/**
 * The engine's own thread (a worker of `market-monitor serve` and of the desktop app's main
 * process): the sources, the bus, the stream engine and SQLite run here, so the host's thread only
 * serves the WebSocket or the window's IPC. Commands and events cross as structured-clone messages;
 * number columns move without a copy. What only the host can do (the OS keychain, forking the SQL
 * console's processes) is asked of it by message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { MarketMonitor, type MarketMonitorOptions } from '../../engine/app/market-monitor.ts';
import { EncryptedKeyFile } from '../../engine/app/encrypted-key-file.ts';
import { inThreadEndpoint } from '../../engine/app/in-thread-endpoint.ts';
import { cipherOverSyncCalls, queryProcessesOverMessages } from './host-services.ts';
import type { HostMessage, SqlProcessNews, ThreadMessage } from './messages.ts';
import { syncCaller } from './sync-call.ts';
import type { EngineThreadData } from './engine-worker.ts';

const port = parentPort!;
const post = (message: ThreadMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

/** The buffers of an answer's typed arrays (a history's columns): handed over, not copied. */
function buffersOf(output: unknown): ArrayBuffer[] {
  if (output === null || typeof output !== 'object') return [];
  return Object.values(output).flatMap((value) =>
    ArrayBuffer.isView(value) && value.buffer instanceof ArrayBuffer && value.byteOffset === 0 ? [value.buffer] : [],
  );
}

/** The app's options: the host's plain ones, and stand-ins for the services the host keeps. */
function appOptions(data: EngineThreadData, sqlNews: Set<(message: SqlProcessNews) => void>): MarketMonitorOptions {
  const options: MarketMonitorOptions = { ...data.options, log: (line) => post({ type: 'log', line }) };
  if (data.keysFile)
    options.secrets = new EncryptedKeyFile(data.keysFile, cipherOverSyncCalls(syncCaller(data.sync, post)));
  if (data.sqlProcesses) options.sqlProcesses = queryProcessesOverMessages(post, (listener) => sqlNews.add(listener));
  return options;
}

async function run(): Promise<void> {
  const data = workerData as EngineThreadData;
  const sqlNews = new Set<(message: SqlProcessNews) => void>();
  let app: MarketMonitor;
  try {
    app = await MarketMonitor.open(appOptions(data, sqlNews));
  } catch (error) {
    const { name, code } = error as { name?: unknown; code?: unknown };
    post({
      type: 'failed',
      message: error instanceof Error ? error.message : String(error),
      ...(typeof name === 'string' ? { name } : {}),
      ...(typeof code === 'string' ? { code } : {}),
    });
    return;
  }
  const endpoint = inThreadEndpoint(app);
  endpoint.subscribe((event, payload) => post({ type: 'event', event, payload }));
  port.on('message', (message: HostMessage) => {
    switch (message.type) {
      case 'close':
        void app.close().finally(() => post({ type: 'closed' }));
        return;
      case 'call':
        void endpoint.call(message.name, message.input).then((result) => {
          const transfer = result.ok ? [...new Set(buffersOf(result.output))] : [];
          try {
            post({ type: 'result', id: message.id, result }, transfer);
          } catch (error) {
            // An answer that cannot cross to the host fails that call, not the engine.
            const failure = `The answer could not be sent: ${error instanceof Error ? error.message : String(error)}`;
            post({
              type: 'result',
              id: message.id,
              result: { ok: false, error: { code: 'failed', message: failure } },
            });
          }
        });
        return;
      default:
        for (const listener of sqlNews) listener(message);
    }
  });
  post({ type: 'ready' });
}

void run();
