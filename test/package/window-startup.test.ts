/**
 * What the queue window loads before its first rows: the entry script of out/renderer/index.html and
 * the chunks the page preloads for it. zod (the contract's schemas, ~100 kB to parse and build) is not
 * among them: the window's first code reads job keys, capabilities and the notification rules from the
 * zod-free modules of preload/contract/ (keys.ts, capabilities.ts, job-states.ts), and the schemas load
 * with the panels that validate forms.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EARLY_SOCKET_SCRIPT_HASH } from '../../main/desktop/csp';
import { hashSource, inlineScripts } from '../helpers/inline-scripts';

const OUT = join(__dirname, '../../out/renderer');

describe('queue window start-up', () => {
  it('parses no zod before the first rows', () => {
    expect(existsSync(join(OUT, 'index.html')), 'run npm run build first').toBe(true);
    const html = readFileSync(join(OUT, 'index.html'), 'utf8');
    const files = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="\.\/([^"]+\.js)"/g)].map((m) => m[1]);
    expect(files.length).toBeGreaterThan(1);
    const withZod = files.filter((f) => /\bZodError\b|\$ZodType/.test(readFileSync(join(OUT, f), 'utf8')));
    expect(withZod).toEqual([]);
    // The check does see zod where it is: in a chunk the window loads later.
    const assets = readdirSync(join(OUT, 'assets')).filter((f) => f.endsWith('.js'));
    expect(assets.some((f) => /\bZodError\b/.test(readFileSync(join(OUT, 'assets', f), 'utf8')))).toBe(true);
  });

  it('runs its entry script as soon as that one file has arrived, and fetches the rest of the window in one more', () => {
    const html = readFileSync(join(OUT, 'index.html'), 'utf8');
    const entry = /<script[^>]*\ssrc="\.\/([^"]+\.js)"/.exec(html)?.[1];
    expect(entry).toBeDefined();
    const code = readFileSync(join(OUT, entry!), 'utf8');
    // A static import (`import{a as b}from"./x.js"`, `import"./x.js"`) would hold the entry, and the
    // socket it opens, until that file too had come over one of the browser's few connections.
    expect(code).not.toMatch(/\bimport\s*(?:[\w$*{][^;()]*?from\s*)?["'`][^"'`]+\.js["'`]/);
    expect(code).toMatch(/\bimport\(\s*["'`]\.\/start-[^"'`]+\.js["'`]\s*\)/);
    // The window's code: start.tsx's chunk, which only re-exports, and the one chunk behind it.
    const preloaded = [...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*\shref="\.\/([^"]+\.js)"/g)].map((m) => m[1]);
    expect(preloaded.map((f) => f!.replace(/-[\w-]+\.js$/, ''))).toEqual(['assets/start', 'assets/window']);
  });

  it("keeps the page's inline script byte for byte, so that the policy's hash still allows it", () => {
    const scripts = inlineScripts(readFileSync(join(OUT, 'index.html'), 'utf8'));
    expect(scripts.map(hashSource)).toEqual([EARLY_SOCKET_SCRIPT_HASH]);
  });
});
