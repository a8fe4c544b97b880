// `npm start`: builds the app and opens the desktop window. Where Electron cannot run (no binary
// could be installed, or no display), it says so and serves the same app to a browser instead.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const run = (args) => spawnSync(process.execPath, args, { stdio: 'inherit' }).status === 0;

if (!run(['node_modules/vite/bin/vite.js', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'])) process.exit(1);
if (!run(['scripts/build-electron.mjs'])) process.exit(1);

const reason = electronUnavailable();
if (reason) {
  console.log(`\nThe desktop window cannot open here: ${reason}.`);
  console.log('Serving the same app to your browser instead (npm run serve -- --port N to choose the port).\n');
  const serve = spawn(process.execPath, ['bin/market-monitor.mjs', 'serve', ...process.argv.slice(2)], { stdio: 'inherit' });
  serve.on('exit', (code) => process.exit(code ?? 0));
} else {
  const electron = spawn(require('electron'), ['.', ...process.argv.slice(2)], { stdio: 'inherit' });
  electron.on('exit', (code) => process.exit(code ?? 0));
}

function electronUnavailable() {
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return 'there is no display (DISPLAY is not set)';
  try {
    require('electron');
    return null;
  } catch {
    return 'no Electron binary is installed (its download failed: this machine cannot reach Electron\'s servers)';
  }
}
