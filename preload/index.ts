/**
 * The preload bridge: exposes the contract's call and event stream to the renderer, nothing else.
 * Runs sandboxed, so it may import only 'electron' and is bundled to one CommonJS file.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_CALL, IPC_EVENT } from './channels.ts';

type EventListener = (event: string, payload: unknown) => void;

contextBridge.exposeInMainWorld('marketMonitor', {
  call: (name: string, input: unknown) => ipcRenderer.invoke(IPC_CALL, name, input),
  onEvent: (listener: EventListener) => {
    const wrapped = (_e: IpcRendererEvent, event: string, payload: unknown) => listener(event, payload);
    ipcRenderer.on(IPC_EVENT, wrapped);
    return () => ipcRenderer.removeListener(IPC_EVENT, wrapped);
  },
});
