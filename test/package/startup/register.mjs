/**
 * `node --import register.mjs`: every `import 'electron'` gets the stand-in, and so does every
 * CommonJS `require('electron')` (electron-updater), through the require cache of the electron
 * package's entry.
 */
import { register, createRequire } from 'node:module';
import { join } from 'node:path';

register(new URL('./hooks.mjs', import.meta.url));
const standIn = await import('./electron-stand-in.mjs');
const req = createRequire(join(process.env.PQM_STAND_IN_APP_PATH, 'package.json'));
const id = req.resolve('electron');
req.cache[id] = { id, filename: id, loaded: true, exports: standIn.default, children: [], paths: [] };
