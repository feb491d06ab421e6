/**
 * The settings file: location, loading with per-part validation, migration and guarded saving.
 *
 * Guarantees (docs/interfaces.md "Settings file"):
 * - Sources are validated one by one: an invalid source is reported (`sources.2.baseUrl: ...`) and
 *   skipped, the valid ones run. Every other section falls back to its defaults when invalid.
 * - A file that is not JSON, has a newer `version`, or has any invalid part is never overwritten or
 *   cleared: saving is refused while the file on disk is like that, unless the caller explicitly
 *   replaces it (and then the old file is first copied aside).
 * - An older file is migrated in memory; the app and the CLI write it only when settings are
 *   saved (after a backup copy), never on load.
 * - Unknown keys are problems, named with a "did you mean" for near misses; no message quotes the
 *   file's contents.
 * - Secrets are never in this file: keys that look like secrets are reported, with where they go.
 *
 * Why plain atomic JSON instead of electron-store (app) / conf (CLI): electron-store and conf clear
 * the store or throw from their constructor when the file fails to parse or validate, and write the
 * whole object back on every change, which conflicts with "never overwrite an invalid or newer
 * file" and "run with the valid sources". They also have no lock shared with other processes.
 * One small module, used by the app and the CLI alike, gives both the same guarantees.
 */
import { join, dirname, resolve as resolvePath, win32, posix } from 'node:path';
import { homedir } from 'node:os';
import type { z } from 'zod';
import {
  AppFailure,
  HistorySettings,
  NotificationSettings,
  PollingSettings,
  Settings,
  SETTINGS_VERSION,
  SOURCE_KINDS,
  SourceConfig,
  UiSettings,
  UpdateSettings,
  invalidInput,
  issuePath,
  secretEnvName,
  unknownKeysMessage,
  type SecretName,
  type SettingsProblem,
} from '../../preload/contract/model';
import type { Logger } from '../ports/ports';
import { copyAside, readTextIfExists, writeFileAtomic } from './atomic-file';
import { withFileLock } from './lock';

export const PRODUCT_NAME = 'Print Queue Monitor';
export const SETTINGS_FILE_NAME = 'settings.json';

// ---------------------------------------------------------------------------------------------
// Location
// ---------------------------------------------------------------------------------------------

/** The per-user folder the app keeps its files in (what Electron's app.getPath('userData') gives). */
export function defaultUserDataDir(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, home: string = homedir()): string {
  if (platform === 'win32') return win32.join(env.APPDATA || win32.join(home, 'AppData', 'Roaming'), PRODUCT_NAME);
  if (platform === 'darwin') return posix.join(home, 'Library', 'Application Support', PRODUCT_NAME);
  return posix.join(env.XDG_CONFIG_HOME || posix.join(home, '.config'), PRODUCT_NAME);
}

/** The `--config` value in argv (either `--config <file>` or `--config=<file>`), before any `--`. */
export function configArg(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') break;
    if (a === '--config') {
      const v = argv[i + 1];
      if (v === undefined || v === '' || v.startsWith('--')) throw new AppFailure('invalid-input', '--config needs the path of a settings file, e.g. --config ./settings.json', { field: '--config' });
      return v;
    }
    if (a.startsWith('--config=')) {
      const v = a.slice('--config='.length);
      if (!v) throw new AppFailure('invalid-input', '--config needs the path of a settings file, e.g. --config=./settings.json', { field: '--config' });
      return v;
    }
  }
  return undefined;
}

/** --config <file>, else PQM_CONFIG, else `<userData>/settings.json`. Relative paths resolve against cwd. */
export function resolveConfigPath(opts: {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  userDataDir?: string;
  homeDir?: string;
  cwd?: string;
}): string {
  const cwd = opts.cwd ?? process.cwd();
  const explicit = configArg(opts.argv) ?? (opts.env.PQM_CONFIG?.trim() || undefined);
  if (explicit) return opts.platform === 'win32' ? win32.resolve(cwd, explicit) : resolvePath(cwd, explicit);
  const dir = opts.userDataDir ?? defaultUserDataDir(opts.platform, opts.env, opts.homeDir);
  return opts.platform === 'win32' ? win32.join(dir, SETTINGS_FILE_NAME) : posix.join(dir, SETTINGS_FILE_NAME);
}

