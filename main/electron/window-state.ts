/**
 * The main window's size and position between runs: a small JSON file in the user-data folder.
 * Plain Node, so the clamping (a monitor unplugged since the last run) is tested without Electron.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_WINDOW, MIN_WINDOW, type WindowBounds } from './policy.ts';

export const WindowStateSchema = z.object({
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  width: z.number().int().min(1).max(100_000),
  height: z.number().int().min(1).max(100_000),
  maximized: z.boolean().default(false),
  fullScreen: z.boolean().default(false),
});
export type WindowState = z.infer<typeof WindowStateSchema>;

/** A display's usable area (without task bars and docks), as Electron's `screen` reports it. */
export interface WorkArea {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const DEFAULT_STATE: WindowState = { ...DEFAULT_WINDOW, maximized: false, fullScreen: false };

/** A missing, unreadable or invalid file gives the defaults: a bad file must never stop the app from starting. */
export function loadWindowState(file: string): WindowState {
  try {
    const parsed = WindowStateSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : DEFAULT_STATE;
  } catch {
    return DEFAULT_STATE;
  }
}

/** Written through a temporary file, so a crash mid-write leaves the previous state, not half a file. */
export function saveWindowState(file: string, state: WindowState): void {
  const valid = WindowStateSchema.parse(state);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify(valid)}\n`);
  fs.renameSync(temporary, file);
}

function overlap(a: WorkArea, b: WorkArea): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * Fits the remembered bounds onto the displays there are now: the window goes to the display it
 * overlaps most (the primary one when it overlaps none), is shrunk to fit its work area, and is moved
 * fully inside it. Without a remembered position the window manager places it.
 */
export function clampToDisplays(state: WindowState, workAreas: readonly WorkArea[]): WindowBounds {
  const primary = workAreas[0];
  if (!primary) return { width: state.width, height: state.height };
  const width = Math.max(MIN_WINDOW.width, state.width);
  const height = Math.max(MIN_WINDOW.height, state.height);
  if (state.x === undefined || state.y === undefined) {
    return { width: Math.min(width, primary.width), height: Math.min(height, primary.height) };
  }
  const wanted = { x: state.x, y: state.y, width, height };
  let target = primary;
  let best = 0;
  for (const area of workAreas) {
    const shared = overlap(wanted, area);
    if (shared > best) {
      best = shared;
      target = area;
    }
  }
  const fittedWidth = Math.min(width, target.width);
  const fittedHeight = Math.min(height, target.height);
  return {
    x: Math.min(Math.max(wanted.x, target.x), target.x + target.width - fittedWidth),
    y: Math.min(Math.max(wanted.y, target.y), target.y + target.height - fittedHeight),
    width: fittedWidth,
    height: fittedHeight,
  };
}
