import path from 'node:path';
import { defineConfig } from 'vite';

const root = import.meta.dirname;

export default defineConfig({
  root,
  base: './',
  build: {
    outDir: path.resolve(root, '..', 'dist', 'renderer'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1_000,
  },
  server: { port: 5179, strictPort: false },
});
