import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSettings, loadSettings, parseSettingsText, resolveConfigPath, saveSettings } from '../../../main/state/settings';
import { AppFailure } from '../../../preload/contract/model';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pqm-settings-'));
  file = join(dir, 'settings.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('resolveConfigPath', () => {
  const base = { env: {}, platform: 'linux' as const, homeDir: '/home/ann', cwd: '/work' };
  it('prefers --config, then PQM_CONFIG, then userData', () => {
    expect(resolveConfigPath({ ...base, argv: ['jobs', '--config', 'my.json'], env: { PQM_CONFIG: '/etc/x.json' } })).toBe('/work/my.json');
    expect(resolveConfigPath({ ...base, argv: ['--config=/abs/s.json'] })).toBe('/abs/s.json');
    expect(resolveConfigPath({ ...base, argv: ['jobs'], env: { PQM_CONFIG: '/etc/x.json' } })).toBe('/etc/x.json');
    expect(resolveConfigPath({ ...base, argv: [], userDataDir: '/ud' })).toBe('/ud/settings.json');
  });
  it('uses each platform folder', () => {
    expect(resolveConfigPath({ ...base, argv: [] })).toBe('/home/ann/.config/Print Queue Monitor/settings.json');
    expect(resolveConfigPath({ ...base, argv: [], platform: 'darwin' })).toBe('/home/ann/Library/Application Support/Print Queue Monitor/settings.json');
    expect(resolveConfigPath({ ...base, argv: [], platform: 'win32', env: { APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' } })).toBe('C:\\Users\\ann\\AppData\\Roaming\\Print Queue Monitor\\settings.json');
  });
  it('refuses --config without a value', () => {
    expect(() => resolveConfigPath({ ...base, argv: ['--config'] })).toThrow(/--config needs the path/);
    expect(() => resolveConfigPath({ ...base, argv: ['--config', '--json'] })).toThrow(AppFailure);
  });
});

describe('parsing', () => {
  it('a missing file gives defaults with the local ScriptX source, and is writable', async () => {
    const s = await loadSettings(file);
    expect(s.status).toBe('missing');
    expect(s.writable).toBe(true);
    expect(s.settings.sources).toEqual([{ id: 'local', kind: 'scriptx' }]);
    expect(s.settings.history).toEqual({ retentionDays: 30, maxJobs: 5000 });
  });

  it('validates sources one by one: an invalid one is reported and skipped, the others run', () => {
    const p = parseSettingsText(
      JSON.stringify({
        version: 1,
        sources: [
          { id: 'local', kind: 'scriptx' },
          { id: 'ao', kind: 'aodocs', libraryIds: ['L1'] },
          { id: 'bad', kind: 'scriptx', baseUrl: 'ftp://x' },
          { id: 'local', kind: 'scriptx', baseUrl: 'http://127.0.0.1:1' },
          { id: 'Up', kind: 'graph' },
        ],
      }),
    );
    expect(p.status).toBe('invalid');
    expect(p.settings.sources.map((s) => s.id)).toEqual(['local', 'ao']);
    expect(p.problems.map((x) => x.field)).toEqual(['sources.2.baseUrl', 'sources.3.id', 'sources.4.id']);
    expect(p.problems[0].message).toMatch(/sources\.2\.baseUrl: must be an http/);
    expect(p.problems[1].message).toMatch(/already used by sources\.0/);
  });

  it('an invalid section falls back to its defaults and is reported', () => {
    const p = parseSettingsText(JSON.stringify({ version: 1, sources: [], history: { retentionDays: 0 } }));
    expect(p.settings.history.retentionDays).toBe(30);
    expect(p.problems[0].field).toBe('history.retentionDays');
  });

  it('rejects secret-looking keys and says where secrets go', () => {
    const p = parseSettingsText(JSON.stringify({ version: 1, sources: [{ id: 'my-pc', kind: 'scriptx', license: '5091E665-8916-4D21-996E-00A2DE5DE416' }, { id: 'ao', kind: 'aodocs', libraryIds: ['L'], securityCode: 'abc' }], token: 'x' }));
    expect(p.settings.sources).toEqual([]);
    const byField = Object.fromEntries(p.problems.map((x) => [x.field, x.message]));
    expect(byField['sources.0.license']).toMatch(/PQM_SECRET_MY_PC_LICENSE/);
    expect(byField['sources.1.securityCode']).toMatch(/PQM_SECRET_AO_SECURITY_CODE/);
    expect(byField.token).toMatch(/never kept in the settings file/);
    // The secret value itself is never repeated in a message.
    expect(JSON.stringify(p.problems)).not.toContain('5091E665');
  });

  it('does not take notification keys such as licenseExpiring for secrets', () => {
    const p = parseSettingsText(JSON.stringify({ version: 1, sources: [], notifications: { events: { licenseExpiring: false } } }));
    expect(p.problems).toEqual([]);
    expect(p.settings.notifications.events.licenseExpiring).toBe(false);
  });

  it('invalid JSON runs with no source and says why', () => {
    const p = parseSettingsText('{ "version": 1, ');
    expect(p.status).toBe('unreadable');
    expect(p.settings.sources).toEqual([]);
    expect(p.problems[0].message).toMatch(/not valid JSON/);
  });

  it('a file saved as UTF-16 (Windows PowerShell 5\'s > and Out-File) is named as such, with how to save it as UTF-8', () => {
    const json = JSON.stringify({ version: 1, sources: [{ id: 'local', kind: 'scriptx' }] });
    // As the settings file is read (UTF-8): little- and big-endian, each with its byte-order mark.
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json, 'utf16le')]).toString('utf8');
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(json, 'utf16le').swap16()]).toString('utf8');
    for (const text of [le, be]) {
      const p = parseSettingsText(text);
      expect(p.status).toBe('unreadable');
      expect(p.settings.sources).toEqual([]);
      expect(p.problems).toEqual([{ field: '', message: expect.stringMatching(/^The settings file is saved as UTF-16 .*save it as UTF-8 \(Notepad: Save as, Encoding UTF-8; PowerShell: Set-Content -Encoding utf8\)\./) }]);
    }
    // UTF-8 with a byte-order mark (PowerShell's Set-Content -Encoding utf8) is read.
    expect(parseSettingsText(`\uFEFF${json}`).settings.sources.map((s) => s.id)).toEqual(['local']);
  });

  it('a newer file is read as far as possible', () => {
    const p = parseSettingsText(JSON.stringify({ version: 7, sources: [{ id: 'local', kind: 'scriptx' }] }));
    expect(p.status).toBe('newer');
    expect(p.settings.sources.map((s) => s.id)).toEqual(['local']);
    expect(p.problems[0].message).toMatch(/version 7.*knows version 1/);
  });
});