/** A file kept next to the settings file (tracked.json, history.json, logs). */
export function besideSettings(configPath: string, name: string): string {
  return join(dirname(configPath), name);
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

export const DEFAULT_SOURCE = { id: 'local', kind: 'scriptx' } as const;

export function defaultSettings(): Settings {
  return Settings.parse({ version: SETTINGS_VERSION, sources: [{ ...DEFAULT_SOURCE }] });
}

export type SettingsFileStatus =
  /** no file: defaults with the local ScriptX source */
  | 'missing'
  | 'ok'
  /** an older version, migrated in memory */
  | 'migrated'
  /** some part is invalid (see problems); valid parts are used */
  | 'invalid'
  /** written by a newer program; read as far as this one understands it */
  | 'newer'
  /** not JSON or not readable */
  | 'unreadable';

export interface ParsedSettings {
  settings: Settings;
  problems: SettingsProblem[];
  status: SettingsFileStatus;
  /** The version the file declares (0 for an unversioned file). */
  fileVersion: number | null;
}

export interface LoadedSettings extends ParsedSettings {
  path: string;
  /** Whether save() may write over the file as it is on disk now. */
  writable: boolean;
  /** Where the pre-migration file was copied, when a migration was written back. */
  migrationBackup?: string;
}

/** Upgrades a document of version `from` to `from + 1`. Pure; runs before validation. */
interface Migration {
  from: number;
  describe: string;
  up(doc: Record<string, unknown>): Record<string, unknown>;
}

const MIGRATIONS: Migration[] = [
  {
    from: 0,
    describe: 'an unversioned settings file (same shape as version 1)',
    up: (doc) => ({ ...doc, version: 1 }),
  },
];

const SECRET_KEY = /^(license|license[-_]?(guid|key)|guid|token|access[-_]?token|refresh[-_]?token|bearer[-_]?token|id[-_]?token|security[-_]?code|password|passwd|secret|client[-_]?secret|api[-_]?key|client[-_]?certificate)$/i;

function secretNameForKey(key: string): SecretName | null {
  const k = key.toLowerCase().replace(/[-_]/g, '');
  if (k.startsWith('license') || k === 'guid') return 'LICENSE';
  if (k.endsWith('token')) return 'TOKEN';
  if (k === 'securitycode') return 'SECURITY_CODE';
  if (k === 'clientsecret' || k === 'secret') return 'CLIENT_SECRET';
  if (k === 'clientcertificate') return 'CLIENT_CERTIFICATE';
  return null;
}

function secretProblem(field: string, key: string, sourceId: string | null): SettingsProblem {
  const name = secretNameForKey(key);
  const env = sourceId && name ? secretEnvName(sourceId, name) : `PQM_SECRET_<SOURCEID>_${name ?? '<NAME>'}`;
  return {
    field,
    message: `"${key}" looks like a secret, and secrets are never kept in the settings file: remove it, then enter it in the app (Settings > Sources; stored encrypted) or, for the pqm command, set the environment variable ${env}.`,
  };
}

/** Every key under `value` that looks like a secret, with its dotted path. */
function findSecretKeys(value: unknown, path: string[], out: Array<{ field: string; key: string }>, depth = 0): void {
  if (depth > 12 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => findSecretKeys(v, [...path, String(i)], out, depth + 1));
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (SECRET_KEY.test(k)) out.push({ field: [...path, k].join('.'), key: k });
    else findSecretKeys(v, [...path, k], out, depth + 1);
  }
}

