import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIN_WINDOW } from '../../main/electron/policy.ts';
import {
  DEFAULT_STATE,
  clampToDisplays,
  loadWindowState,
  saveWindowState,
  type WorkArea,
} from '../../main/electron/window-state.ts';

const laptop: WorkArea = { x: 0, y: 0, width: 1440, height: 875 };
const rightMonitor: WorkArea = { x: 1440, y: 0, width: 2560, height: 1415 };

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-winstate-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('window state file', () => {
  it('round-trips through the user-data folder', () => {
    const file = path.join(dir, 'nested', 'window-state.json');
    const state = { x: 100, y: 50, width: 1000, height: 700, maximized: true, fullScreen: false };
    saveWindowState(file, state);
    expect(loadWindowState(file)).toEqual(state);
    expect(fs.existsSync(`${file}.tmp`)).toBe(false);
  });

  it('falls back to the defaults for a missing, garbled or invalid file', () => {
    const file = path.join(dir, 'window-state.json');
    expect(loadWindowState(file)).toEqual(DEFAULT_STATE);
    fs.writeFileSync(file, '{"width": 1000, "hei');
    expect(loadWindowState(file)).toEqual(DEFAULT_STATE);
    fs.writeFileSync(file, JSON.stringify({ width: -5, height: 'tall' }));
    expect(loadWindowState(file)).toEqual(DEFAULT_STATE);
    fs.writeFileSync(file, JSON.stringify({ width: 900.5, height: 600 }));
    expect(loadWindowState(file)).toEqual(DEFAULT_STATE);
  });

  it('refuses to write an invalid state', () => {
    expect(() => saveWindowState(path.join(dir, 'w.json'), { width: Number.NaN, height: 1 } as never)).toThrow();
  });
});

describe('clamping to the displays there are now', () => {
  it('keeps a window that fits where it was', () => {
    const state = { ...DEFAULT_STATE, x: 1600, y: 100, width: 1200, height: 800 };
    expect(clampToDisplays(state, [laptop, rightMonitor])).toEqual({ x: 1600, y: 100, width: 1200, height: 800 });
  });

  it('brings back a window from a monitor that was unplugged', () => {
    const state = { ...DEFAULT_STATE, x: 1600, y: 100, width: 1200, height: 800 };
    expect(clampToDisplays(state, [laptop])).toEqual({ x: 240, y: 75, width: 1200, height: 800 });
  });

  it('moves a window that hangs off an edge fully onto the display it mostly covers', () => {
    const state = { ...DEFAULT_STATE, x: 2400, y: 1000, width: 1200, height: 800 };
    expect(clampToDisplays(state, [laptop, rightMonitor])).toEqual({ x: 2400, y: 615, width: 1200, height: 800 });
  });

  it('shrinks a window larger than its display, and never below the minimum size', () => {
    const huge = { ...DEFAULT_STATE, x: 0, y: 0, width: 5000, height: 3000 };
    expect(clampToDisplays(huge, [laptop])).toEqual({ x: 0, y: 0, width: 1440, height: 875 });
    const tiny = { ...DEFAULT_STATE, x: 10, y: 10, width: 100, height: 100 };
    expect(clampToDisplays(tiny, [laptop])).toEqual({ x: 10, y: 10, ...MIN_WINDOW });
  });

  it('lets the window manager place a window with no remembered position', () => {
    expect(clampToDisplays(DEFAULT_STATE, [laptop])).toEqual({ width: 1280, height: 800 });
  });

  it('always returns bounds fully inside one display (property)', () => {
    const area = fc.record({
      x: fc.integer({ min: -5000, max: 5000 }),
      y: fc.integer({ min: -3000, max: 3000 }),
      width: fc.integer({ min: MIN_WINDOW.width, max: 4000 }),
      height: fc.integer({ min: MIN_WINDOW.height, max: 3000 }),
    });
    const state = fc.record({
      x: fc.integer({ min: -20_000, max: 20_000 }),
      y: fc.integer({ min: -20_000, max: 20_000 }),
      width: fc.integer({ min: 1, max: 10_000 }),
      height: fc.integer({ min: 1, max: 10_000 }),
    });
    fc.assert(
      fc.property(state, fc.array(area, { minLength: 1, maxLength: 4 }), (s, areas) => {
        const b = clampToDisplays({ ...s, maximized: false, fullScreen: false }, areas);
        const inside = areas.some(
          (a) => b.x! >= a.x && b.y! >= a.y && b.x! + b.width <= a.x + a.width && b.y! + b.height <= a.y + a.height,
        );
        expect(inside).toBe(true);
      }),
    );
  });
});
