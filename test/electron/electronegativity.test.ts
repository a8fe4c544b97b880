/**
 * The Electron security checklist, checked by @doyensec/electronegativity over the shell's sources
 * (main/, preload/ and renderer/ together, so its global checks see the navigation and permission handlers that
 * main.ts installs for the windows preload serves). Any finding of medium or high severity fails,
 * unless the line carries an `eng-disable` comment, and every such comment must follow a comment
 * line that says why.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface Finding {
  file: string;
  id: string;
  description: string;
  location: { line: number; column: number };
  severity: { value: number; name: string };
  confidence: { name: string };
  sample?: string;
}
interface ScanResult {
  globalChecks: number;
  atomicChecks: number;
  errors: { file: string; message: string; tolerable: boolean }[];
  issues: Finding[];
}
type Run = (options: Record<string, unknown>) => Promise<ScanResult>;

const root = path.resolve(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
const electronVersion = (require('electron/package.json') as { version: string }).version;
// The renderer too: it runs in the Electron window, so eval, remote resources or a webview there count.
const SCANNED = ['main', 'preload', 'renderer'];

let workDir: string;
let run: Run;

/** electronegativity prints progress on console.log; keep the test output to the findings. */
async function scan(input: string): Promise<ScanResult> {
  const log = console.log;
  console.log = () => {};
  try {
    return await run({
      input,
      isRelative: true,
      electronVersionOverride: electronVersion,
      // Compares the Electron version with the release feed on the network: a fact about the day,
      // not about this code, and offline here. Electron upgrades are a dependency chore of their own.
      excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
    });
  } finally {
    console.log = log;
  }
}

const serious = (result: ScanResult) =>
  result.issues
    .filter((issue) => issue.severity.value >= 2) // MEDIUM = 2, HIGH = 3
    .map(
      (i) =>
        `${i.id} (${i.severity.name}, ${i.confidence.name}) ${i.file}:${i.location.line} ${i.sample ?? ''} — ${i.description}`,
    );

beforeAll(async () => {
  run = require('@doyensec/electronegativity') as Run;
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-eng-'));
});
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

describe('electronegativity scan', () => {
  it('finds a misconfigured window in TypeScript (the scanner really reads .ts here)', async () => {
    const canary = path.join(workDir, 'canary');
    fs.mkdirSync(canary);
    fs.writeFileSync(
      path.join(canary, 'bad.ts'),
      [
        "import { BrowserWindow, shell } from 'electron';",
        'const win: BrowserWindow = new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false } });',
        'export function open(url: string): void { void shell.openExternal(url); }',
      ].join('\n'),
    );
    const ids = new Set((await scan(canary)).issues.map((i) => i.id));
    for (const id of [
      'CONTEXT_ISOLATION_JS_CHECK',
      'NODE_INTEGRATION_JS_CHECK',
      'SANDBOX_JS_CHECK',
      'OPEN_EXTERNAL_JS_CHECK',
    ])
      expect(ids, id).toContain(id);
  }, 120_000);

  it('reports no medium or high finding in main/, preload/ and renderer/', async () => {
    const input = path.join(workDir, 'app');
    for (const dir of SCANNED)
      fs.cpSync(path.join(root, dir), path.join(input, dir), {
        recursive: true,
        filter: (source) => !/[\\/](node_modules|dist)([\\/]|$)/.test(path.relative(root, source)),
      });
    const result = await scan(input);
    expect(result.atomicChecks).toBeGreaterThan(20);
    expect(result.errors.filter((e) => !e.tolerable)).toEqual([]);
    expect(serious(result)).toEqual([]);
  }, 120_000);

  it('justifies every eng-disable in place, in the comment line above it', () => {
    const unjustified: string[] = [];
    const visit = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) visit(file);
        else if (/\.(ts|tsx|js|cjs|mjs|html)$/.test(entry.name)) {
          const lines = fs.readFileSync(file, 'utf8').split('\n');
          lines.forEach((line, index) => {
            if (!line.includes('eng-disable')) return;
            const above = lines[index - 1]?.trim() ?? '';
            if (!/^(\/\/|\*|\/\*)/.test(above)) unjustified.push(`${path.relative(root, file)}:${index + 1}`);
          });
        }
      }
    };
    for (const dir of SCANNED) visit(path.join(root, dir));
    expect(unjustified).toEqual([]);
  });
});