function zodProblems(error: z.ZodError, prefix: string): SettingsProblem[] {
  return error.issues.map((issue) => {
    const field = [prefix, ...issuePath(issue)].filter(Boolean).join('.');
    return { field, message: `${field}: ${issue.message}` };
  });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const SECTIONS = {
  polling: PollingSettings,
  notifications: NotificationSettings,
  history: HistorySettings,
  ui: UiSettings,
  updates: UpdateSettings,
} as const;

/**
 * Validates a parsed settings document part by part. Never throws: every problem is reported and
 * the valid parts are returned (`settings` is always a complete, valid Settings).
 */
export function parseSettingsDocument(raw: unknown): ParsedSettings {
  const problems: SettingsProblem[] = [];
  const defaults = defaultSettings();
  if (!isPlainObject(raw)) {
    return {
      settings: { ...defaults, sources: [] },
      problems: [{ field: '', message: 'The settings file must hold a JSON object ({ "version": 1, "sources": [...] }); no source is used until it is fixed.' }],
      status: 'invalid',
      fileVersion: null,
    };
  }

  let doc: Record<string, unknown> = raw;
  let status: SettingsFileStatus = 'ok';
  let fileVersion: number | null;
  const v = doc.version;
  if (v === undefined) fileVersion = 0;
  else if (typeof v === 'number' && Number.isInteger(v) && v >= 0) fileVersion = v;
  else {
    fileVersion = null;
    // The value itself is not repeated: a message never echoes what the file holds.
    problems.push({ field: 'version', message: `version: must be a whole number (this program writes ${SETTINGS_VERSION}).` });
    status = 'invalid';
  }

  if (fileVersion !== null && fileVersion > SETTINGS_VERSION) {
    status = 'newer';
    problems.push({
      field: 'version',
      message: `The settings file is version ${fileVersion}, written by a newer Print Queue Monitor; this one knows version ${SETTINGS_VERSION}. It is read as far as possible and never overwritten: update the program to change settings.`,
    });
    doc = { ...doc, version: SETTINGS_VERSION };
  } else if (fileVersion !== null && fileVersion < SETTINGS_VERSION) {
    for (const m of MIGRATIONS) {
      if ((doc.version ?? 0) === m.from) doc = m.up(doc);
    }
    status = 'migrated';
  }

  // Keys this program does not know are named (a misspelt section would otherwise be ignored).
  const topLevel = ['version', 'sources', ...Object.keys(SECTIONS)];
  for (const k of Object.keys(doc)) {
    if (topLevel.includes(k) || SECRET_KEY.test(k)) continue;
    const field = k.length > 64 ? `${k.slice(0, 61)}...` : k;
    problems.push({ field, message: `${unknownKeysMessage([k], topLevel)}: remove it, or correct its name.` });
  }

  // Secrets anywhere outside the sources (the sources are checked one by one below).
  const stray: Array<{ field: string; key: string }> = [];
  for (const [k, val] of Object.entries(doc)) {
    if (k === 'sources') continue;
    if (SECRET_KEY.test(k)) stray.push({ field: k, key: k });
    else findSecretKeys(val, [k], stray);
  }
  for (const s of stray) problems.push(secretProblem(s.field, s.key, null));

  // Sources, one by one.
  const sources: Settings['sources'] = [];
  const rawSources = doc.sources;
  if (rawSources === undefined) {
    // A file without a sources list means "the defaults", like a missing file.
    sources.push(...defaults.sources);
  } else if (!Array.isArray(rawSources)) {
    problems.push({ field: 'sources', message: 'sources: must be a list of sources ([ { "id": "local", "kind": "scriptx" }, ... ]).' });
  } else {
    const seen = new Map<string, number>();
    rawSources.forEach((src, i) => {
      const prefix = `sources.${i}`;
      const sourceId = isPlainObject(src) && typeof src.id === 'string' ? src.id : null;
      const secrets: Array<{ field: string; key: string }> = [];
      findSecretKeys(src, [prefix], secrets);
      if (secrets.length) {
        for (const s of secrets) problems.push(secretProblem(s.field, s.key, sourceId));
        return;
      }
      const parsed = SourceConfig.safeParse(src);
      if (!parsed.success) {
        const name = sourceId ? `source "${sourceId}"` : `source ${i + 1}`;
        const kind = isPlainObject(src) ? src.kind : undefined;
        if (!(SOURCE_KINDS as readonly unknown[]).includes(kind)) {
          // The schema's own words would be "Invalid discriminator value. Expected 'scriptx' | ...".
          const given = kind === undefined ? 'is missing' : `${JSON.stringify(kind)} is not a kind of source`;
          problems.push({ field: `${prefix}.kind`, message: `${prefix}.kind: ${given}; use one of ${SOURCE_KINDS.join(', ')} (${name} is not used until this is fixed)` });
          return;
        }
        const found = zodProblems(parsed.error, prefix);
        for (const p of found) problems.push({ field: p.field, message: `${p.message} (${name} is not used until this is fixed)` });
        return;
      }
      const first = seen.get(parsed.data.id);
      if (first !== undefined) {
        problems.push({ field: `${prefix}.id`, message: `${prefix}.id: the id "${parsed.data.id}" is already used by sources.${first}; source ids must be unique (this source is not used).` });
        return;
      }
      seen.set(parsed.data.id, i);
      sources.push(parsed.data);
    });
    if (rawSources.length > 50) problems.push({ field: 'sources', message: `sources: at most 50 sources are supported; ${rawSources.length} are listed.` });
  }

  // The other sections: each falls back to its defaults when invalid.
  const out: Record<string, unknown> = { version: SETTINGS_VERSION, sources: sources.slice(0, 50) };
  for (const [name, schema] of Object.entries(SECTIONS)) {
    const value = doc[name];
    if (value === undefined) {
      out[name] = defaults[name as keyof typeof SECTIONS];
      continue;
    }
    const parsed = (schema as z.ZodType).safeParse(value);
    if (parsed.success) out[name] = parsed.data;
    else {
      for (const p of zodProblems(parsed.error, name)) problems.push({ field: p.field, message: `${p.message} (the defaults for "${name}" are used until this is fixed)` });
      out[name] = defaults[name as keyof typeof SECTIONS];
    }
  }

  const settings = Settings.parse(out);
  if (problems.length && status !== 'newer') status = 'invalid';
  return { settings, problems, status, fileVersion };
}

/** Parses the file's text; never throws. */
export function parseSettingsText(text: string): ParsedSettings {
  // Windows PowerShell 5.1's `>` and Out-File write UTF-16 (a byte-order mark FF FE, then a zero
  // byte after each ASCII letter): read as UTF-8, that is two replacement characters, then NULs.
  if (/^\uFFFD\uFFFD/.test(text) || text.includes('\u0000')) {
    return {
      settings: { ...defaultSettings(), sources: [] },
      problems: [{ field: '', message: 'The settings file is saved as UTF-16 (as Windows PowerShell 5 writes with > or Out-File), not UTF-8; save it as UTF-8 (Notepad: Save as, Encoding UTF-8; PowerShell: Set-Content -Encoding utf8). No source is used until then, and the file is left untouched.' }],
      status: 'unreadable',
      fileVersion: null,
    };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    return {
      settings: { ...defaultSettings(), sources: [] },
      problems: [{ field: '', message: `The settings file is not valid JSON (${jsonErrorPlace(text, err)}); no source is used until it is fixed, and the file is left untouched.` }],
      status: 'unreadable',
      fileVersion: null,
    };
  }
  return parseSettingsDocument(raw);
}

/**
 * Where JSON.parse stopped, as "line L, column C", never the parser's own message: that quotes
 * the file's text, which may hold a secret (or, through a link, another file's contents).
 */
export function jsonErrorPlace(text: string, err: unknown): string {
  const m = /position (\d+)/.exec(err instanceof Error ? err.message : '');
  if (!m) return /Unexpected end/i.test(err instanceof Error ? err.message : '') ? 'it ends too early' : 'it cannot be parsed';
  const position = Math.min(Number(m[1]), text.length);
  const before = text.replace(/^\uFEFF/, '').slice(0, position).split('\n');
  return `at line ${before.length}, column ${before[before.length - 1]!.length + 1}`;
}

function isWritable(p: ParsedSettings): boolean {
  return (p.status === 'ok' || p.status === 'missing' || p.status === 'migrated') && p.problems.length === 0;
}

async function readParsed(path: string): Promise<ParsedSettings & { text: string | null }> {
  let text: string | null;
  try {
    text = await readTextIfExists(path);
  } catch (err) {
    return {
      text: null,
      settings: { ...defaultSettings(), sources: [] },
      problems: [{ field: '', message: `The settings file ${path} cannot be read (${(err as Error).message}).` }],
      status: 'unreadable',
      fileVersion: null,
    };
  }
  if (text === null) return { text, settings: defaultSettings(), problems: [], status: 'missing', fileVersion: null };
  return { text, ...parseSettingsText(text) };
}

export interface SettingsIoOptions {
  logger?: Logger;
  now?: () => number;
  /** Write a migrated file back (default true; the app core passes false: loading never writes). */
  writeBackMigration?: boolean;
}

/** Loads the settings file; never throws for a bad file (problems say what is wrong). */
export async function loadSettings(path: string, opts: SettingsIoOptions = {}): Promise<LoadedSettings> {
  const now = opts.now ?? Date.now;
  const first = await readParsed(path);
  const { text: _text, ...parsed } = first;
  const loaded: LoadedSettings = { ...parsed, path, writable: isWritable(parsed) };
  if (parsed.problems.length) opts.logger?.warn('settings file has problems', { path, status: parsed.status, problems: parsed.problems });

  if (parsed.status === 'migrated' && parsed.problems.length === 0 && opts.writeBackMigration !== false) {
    try {
      await withFileLock(path, async () => {
        // Only if nobody changed the file since it was read.
        const again = await readTextIfExists(path);
        if (again !== first.text) return;
        loaded.migrationBackup = await copyAside(path, `v${parsed.fileVersion ?? 0}-backup`, now());
        await writeFileAtomic(path, serialize(parsed.settings));
        loaded.status = 'ok';
        opts.logger?.info('settings file migrated', { path, from: parsed.fileVersion, to: SETTINGS_VERSION, backup: loaded.migrationBackup });
      });
    } catch (err) {
      // The settings are usable in memory; the file stays as it was.
      opts.logger?.warn('could not write the migrated settings file back', { path, error: (err as Error).message });
    }
  }
  return loaded;
}

function serialize(settings: Settings): string {
  return `${JSON.stringify(settings, null, 2)}\n`;
}

export interface SaveOptions {
  /** Replace a file that is invalid, newer or unreadable (it is first copied aside). */
  replaceInvalid?: boolean;
  now?: () => number;
  logger?: Logger;
}

/**
 * Saves complete settings atomically under the lock. Refused (AppFailure `conflict`) while the file
 * on disk is invalid, newer or unreadable, unless `replaceInvalid`. Returns the backup path when an
 * existing file was copied aside.
 */
/**
 * Saves the view choices alone (`ui`), into the file as it is now: whatever else it holds (a
 * source or a service block added by hand while the app runs) stays as it is. Written as
 * saveSettings writes (an older version's file copied aside first); a file that cannot be written
 * back as read (invalid, newer, unreadable) is left untouched.
 */
export async function saveUiSettings(path: string, ui: unknown, opts: SettingsIoOptions = {}): Promise<{ settings: Settings; backup?: string }> {
  const parsed = UiSettings.safeParse(ui);
  if (!parsed.success) {
    const e = invalidInput(parsed.error, 'ui');
    throw new AppFailure('invalid-input', e.message, { field: e.field });
  }
  return writeUnderLock(path, opts, (current) => Settings.parse({ ...current.settings, ui: parsed.data }));
}

export async function saveSettings(path: string, next: unknown, opts: SaveOptions = {}): Promise<{ settings: Settings; backup?: string }> {
  const parsed = Settings.safeParse(next);
  if (!parsed.success) {
    const e = invalidInput(parsed.error, 'settings');
    throw new AppFailure('invalid-input', e.message, { field: e.field });
  }
  const ids = new Set<string>();
  parsed.data.sources.forEach((s, i) => {
    if (ids.has(s.id)) throw new AppFailure('invalid-input', `settings.sources.${i}.id: the id "${s.id}" is used twice; source ids must be unique.`, { field: `settings.sources.${i}.id` });
    ids.add(s.id);
  });
  const settings = parsed.data;
  return writeUnderLock(path, opts, () => settings);
}

/**
 * Writes the settings `make` gives from the file as it is now, under the cross-process lock: a file
 * that is invalid, newer or unreadable is refused unless `replaceInvalid` (then copied aside), and
 * a file of an older version is copied aside before it is replaced.
 */
async function writeUnderLock(path: string, opts: SaveOptions, make: (current: ParsedSettings) => Settings): Promise<{ settings: Settings; backup?: string }> {
  const now = opts.now ?? Date.now;
  return withFileLock(path, async () => {
    const current = await readParsed(path);
    let backup: string | undefined;
    if (current.status !== 'missing') {
      if (!isWritable(current)) {
        if (!opts.replaceInvalid) {
          const first = current.problems[0]?.message ?? 'it is not valid';
          throw new AppFailure(
            'conflict',
            `The settings file ${path} was not saved, because the file on disk ${current.status === 'newer' ? 'was written by a newer version of Print Queue Monitor' : 'has a problem'}: ${first} It is left untouched; fix it by hand, or choose to replace it (the current file is kept as a backup).`,
          );
        }
        backup = await copyAside(path, current.status === 'newer' ? 'newer-backup' : 'invalid-backup', now());
      } else if (current.fileVersion !== null && current.fileVersion < SETTINGS_VERSION) {
        backup = await copyAside(path, `v${current.fileVersion}-backup`, now());
      }
    }
    const settings = make(current);
    await writeFileAtomic(path, serialize(settings));
    opts.logger?.info('settings saved', { path, sources: settings.sources.length, backup });
    return backup ? { settings, backup } : { settings };
  });
}
