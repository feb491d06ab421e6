/**
 * What the pqm CLI parses before it does anything: the built cli.js and the chunks it imports
 * statically (out/main, written by `npm run build`). The HTTP library, the Microsoft sign-in library (MSAL) and
 * the app-only packages (electron-updater, electron-store and what they bring) are not among them: they
 * load when a request is sent, a Universal Print source signs in, or in the app only. Each of them
 * costs the cold start of every `pqm` command tens of milliseconds of parsing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const OUT = join(__dirname, '../../out/main');

/** The files reached from `entry` through static imports (`import ... from "./x"`, `import "./x"`). */
function staticClosure(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(join(OUT, file), 'utf8');
    for (const m of code.matchAll(/(?:^|[;\n])\s*(?:import|export)\s*(?:[^'"();]*?\sfrom\s*)?["'](\.\.?\/[^"']+)["']/g)) {
      visit(join(file, '..', m[1]).replace(/^\.\//, ''));
    }
  };
  visit(entry);
  return [...seen];
}

describe('pqm cold start', () => {
  it('parses neither the HTTP library nor the app-only packages before a command runs', () => {
    expect(existsSync(join(OUT, 'cli.js')), 'run npm run build first').toBe(true);
    const parsed = (entry: string) => staticClosure(entry).flatMap((f) => [...readFileSync(join(OUT, f), 'utf8').matchAll(/^\/\/ node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)].map((m) => m[1]));
    const atStart = new Set(parsed('cli.js'));
    for (const pkg of ['axios', '@azure/msal-node', '@azure/msal-common', 'electron-updater', 'electron-store', 'ajv', 'js-yaml', 'fs-extra']) expect(atStart.has(pkg), pkg).toBe(false);
    // The walk does see packages: zod (the settings' schemas) is parsed at start, and the app's main
    // process reaches electron-updater statically.
    expect(atStart.has('zod')).toBe(true);
    expect(new Set(parsed('index.js')).has('electron-updater')).toBe(true);
  });
});
