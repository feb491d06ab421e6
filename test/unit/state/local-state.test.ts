import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileTrackedStore, MAX_TRACKED } from '../../../main/state/tracked';
import { createRedactor, REDACTED } from '../../../main/state/redact';
import { createEnvSecretStore, secretEnvNames } from '../../../main/state/secrets-env';
import { createFileLogger } from '../../../main/state/logger';
import { buildDiagnostics } from '../../../main/state/diagnostics';
import { withFileLock, lockPathFor } from '../../../main/state/lock';
import { moveAside, removeLeftoverTempFiles, writeFileAtomic } from '../../../main/state/atomic-file';
import { defaultSettings } from '../../../main/state/settings';
import { AppFailure } from '../../../preload/contract/model';
import type { TrackedJob } from '../../../main/ports/ports';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pqm-state-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const GUID = '5091E665-8916-4D21-996E-00A2DE5DE416';
const TOKEN = 'tok_9f8e7d6c5b4a3210zyx';

describe('tracked ids', () => {
  const t = (id: string, over: Partial<TrackedJob> = {}): TrackedJob => ({ sourceId: 'ao', id, addedAt: '2026-06-15T10:00:00.000Z', ...over });

  it('persist across restarts (a new store on the same file), with update and remove', async () => {
    const file = join(dir, 'tracked.json');
    const a = createFileTrackedStore(file);
    await a.add(t('j:1', { kind: 'pdf' }));
    await a.add(t('j/2'));
    await a.add(t('j:1', { kind: 'html' })); // replaces, never duplicates
    await a.update('ao', 'j/2', { finishedAt: '2026-06-15T11:00:00.000Z' });
    const restarted = createFileTrackedStore(file);
    expect(await restarted.list()).toEqual([t('j/2', { finishedAt: '2026-06-15T11:00:00.000Z' }), t('j:1', { kind: 'html' })]);
    expect(await restarted.list('other')).toEqual([]);
    await restarted.remove('ao', 'j:1');
    expect((await createFileTrackedStore(file).list()).map((j) => j.id)).toEqual(['j/2']);
  });

  it('two writers (the app and the CLI) adding at once lose nothing', async () => {
    const file = join(dir, 'tracked.json');
    const app = createFileTrackedStore(file);
    const cli = createFileTrackedStore(file);
    await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? app : cli).add(t(`id-${i}`))));
    expect((await createFileTrackedStore(file).list()).map((j) => j.id).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `id-${i}`).sort());
  });

  it('a corrupt file is moved aside with a log line, never dropped silently', async () => {
    const file = join(dir, 'tracked.json');
    await writeFile(file, '{"version":1,"jobs":[{"sourceId":"ao"');
    const logs: string[] = [];
    const store = createFileTrackedStore(file, { logger: { debug() {}, info() {}, warn() {}, error: (m) => logs.push(m) }, now: () => Date.UTC(2026, 5, 15) });
    expect(await store.list()).toEqual([]);
    await store.add(t('new'));
    expect((await readdir(dir)).sort()).toEqual(['tracked.json', 'tracked.json.corrupt-2026-06-15T00-00-00-000Z']);
    expect(logs).toEqual(['tracked ids file was corrupt and has been moved aside']);
    expect((await store.list()).map((j) => j.id)).toEqual(['new']);
  });

  it('refuses an invalid entry and keeps at most MAX_TRACKED, dropping the oldest finished first', async () => {
    const file = join(dir, 'tracked.json');
    const store = createFileTrackedStore(file);
    await expect(store.add({ sourceId: '', id: 'x', addedAt: 'now' })).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringMatching(/^A tracked job id cannot be kept: tracked\.sourceId/) });
    const jobs = Array.from({ length: MAX_TRACKED + 2 }, (_, i) => t(`f${i}`, { finishedAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString() }));
    await writeFile(file, JSON.stringify({ version: 1, jobs }));
    await store.add(t('active'));
    const ids = (await store.list()).map((j) => j.id);
    expect(ids).toHaveLength(MAX_TRACKED);
    expect(ids).toContain('active');
    expect(ids).not.toContain('f0');
    expect(ids).not.toContain('f1');
    expect(ids).not.toContain('f2');
    expect(ids).toContain(`f${MAX_TRACKED + 1}`);
  });
});

