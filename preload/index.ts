/**
 * The preload bridge: exposes the contract's call and event stream to the renderer, nothing else.
 * Runs sandboxed, so it may import only 'electron' and is bundled to one CommonJS file.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_CALL, IPC_EVENT } from './channels.ts';

type EventListener = (event: string, payload: unknown) => void;

contextBridge.exposeInMainWorld('marketMonitor', {
  // The main process validates again (sender frame, contract schemas); these guards only keep
  // obviously wrong calls from crossing the bridge at all.
  call: (name: string, input: unknown) =>
    typeof name === 'string' ? ipcRenderer.invoke(IPC_CALL, name, input) : Promise.reject(new TypeError('name')),
  onEvent: (listener: EventListener) => {
    if (typeof listener !== 'function') throw new TypeError('listener');
    const wrapped = (_e: IpcRendererEvent, event: string, payload: unknown) => listener(event, payload);
    ipcRenderer.on(IPC_EVENT, wrapped);
    return () => ipcRenderer.removeListener(IPC_EVENT, wrapped);
  },
});
