import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inThreadEndpoint } from '../../engine/app/in-thread-endpoint.ts';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import { REFUSED, createCallHandler, type InvokeEventLike } from '../../main/electron/ipc.ts';
import { APP_ORIGIN } from '../../main/electron/policy.ts';

const APP_WINDOW = 3;
let monitor: MarketMonitor;
let call: ReturnType<typeof createCallHandler>;
const refused = vi.fn();

/** An invoke event as Electron shapes it: the frame, and the WebContents with its own main frame. */
function event(url: string | null, options: { subFrame?: boolean; webContentsId?: number } = {}): InvokeEventLike {
  const mainFrame = { url: url ?? '' };
  const senderFrame = url === null ? null : options.subFrame ? { url } : mainFrame;
  return { senderFrame, sender: { id: options.webContentsId ?? APP_WINDOW, mainFrame } };
}

beforeAll(async () => {
  monitor = await MarketMonitor.open({ dbPath: ':memory:', starterSymbols: ['AAPL'] });
  call = createCallHandler(inThreadEndpoint(monitor), () => APP_WINDOW, refused);
});
afterAll(() => monitor.close());

describe('IPC call handler', () => {
  it('runs a contract command from the app window', async () => {
    const result = await call(event(`${APP_ORIGIN}/index.html`), 'watchlist.list', {});
    expect(result.ok).toBe(true);
    expect(result.ok && (result.output as { symbol: string }[]).map((w) => w.symbol)).toEqual(['AAPL']);
  });

  it('refuses other origins, sub-frames, other windows and destroyed frames before touching the engine', async () => {
    const add = vi.spyOn(monitor, 'addSymbol');
    for (const e of [
      event('https://evil.example/'),
      event('file:///etc/passwd'),
      event(`${APP_ORIGIN}/index.html`, { subFrame: true }),
      event(`${APP_ORIGIN}/index.html`, { webContentsId: 99 }),
      event(null),
    ]) {
      expect(await call(e, 'watchlist.add', { symbol: 'TSLA' })).toEqual(REFUSED);
    }
    expect(add).not.toHaveBeenCalled();
    expect(refused).toHaveBeenCalledWith('https://evil.example/');
    expect(refused).toHaveBeenCalledWith(undefined);
    add.mockRestore();
  });

  it('refuses every call while the app window is not there', async () => {
    const noWindow = createCallHandler(inThreadEndpoint(monitor), () => undefined);
    expect(await noWindow(event(`${APP_ORIGIN}/index.html`), 'watchlist.list', {})).toEqual(REFUSED);
  });

  it("validates every payload against the contract's schemas", async () => {
    const from = event(`${APP_ORIGIN}/index.html`);
    expect(await call(from, 'no.such.command', {})).toMatchObject({ ok: false, error: { code: 'unknown-command' } });
    expect(await call(from, { toString: () => 'watchlist.list' }, {})).toMatchObject({
      ok: false,
      error: { code: 'unknown-command' },
    });
    expect(await call(from, 'watchlist.add', { symbol: 'not a symbol!' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-input', fields: { symbol: expect.any(String) } },
    });
    expect(await call(from, 'watchlist.add', { symbol: 'TSLA', extra: 'smuggled' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-input' },
    });
    expect(await call(from, '__proto__', {})).toMatchObject({ ok: false, error: { code: 'unknown-command' } });
    const added = await call(from, 'watchlist.add', { symbol: 'TSLA' });
    expect(added.ok).toBe(true);
  });
});
