/**
 * The Electron security scan: @doyensec/electronegativity over the built JavaScript in out/ (it
 * parses plain JavaScript better than current TypeScript), with zero HIGH findings allowed.
 * `npm test` builds before running the tests, so out/ is the code that would ship.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(__dirname, '../..');
const SCANNER = join(__dirname, 'fixtures', 'electronegativity-scan.mjs');
/** Holds the scanner's whole-file report writes back until its appends are done (see the fixture). */
const REORDERED_WRITES = join(__dirname, 'fixtures', 'csv-writes-reordered.mjs');

interface Finding {
  issue: string;
  severity: string;
  confidence: string;
  file: string;
  location: string;
}

interface ScanResult {
  checks: number;
  errors: string[];
  findings: Finding[];
}

/**
 * Scans `input` in a separate process and reads its result only once that process has exited with
 * 0 and its output streams are closed: the result file is written synchronously before the exit.
 */
async function scan(input: string, opts: { nodeOptions?: string } = {}): Promise<ScanResult> {
  const dir = await mkdtemp(join(tmpdir(), 'pqm-eneg-'));
  const resultFile = join(dir, 'result.json');
  try {
    const env = { ...process.env, NODE_OPTIONS: [process.env.NODE_OPTIONS, opts.nodeOptions].filter(Boolean).join(' ') };
    const { code, signal, stderr } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolvePromise, reject) => {
      const child = spawn(process.execPath, [SCANNER, input, resultFile, '45.0.0'], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', reject);
      child.on('close', (c, s) => resolvePromise({ code: c, signal: s, stderr: err }));
    });
    if (code !== 0) throw new Error(`electronegativity failed (exit ${code ?? signal}): ${stderr}`);
    return JSON.parse(await readFile(resultFile, 'utf8')) as ScanResult;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('Electron security scan (electronegativity)', () => {
  it('finds HIGH issues in an insecure window (the scan works)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pqm-eneg-bad-'));
    try {
      await writeFile(
        join(dir, 'bad.js'),
        'const { BrowserWindow } = require("electron");\nconst w = new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false } });\nw.loadURL("http://example.com");\n',
      );
      // With the scanner's file writes completing in the order a loaded machine can produce.
      const { findings, errors } = await scan(dir, { nodeOptions: `--import ${pathToFileURL(REORDERED_WRITES).href}` });
      expect(errors).toEqual([]);
      expect(findings.filter((f) => f.severity === 'HIGH').map((f) => f.issue)).toEqual(expect.arrayContaining(['CONTEXT_ISOLATION_JS_CHECK']));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('has zero HIGH findings in the built app (out/)', async () => {
    const out = join(ROOT, 'out');
    expect(existsSync(join(out, 'main', 'index.js')), 'out/main/index.js is missing: run `npm run build` first').toBe(true);
    // The app's own code, as built: the third-party libraries bundled into chunks/vendor-*.js (which
    // the scanner cannot parse: private class fields) are left out, as node_modules always were.
    const appCode = await mkdtemp(join(tmpdir(), 'pqm-eneg-out-'));
    const left: string[] = [];
    try {
      await cp(out, appCode, {
        recursive: true,
        filter: (src) => {
          const vendor = /[\\/]chunks[\\/]vendor(-electron)?-[\w-]+\.js$/.test(src);
          if (vendor) left.push(src);
          return !vendor;
        },
      });
      expect(left.length, 'the libraries are in chunks of their own').toBeGreaterThan(0);
      const { findings, errors, checks } = await scan(appCode);
      expect(errors, 'every built file of the app is parsed').toEqual([]);
      expect(checks).toBeGreaterThan(0);
      const high = findings.filter((f) => f.severity === 'HIGH');
      expect(high, JSON.stringify(high, null, 2)).toEqual([]);
    } finally {
      await rm(appCode, { recursive: true, force: true });
    }
  }, 180_000);
});
