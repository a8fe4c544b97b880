/** IPC channel names shared by the preload bridge and the Electron main process. */
export const IPC_CALL = 'market-monitor:call';
export const IPC_EVENT = 'market-monitor:event';
