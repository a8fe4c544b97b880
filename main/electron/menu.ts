/**
 * The native menu as a template (plain data), so its items and accelerators are tested without
 * Electron; main.ts hands it to Menu.buildFromTemplate.
 */
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  about: () => void;
  openLogsFolder: () => void;
  openDataFolder: () => void;
  openChartsAttribution: () => void;
}

export function menuTemplate(
  platform: NodeJS.Platform,
  actions: MenuActions,
  isPackaged: boolean,
): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const about: MenuItemConstructorOptions = { label: 'About Market Monitor', click: actions.about };
  const folders: MenuItemConstructorOptions[] = [
    { label: 'Open Data Folder', click: actions.openDataFolder },
    { label: 'Open Logs Folder', click: actions.openLogsFolder },
  ];
  const template: MenuItemConstructorOptions[] = [];
  if (mac) {
    template.push({
      label: 'Market Monitor',
      submenu: [
        about,
        { type: 'separator' },
        { role: 'services' },
        { type: 'separator' },
        { role: 'hide', accelerator: 'Command+H' },
        { role: 'hideOthers', accelerator: 'Command+Alt+H' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit', accelerator: 'Command+Q' },
      ],
    });
  }
  template.push(
    {
      label: mac ? 'File' : '&File',
      submenu: [
        ...folders,
        { type: 'separator' },
        mac ? { role: 'close', accelerator: 'Command+W' } : { role: 'quit', label: 'E&xit', accelerator: 'Ctrl+Q' },
      ],
    },
    {
      label: mac ? 'Edit' : '&Edit',
      submenu: [
        { role: 'undo', accelerator: 'CmdOrCtrl+Z' },
        { role: 'redo', accelerator: mac ? 'Shift+Command+Z' : 'Ctrl+Y' },
        { type: 'separator' },
        { role: 'cut', accelerator: 'CmdOrCtrl+X' },
        { role: 'copy', accelerator: 'CmdOrCtrl+C' },
        { role: 'paste', accelerator: 'CmdOrCtrl+V' },
        { role: 'selectAll', accelerator: 'CmdOrCtrl+A' },
      ],
    },
    {
      label: mac ? 'View' : '&View',
      submenu: [
        { role: 'reload', accelerator: 'CmdOrCtrl+R' },
        // Developer tools only in a checkout: a shipped app gives the renderer no console to abuse.
        ...(isPackaged
          ? []
          : [{ role: 'toggleDevTools', accelerator: mac ? 'Alt+Command+I' : 'Ctrl+Shift+I' } as const]),
        { type: 'separator' },
        { role: 'resetZoom', accelerator: 'CmdOrCtrl+0' },
        { role: 'zoomIn', accelerator: 'CmdOrCtrl+=' },
        { role: 'zoomOut', accelerator: 'CmdOrCtrl+-' },
        { type: 'separator' },
        { role: 'togglefullscreen', accelerator: mac ? 'Ctrl+Command+F' : 'F11' },
      ],
    },
    {
      label: mac ? 'Window' : '&Window',
      role: 'windowMenu',
      submenu: [{ role: 'minimize', accelerator: 'CmdOrCtrl+M' }, ...(mac ? [{ role: 'zoom' } as const] : [])],
    },
    {
      label: mac ? 'Help' : '&Help',
      role: 'help',
      submenu: [
        { label: 'TradingView Lightweight Charts', click: actions.openChartsAttribution },
        ...(mac ? [] : [{ type: 'separator' } as const, about]),
      ],
    },
  );
  return template;
}
