/**
 * The one IPC door: every call is checked for its sender frame, then handed to the engine, whose
 * dispatcher refuses unknown commands and validates the input against the contract's zod schemas.
 * Written against the shape of Electron's invoke event (not the class), so tests drive it with
 * plain objects.
 */
import type { CallResult } from '../../engine/api/contract.ts';
import type { EngineEndpoint } from '../../engine/api/endpoint.ts';
import { isTrustedSender } from './policy.ts';

export interface InvokeEventLike {
  senderFrame: { url: string } | null;
  sender: { id: number; mainFrame: unknown };
}

export const REFUSED: CallResult = {
  ok: false,
  error: { code: 'failed', message: 'Refused: the sender is not the app' },
};

export function createCallHandler(
  engine: Pick<EngineEndpoint, 'call'>,
  appWebContentsId: () => number | undefined,
  onRefused?: (frameUrl: string | undefined) => void,
): (event: InvokeEventLike, name: unknown, input: unknown) => Promise<CallResult> {
  return async (event, name, input) => {
    const frame = event.senderFrame;
    const sender = frame && {
      url: frame.url,
      // Identity, not URL: an iframe that loaded app:// too is still not the top frame.
      isMainFrame: frame === event.sender.mainFrame,
      webContentsId: event.sender.id,
    };
    if (!isTrustedSender(sender, appWebContentsId())) {
      onRefused?.(frame?.url);
      return REFUSED;
    }
    return engine.call(name, input);
  };
}