describe('never overwrite an invalid or newer file', () => {
  const good = () => ({ ...defaultSettings(), sources: [{ id: 'x', kind: 'scriptx' as const }] });

  for (const [name, text] of [
    ['invalid JSON', '{ nope'],
    ['newer version', JSON.stringify({ version: 2, sources: [] })],
    ['an invalid source', JSON.stringify({ version: 1, sources: [{ id: 'BAD', kind: 'scriptx' }] })],
    ['a secret in it', JSON.stringify({ version: 1, sources: [{ id: 'a', kind: 'scriptx', password: 'p' }] })],
  ] as const) {
    it(`refuses to save over ${name}, and replaces it only when asked (with a backup)`, async () => {
      await writeFile(file, text);
      const loaded = await loadSettings(file);
      expect(loaded.writable).toBe(false);
      await expect(saveSettings(file, good())).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/was not saved.*left untouched/) });
      expect(await readFile(file, 'utf8')).toBe(text);
      const r = await saveSettings(file, good(), { replaceInvalid: true });
      expect(r.backup).toBeDefined();
      expect(await readFile(r.backup!, 'utf8')).toBe(text);
      expect(JSON.parse(await readFile(file, 'utf8')).sources).toEqual([{ id: 'x', kind: 'scriptx' }]);
    });
  }

  it('saves a valid file and reads back the same settings', async () => {
    await saveSettings(file, good());
    const again = await loadSettings(file);
    expect(again.status).toBe('ok');
    expect(again.settings).toEqual(good());
  });

  it('refuses invalid settings with the field named, and duplicate ids', async () => {
    await expect(saveSettings(file, { ...good(), sources: [{ id: 'x', kind: 'scriptx', baseUrl: 'nope' }] })).rejects.toMatchObject({ code: 'invalid-input', field: 'settings.sources.0.baseUrl' });
    await expect(saveSettings(file, { ...good(), sources: [{ id: 'x', kind: 'scriptx' }, { id: 'x', kind: 'scriptx' }] })).rejects.toMatchObject({ code: 'invalid-input', field: 'settings.sources.1.id' });
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('migration', () => {
  it('an unversioned file migrates to version 1 and is written back with a backup', async () => {
    const v0 = JSON.stringify({ sources: [{ id: 'local', kind: 'scriptx', baseUrl: 'http://127.0.0.1:41191' }], history: { retentionDays: 7 } });
    await writeFile(file, v0);
    const s = await loadSettings(file, { now: () => Date.UTC(2026, 0, 2) });
    expect(s.problems).toEqual([]);
    expect(s.settings.history.retentionDays).toBe(7);
    expect(s.migrationBackup).toMatch(/settings\.json\.v0-backup-2026-01-02/);
    expect(await readFile(s.migrationBackup!, 'utf8')).toBe(v0);
    const written = JSON.parse(await readFile(file, 'utf8'));
    expect(written.version).toBe(1);
    expect(written.sources[0].baseUrl).toBe('http://127.0.0.1:41191');
  });

  it('a version 0 file with a problem is migrated in memory only, never written', async () => {
    const v0 = JSON.stringify({ version: 0, sources: [{ id: 'ok', kind: 'scriptx' }, { id: 'x', kind: 'nope' }] });
    await writeFile(file, v0);
    const s = await loadSettings(file);
    expect(s.settings.sources.map((x) => x.id)).toEqual(['ok']);
    expect(s.problems[0].field).toBe('sources.1.kind');
    expect(await readFile(file, 'utf8')).toBe(v0);
    expect(await readdir(dir)).toEqual(['settings.json']);
  });

  it('the CLI can load read-only (no write-back)', async () => {
    const v0 = JSON.stringify({ sources: [] });
    await writeFile(file, v0);
    const s = await loadSettings(file, { writeBackMigration: false });
    expect(s.status).toBe('migrated');
    expect(await readFile(file, 'utf8')).toBe(v0);
  });
});
