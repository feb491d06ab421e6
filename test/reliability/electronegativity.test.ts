/**
 * The Electron security scan: @doyensec/electronegativity over the built JavaScript in out/ (it
 * parses plain JavaScript better than current TypeScript), with zero HIGH findings allowed.
 * `npm test` builds before running the tests, so out/ is the code that would ship.
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'node_modules', '.bin', 'electronegativity');

interface Finding {
  issue: string;
  severity: string;
  confidence: string;
  file: string;
  location: string;
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field.trim());
      field = '';
    } else if (c === '\n') {
      row.push(field.trim());
      rows.push(row);
      row = [];
      field = '';
    } else if (c !== '\r') field += c;
  }
  if (field || row.length) {
    row.push(field.trim());
    rows.push(row);
  }
  return rows;
}

async function scan(input: string): Promise<Finding[]> {
  const dir = await mkdtemp(join(tmpdir(), 'pqm-eneg-'));
  const out = join(dir, 'findings.csv');
  try {
    await new Promise<void>((resolvePromise, reject) => {
      execFile(BIN, ['-i', input, '-o', out, '-e', '45.0.0', '-r', '-v', 'false'], { cwd: dir, timeout: 150_000, maxBuffer: 16 * 2 ** 20 }, (err, _stdout, stderr) => {
        if (err && !existsSync(out)) reject(new Error(`electronegativity failed: ${err.message}\n${stderr}`));
        else resolvePromise();
      });
    });
    const rows = parseCsv(await readFile(out, 'utf8')).filter((r) => r.length > 4);
    return rows.slice(1).map((r) => ({ issue: r[0]!, severity: r[1]!, confidence: r[2]!, file: r[3]!, location: r[4]! }));
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
      const findings = await scan(dir);
      expect(findings.filter((f) => f.severity === 'HIGH').map((f) => f.issue)).toEqual(expect.arrayContaining(['CONTEXT_ISOLATION_JS_CHECK']));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('has zero HIGH findings in the built app (out/)', async () => {
    const out = join(ROOT, 'out');
    expect(existsSync(join(out, 'main', 'index.js')), 'out/main/index.js is missing: run `npm run build` first').toBe(true);
    const findings = await scan(out);
    const high = findings.filter((f) => f.severity === 'HIGH');
    expect(high, JSON.stringify(high, null, 2)).toEqual([]);
  }, 180_000);
});
