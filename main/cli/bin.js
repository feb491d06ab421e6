#!/usr/bin/env node
// The `pqm` command: runs the CLI bundle that `npm run build` (electron-vite) writes to out/main.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const candidates = ['cli.js', 'cli.mjs', 'cli.cjs'].map((name) => join(root, 'out', 'main', name));
const bundle = candidates.find((p) => existsSync(p));
if (!bundle) {
  process.stderr.write(`pqm: error (internal): the CLI is not built (no ${candidates[0]}); run "npm run build" first.\n`);
  process.exit(2);
}
await import(pathToFileURL(bundle).href);