describe('redaction', () => {
  it('hides known secrets in every form they travel', () => {
    const r = createRedactor([GUID, TOKEN]);
    const basic = Buffer.from(`${GUID}:`).toString('base64');
    const text = `license ${GUID} in ?x=${encodeURIComponent(`{${GUID}}`)} header Basic ${basic} and ${TOKEN.toUpperCase()}`;
    const out = r.redactText(text);
    expect(out).not.toContain(GUID);
    expect(out).not.toContain(basic);
    expect(out.toLowerCase()).not.toContain(TOKEN.toLowerCase());
    expect(out).toContain(REDACTED);
  });

  it('hides secrets it was never told about, by shape', () => {
    const r = createRedactor();
    const cases = [
      'Authorization: Bearer abc.def.ghi-123456',
      '{"authorization":"securityCode s3cr3tcode"}',
      'GET /jobs?securityCode=abcdef123&x=1',
      'token=zzzzzzzzzz',
      'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig_nature',
    ];
    for (const c of cases) expect(r.redactText(c), c).toContain(REDACTED);
    expect(r.redactText('GET /jobs?securityCode=abcdef123&x=1')).toBe(`GET /jobs?securityCode=${REDACTED}&x=1`);
    expect(r.redactText('A job printed 3 pages on HP LaserJet')).toBe('A job printed 3 pages on HP LaserJet');
  });

  it('redacts values under secret keys, errors, and forgets removed secrets', () => {
    const r = createRedactor([TOKEN]);
    expect(r.redactValue({ headers: { Authorization: 'x y', accept: 'json' }, securityCode: 'abc', license: { company: 'Acme' }, list: [`t ${TOKEN}`] })).toEqual({
      headers: { Authorization: REDACTED, accept: 'json' },
      securityCode: REDACTED,
      license: { company: 'Acme' },
      list: [`t ${REDACTED}`],
    });
    expect(r.redactError(new AppFailure('auth-required', `refused ${TOKEN}`, { sourceId: 'ao' }))).toEqual({ code: 'auth-required', message: `refused ${REDACTED}`, sourceId: 'ao' });
    expect(r.redactError(new Error(`boom ${TOKEN}`))).toEqual({ code: 'internal', message: `boom ${REDACTED}` });
    r.removeSecret(TOKEN);
    expect(r.redactText(`x ${TOKEN}`)).toBe(`x ${TOKEN}`);
  });
});

describe('environment secrets (the CLI)', () => {
  it('reads PQM_SECRET_<SOURCEID>_<NAME>, tells the redactor every value, and refuses to store', async () => {
    const r = createRedactor();
    const env = { PQM_SECRET_MY_SRC_TOKEN: ` ${TOKEN} `, PQM_SECRET_LOCAL_LICENSE: '', PQM_SECRET_OTHER_X: 'unrelated-secret-value', PATH: '/bin' };
    const s = createEnvSecretStore(env, r);
    expect(await s.get('my-src', 'TOKEN')).toBe(TOKEN);
    expect(await s.has('my-src', 'TOKEN')).toBe(true);
    expect(await s.get('local', 'LICENSE')).toBeUndefined();
    expect(await s.has('local', 'LICENSE')).toBe(false);
    expect(r.redactText(`a ${TOKEN} b unrelated-secret-value`)).toBe(`a ${REDACTED} b ${REDACTED}`);
    await expect(s.set('my-src', 'TOKEN', 'v')).rejects.toMatchObject({ code: 'unsupported', message: expect.stringContaining('PQM_SECRET_MY_SRC_TOKEN') });
    await expect(s.delete('my-src', 'TOKEN')).rejects.toMatchObject({ code: 'unsupported' });
    expect(secretEnvNames('up')).toContain('PQM_SECRET_UP_TOKEN');
  });
});

describe('the file logger', () => {
  it('writes redacted JSON lines and rotates, keeping `keep` older files', () => {
    const r = createRedactor([TOKEN]);
    const log = createFileLogger({ dir, fileName: 'cli.log', maxBytes: 400, keep: 2, redactor: r, level: 'info' });
    log.debug('not written');
    log.info(`token ${TOKEN} used`, { headers: { authorization: `Bearer ${TOKEN}` }, n: 1 });
    for (let i = 0; i < 20; i++) log.warn(`line ${i}`, { i });
    const files = log.files();
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['cli.log', 'cli.log.1', 'cli.log.2']);
    return Promise.all(files.map((f) => readFile(f, 'utf8'))).then((texts) => {
      const all = texts.join('');
      expect(all).not.toContain(TOKEN);
      expect(all).not.toContain('not written');
      for (const t of texts) for (const line of t.trim().split('\n')) expect(JSON.parse(line)).toMatchObject({ at: expect.any(String), level: expect.stringMatching(/info|warn/) });
      expect(texts[0]).toContain('"line 19"');
      for (const t of texts) expect(t.length).toBeLessThanOrEqual(400);
    });
  });
});

