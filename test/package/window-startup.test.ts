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
});
