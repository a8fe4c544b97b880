// `npm start`: builds the app and opens the desktop window. Where Electron cannot run (no binary
// could be installed, or no display), it says so and serves the same app to a browser instead.
import { spawn, spawnSync } from 'node:child_process';
import { electronUnavailableReason, installedElectronBinary } from './electron-binary.mjs';

const run = (args) => spawnSync(process.execPath, args, { stdio: 'inherit' }).status === 0;

if (!run(['node_modules/vite/bin/vite.js', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn']))
  process.exit(1);
if (!run(['scripts/build-electron.mjs'])) process.exit(1);

const reason = electronUnavailableReason();
if (reason) {
  console.log(`\nThe desktop window cannot open here: ${reason}.`);
  console.log('Serving the same app to your browser instead (npm run serve -- --port N to choose the port).\n');
  const serve = spawn(process.execPath, ['bin/market-monitor.mjs', 'serve', ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  serve.on('exit', (code) => process.exit(code ?? 0));
} else {
  const electron = spawn(installedElectronBinary(), ['.', ...process.argv.slice(2)], { stdio: 'inherit' });
  electron.on('exit', (code) => process.exit(code ?? 0));
}