describe('the diagnostics bundle', () => {
  it('holds versions, settings, problems and the last log lines, and never a secret', async () => {
    const r = createRedactor([GUID]);
    const logFile = join(dir, 'main.log');
    // A secret that reached a log line by another road is still removed from the bundle.
    await writeFile(logFile, ['{"message":"one"}', `{"message":"license ${GUID}"}`, '{"message":"three"}', ''].join('\n'));
    const settings = defaultSettings();
    const text = await buildDiagnostics({
      now: Date.UTC(2026, 5, 15),
      versions: { app: '1.2.3' },
      configPath: join(dir, 'settings.json'),
      settings,
      problems: [{ field: 'sources.1.baseUrl', message: 'bad' }],
      sources: [],
      secrets: [{ sourceId: 'local', name: 'LICENSE', present: true }],
      logFiles: [logFile, join(dir, 'missing.log')],
      redactor: r,
      maxLogLines: 2,
    });
    expect(text).not.toContain(GUID);
    const b = JSON.parse(text);
    expect(b).toMatchObject({ kind: 'print-queue-monitor-diagnostics', generatedAt: '2026-06-15T00:00:00.000Z', versions: { app: '1.2.3' }, settingsProblems: [{ field: 'sources.1.baseUrl' }] });
    expect(b.settings.sources).toEqual(settings.sources);
    expect(b.logs).toEqual([{ file: 'main.log', lines: [`{"message":"license ${REDACTED}"}`, '{"message":"three"}'] }]);
  });
});

describe('the cross-process lock', () => {
  it('serializes critical sections', async () => {
    const target = join(dir, 'x.json');
    let inside = 0;
    let maxInside = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        withFileLock(target, async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          await new Promise((res) => setTimeout(res, 3));
          inside--;
        }),
      ),
    );
    expect(maxInside).toBe(1);
    expect(await readdir(dir)).toEqual([]);
  });

  it('recovers a lock left by a dead process at once', async () => {
    const target = join(dir, 'x.json');
    await writeFile(lockPathFor(target), JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), at: Date.now(), nonce: 'dead' }));
    // Its age is far from stale: only seeing that its owner is gone can free it.
    expect(await withFileLock(target, async () => 'ran', { staleMs: 3_600_000, timeoutMs: 60_000 })).toBe('ran');
  });

  it('gives up with a clear conflict when a live process holds it', async () => {
    const target = join(dir, 'x.json');
    await writeFile(lockPathFor(target), JSON.stringify({ pid: process.pid, host: hostname(), at: Date.now(), nonce: 'live' }));
    const err = await withFileLock(target, async () => 'ran', { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppFailure);
    expect(err).toMatchObject({ code: 'conflict', message: expect.stringContaining(lockPathFor(target)) });
    // The other process's lock is left alone.
    expect(JSON.parse(await readFile(lockPathFor(target), 'utf8')).nonce).toBe('live');
  });
});

describe('atomic files', () => {
  it('replace the file without leaving temp files; old leftovers are swept; aside names never collide', async () => {
    const target = join(dir, 'h.json');
    await writeFileAtomic(target, 'one');
    await writeFileAtomic(target, 'two');
    expect(await readFile(target, 'utf8')).toBe('two');
    expect(await readdir(dir)).toEqual(['h.json']);
    const old = join(dir, '.h.json.pqm-tmp-1-aaaa');
    const fresh = join(dir, '.h.json.pqm-tmp-2-bbbb');
    await writeFile(old, 'x');
    await writeFile(fresh, 'y');
    const past = new Date(Date.now() - 120_000);
    await utimes(old, past, past);
    expect(await removeLeftoverTempFiles(target)).toBe(1);
    expect((await readdir(dir)).sort()).toEqual(['.h.json.pqm-tmp-2-bbbb', 'h.json']);
    const now = Date.UTC(2026, 5, 15);
    const a = await moveAside(target, 'corrupt', now);
    await writeFileAtomic(target, 'three');
    const b = await moveAside(target, 'corrupt', now);
    expect(a).not.toBe(b);
    expect(await readFile(a, 'utf8')).toBe('two');
    expect(await readFile(b, 'utf8')).toBe('three');
  });
});
