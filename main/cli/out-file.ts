/**
 * Where `--out` may write. Never over the files of the configuration in use (the settings file,
 * tracked ids, history, secrets, window state, logs, and their lock / temporary / backup files),
 * compared by real path so that a link or another spelling of the path cannot get around it; and
 * never over an existing file unless `--force` is given. The write itself is atomic.
 */
import { existsSync, lstatSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { AppFailure } from '../../preload/contract/model';
import { HISTORY_FILE_NAME } from '../state/history';
import { besideSettings } from '../state/settings';
import { TRACKED_FILE_NAME } from '../state/tracked';

/** Files the app keeps next to the settings file (secrets.json and app-state.json: the app only). */
const STATE_FILE_NAMES = [TRACKED_FILE_NAME, HISTORY_FILE_NAME, 'secrets.json', 'app-state.json'];

/** The real path of a file that may not exist yet: its folder resolved, then its name. */
function realPathOf(path: string): string {
  try {
    return realpathSync.native(path);
  } catch {
    try {
      return join(realpathSync.native(dirname(path)), basename(path));
    } catch {
      return path;
    }
  }
}

function same(a: string, b: string, platform: NodeJS.Platform): boolean {
  return platform === 'win32' || platform === 'darwin' ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/** Throws AppFailure (invalid-input) when `--out <target>` must not be written. */
export function checkOutPath(target: string, configPath: string, opts: { force: boolean; platform?: NodeJS.Platform }): void {
  const platform = opts.platform ?? process.platform;
  const real = realPathOf(target);
  const stateDir = realPathOf(dirname(configPath));
  const logDir = realPathOf(besideSettings(configPath, 'logs'));
  const protectedNames = [basename(realPathOf(configPath)), basename(configPath), ...STATE_FILE_NAMES];
  const name = basename(real);
  const inStateDir = same(dirname(real), stateDir, platform);
  const isStateFile = inStateDir && protectedNames.some((p) => same(name, p, platform) || same(name.slice(0, p.length + 1), `${p}.`, platform));
  if (same(real, realPathOf(configPath), platform) || isStateFile || same(dirname(real), logDir, platform)) {
    throw new AppFailure('invalid-input', `--out ${target} is one of the files Print Queue Monitor keeps its own state in (next to ${configPath}); choose another file.`, { field: '--out' });
  }
  let exists = existsSync(real);
  try {
    lstatSync(target);
    exists = true;
  } catch {
    /* nothing there */
  }
  if (exists && statSync(real, { throwIfNoEntry: false })?.isDirectory()) {
    throw new AppFailure('invalid-input', `--out ${target} is a folder; give the name of the file to write (a file in it, for example).`, { field: '--out' });
  }
  if (exists && !opts.force) {
    throw new AppFailure('invalid-input', `--out ${target} already exists; add --force to replace it.`, { field: '--out' });
  }
}
