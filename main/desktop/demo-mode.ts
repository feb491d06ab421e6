/**
 * Demo mode of the desktop app (`npm run demo`): the app runs against the built-in simulators,
 * whose secrets the demo launcher hands over in `PQM_SECRET_<ID>_<NAME>` environment variables
 * (never on the command line). The app normally keeps secrets only in safeStorage, so it accepts
 * them from the environment only when BOTH hold:
 * - it was started with the explicit `--demo` flag, and
 * - its settings file lives inside the operating system's temp folder (where the launcher writes
 *   its throw-away settings), so a real installation's settings can never be paired with secrets
 *   planted in the environment.
 * Plain module: no Electron import.
 */
import { posix, win32 } from 'node:path';
import { AppFailure, SECRET_NAMES, secretEnvName, type SecretName } from '../../preload/contract/model';
import type { SecretStore } from '../ports/ports';

export const DEMO_FLAG = '--demo';
const SECRET_ENV_PREFIX = 'PQM_SECRET_';

export type DemoModeDecision =
  | { demo: true }
  /** `problem`: the flag was given but refused, in words (for the log). */
  | { demo: false; problem?: string };

function pathApi(platform: NodeJS.Platform) {
  return platform === 'win32' ? win32 : posix;
}

/** True when `file` is strictly inside `folder` (Windows: case-insensitive, either slash). */
export function isInsideFolder(file: string, folder: string, platform: NodeJS.Platform): boolean {
  if (!file || !folder) return false;
  const p = pathApi(platform);
  if (!p.isAbsolute(file) || !p.isAbsolute(folder)) return false;
  let f = p.resolve(file);
  let d = p.resolve(folder);
  if (platform === 'win32') {
    f = f.toLowerCase();
    d = d.toLowerCase();
  }
  const rel = p.relative(d, f);
  return rel !== '' && !rel.startsWith('..') && !p.isAbsolute(rel);
}

/**
 * Whether this launch is a demo: `--demo` on the command line (before any `--`) and the settings
 * file inside the temp folder. Pass the real paths where symlinks may differ (macOS /var -> /private/var).
 */
export function decideDemoMode(input: { argv: readonly string[]; configPath: string | null; tmpDir: string; platform: NodeJS.Platform }): DemoModeDecision {
  const end = input.argv.indexOf('--');
  const args = end < 0 ? input.argv : input.argv.slice(0, end);
  if (!args.includes(DEMO_FLAG)) return { demo: false };
  if (!input.configPath) return { demo: false, problem: `${DEMO_FLAG} was ignored: it needs --config <settings file in the temp folder>.` };
  if (!isInsideFolder(input.configPath, input.tmpDir, input.platform)) {
    return { demo: false, problem: `${DEMO_FLAG} was ignored: the settings file is not in the temp folder (${input.tmpDir}), so secrets are not read from the environment.` };
  }
  return { demo: true };
}

/** The demo's own userData folder (single-instance lock, browser storage), beside its settings. */
export function demoUserDataDir(configPath: string, platform: NodeJS.Platform): string {
  const p = pathApi(platform);
  return p.join(p.dirname(configPath), 'electron-user-data');
}

/**
 * Moves every `PQM_SECRET_*` variable out of `env` (so processes started later do not inherit
 * them) and returns them by variable name. Empty values are dropped.
 */
export function takeDemoSecrets(env: NodeJS.ProcessEnv): Map<string, string> {
  const out = new Map<string, string>();
  for (const key of Object.keys(env)) {
    if (!key.startsWith(SECRET_ENV_PREFIX)) continue;
    const v = env[key]?.trim();
    delete env[key];
    if (v) out.set(key, v);
  }
  return out;
}

/**
 * The demo's SecretStore: the handed-over values, read by their environment variable name; a
 * secret entered or removed in the app is kept in memory for this run only (nothing is written).
 */
export function createDemoSecretStore(handed: ReadonlyMap<string, string>): SecretStore {
  const values = new Map(handed);
  const read = (sourceId: string, name: SecretName) => values.get(secretEnvName(sourceId, name));
  return {
    get: async (sourceId, name) => read(sourceId, name),
    has: async (sourceId, name) => read(sourceId, name) !== undefined,
    async set(sourceId, name, value) {
      if (!SECRET_NAMES.includes(name)) throw new AppFailure('invalid-input', `Unknown secret name "${String(name)}".`, { sourceId, field: 'name' });
      if (!value) throw new AppFailure('invalid-input', 'A secret cannot be empty.', { sourceId, field: 'value' });
      values.set(secretEnvName(sourceId, name), value);
    },
    async delete(sourceId, name) {
      values.delete(secretEnvName(sourceId, name));
    },
  };
}
