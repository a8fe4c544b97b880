/**
 * The page behind the "100,000 candles into a panel" benchmark, bundled by bench/renderer.bench.ts.
 * It mounts the renderer's real ChartPanel against the headless host's contract; the only change is
 * that its first `candles.history` (and `indicators.series`) may be asked for `limit` candles instead of
 * the panel's own page, so the panel's own load path (fetch, setData of both series, legend, scroll) is
 * what runs.
 */
import { createRoot } from 'react-dom/client';
import type { ApiClient } from '../../renderer/src/api/client.ts';
import { connect } from '../../renderer/src/api/client.ts';
import { ChartPanel } from '../../renderer/src/components/ChartPanel.tsx';

const api = connect();

/**
 * The contract with `limit` candles per request; `onHistory` runs in the animation frame after the
 * panel has handed the answer of `candles.history` to the chart. The panel's own `.then` is queued on
 * the same promise right after ours, so a microtask queued from ours runs after the panel's setData,
 * and the frame requested there comes after the draw that lightweight-charts requested in setData.
 */
function withLimit(limit: number | undefined, onHistory: (drawnAt: number) => void): ApiClient {
  let first = true;
  return {
    ...api,
    call: ((name, input) => {
      if (name === 'candles.history' && first) {
        first = false;
        const answer = api.call(name, { ...(input as object), ...(limit ? { limit } : {}) } as never);
        answer.then(
          () => queueMicrotask(() => requestAnimationFrame(() => onHistory(performance.now()))),
          () => undefined,
        );
        return answer;
      }
      if (name === 'indicators.series' && limit) return api.call(name, { ...(input as object), limit } as never);
      return api.call(name, input);
    }) as ApiClient['call'],
  };
}

declare global {
  interface Window {
    loadBench: {
      /** The raw contract call the panel makes: ms from call to the parsed answer, and how many candles came. */
      fetchOnly(symbol: string, limit: number): Promise<{ ms: number; count: number }>;
      /** The same for `candles.list` (the candles as objects), for comparison. */
      fetchList(symbol: string, limit: number): Promise<{ ms: number; count: number }>;
      /** ms from mounting a ChartPanel to the frame that draws its history; `limit` candles, or the panel's own page. */
      mountPanel(symbol: string, limit?: number): Promise<{ ms: number; canvases: number }>;
    };
  }
}

/** The app's own page (#root) hosts the panel: 1200 x 600 px, like a wide panel on a large screen. */
function panelHost(): HTMLElement {
  let host = document.getElementById('bench-panel');
  if (!host) {
    host = document.createElement('div');
    host.id = 'bench-panel';
    Object.assign(host.style, { width: '1200px', height: '600px', display: 'flex', flexDirection: 'column' });
    (document.getElementById('root') ?? document.body).append(host);
  }
  return host;
}

window.loadBench = {
  async fetchOnly(symbol, limit) {
    const start = performance.now();
    const history = await api.call('candles.history', { symbol, interval: '1m', limit });
    return { ms: performance.now() - start, count: history.start.length };
  },

  async fetchList(symbol, limit) {
    const start = performance.now();
    const candles = await api.call('candles.list', { symbol, interval: '1m', limit });
    return { ms: performance.now() - start, count: candles.length };
  },

  mountPanel(symbol, limit) {
    const host = panelHost();
    host.replaceChildren();
    const mount = document.createElement('div');
    mount.style.height = '100%';
    host.append(mount);
    const root = createRoot(mount);
    return new Promise((resolve) => {
      const t0 = performance.now();
      const onHistory = (drawnAt: number) => {
        const canvases = mount.querySelectorAll('canvas').length;
        resolve({ ms: drawnAt - t0, canvases });
        setTimeout(() => root.unmount(), 100);
      };
      root.render(
        <ChartPanel
          api={withLimit(limit, onHistory)}
          symbol={symbol}
          interval="1m"
          onIntervalChange={() => undefined}
          indicators={false}
          onIndicatorsChange={() => undefined}
          theme="dark"
        />,
      );
    });
  },
};
