// Bundles the Electron main process and the preload bridge (the renderer is built by Vite).
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', target: 'node22', sourcemap: true, logLevel: 'warning' };

await build({
  ...common,
  entryPoints: ['main/electron/main.ts'],
  outfile: 'dist/electron/main.cjs',
  format: 'cjs',
  // Native and large runtime modules stay in node_modules (asarUnpack covers better-sqlite3).
  external: ['electron', 'better-sqlite3', 'kafkajs', 'yahoo-finance2'],
  define: { 'import.meta.dirname': '__dirname' },
});
// The engine's thread, started by main.cjs from the file beside it (engine-thread.cjs).
await build({
  ...common,
  entryPoints: ['main/engine-thread/thread.ts'],
  outfile: 'dist/electron/engine-thread.cjs',
  format: 'cjs',
  external: ['better-sqlite3', 'kafkajs', 'yahoo-finance2'],
  define: { 'import.meta.dirname': '__dirname' },
});
await build({
  ...common,
  entryPoints: ['preload/index.ts'],
  outfile: 'dist/electron/preload.cjs',
  format: 'cjs',
  external: ['electron'],
});
console.log('Built dist/electron/main.cjs, engine-thread.cjs and preload.cjs');
