#!/usr/bin/env node
// Entry point of the command line. Plain JavaScript so that it can explain an old Node before
// anything TypeScript loads.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(
    `Market Monitor needs Node 22.18 or newer; this is ${process.version}.\n` +
      'In a checkout, run it through npm so the project\'s own Node is used: "npx market-monitor serve" or "npm run serve".',
  );
  process.exit(1);
}
const { main } = await import('../main/cli.ts');
process.exitCode = await main(process.argv.slice(2));
