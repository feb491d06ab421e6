/**
 * The real `pqm` program, run as a child process against the AODocs simulator on 127.0.0.1, with
 * a temp settings file and secrets in PQM_SECRET_* variables: every command, its JSON shape and
 * its exit code; settings problems; tracked ids across runs; history; secrets never printed or kept.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startAodocsSimulator, type AodocsSimulator } from '../simulators/aodocs/server';
import { createHistoryStore } from '../../main/state/history';
import { csvLocalTime, csvUtcOffset } from '../../preload/contract/csv';
import { COMMANDS } from '../../main/cli/commands';
import { runCli } from '../../main/cli/run';
import { signInLine } from '../../main/cli/format';
import type { HistoryEntry, Job, SourceHealth } from '../../preload/contract/model';
import { allFilesText, buildCli, cliHome, installedCommand, ROOT, runPqm, startPqm, until, type CliEnv, stopRunningPqm } from './helpers';

const CODE = 'sec-code-S3cr3tV4lue-9f2e1d';
const OTHER_CODE = 'other-code-Zq81k2m3n4';
const SECRET_ENV = { PQM_SECRET_AO_SECURITY_CODE: CODE };

let sim: AodocsSimulator;
let bundle: string;
let disposeBuild: () => Promise<void>;
const homes: { dispose(): Promise<void> }[] = [];
/** Every stdout/stderr of every run, scanned for secrets at the end. */
const outputs: string[] = [];

beforeAll(async () => {
  sim = await startAodocsSimulator({
    credentials: [
      { scheme: 'securityCode', value: CODE, user: 'ann@example.com' },
      { scheme: 'securityCode', value: OTHER_CODE, user: 'eve@example.com', expiresAt: 1 },
    ],
    libraries: [
      { id: 'lib-a', admins: ['ann@example.com'] },
      { id: 'lib-b', admins: [] },
    ],
  });
  const built = await buildCli();
  bundle = built.bundle;
  disposeBuild = built.dispose;
});
afterAll(async () => {
  await sim?.close();
  await disposeBuild?.();
});
afterEach(async () => {
  stopRunningPqm();
  for (const h of homes.splice(0)) await h.dispose();
});

function aoSource(over: Record<string, unknown> = {}) {
  return { id: 'ao', kind: 'aodocs', baseUrl: sim.baseUrl, libraryIds: ['lib-a'], user: 'ann@example.com', ...over };
}

async function home(settings: unknown, secrets: Record<string, string> = SECRET_ENV) {
  const h = await cliHome(settings, secrets);
  homes.push(h);
  return h;
}

async function pqm(h: CliEnv, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = await runPqm(bundle, ['--config', h.config, ...args], { env: { ...h.env, ...env } });
  outputs.push(r.stdout, r.stderr);
  return r;
}

/**
 * The same command through the same entry in this process: for checking what several commands print
 * against one home once a real process has shown the exit code and output of that command family
 * (a process start can take seconds on a loaded machine).
 */
async function pqmInProcess(h: CliEnv, args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli({ argv: ['--config', h.config, ...args], env: h.env, cwd: h.dir, platform: process.platform, version: '0.0.0', stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), interrupted: new Promise(() => undefined) });
  outputs.push(stdout, stderr);
  return { code, stdout, stderr };
}

const lastErrorJson = (stderr: string) => JSON.parse(stderr.trim().split('\n').filter((l) => l.startsWith('{')).pop()!) as { error: { code: string; message: string; field?: string; sourceId?: string } };

describe('help and usage', () => {
  it('every command has --help (exit 0); the top-level help lists them all', async () => {
    const h = await home(undefined);
    const top = await runPqm(bundle, ['--help'], { env: h.env });
    expect(top.code).toBe(0);
    for (const c of COMMANDS) expect(top.stdout).toContain(c.name);
    // It names every kind of source it reads, as the app's settings do.
    expect(top.stdout.split('\n')[0]).toMatch(/\(ScriptX\.Services, Universal Print \(Microsoft Graph\), AODocs, IPP printer or CUPS server, Print queues on this PC \(Windows\)\)\.$/);
    // Each command's help, through the same entry (in-process: 13 process starts would cost seconds).
    for (const c of COMMANDS) {
      let out = '';
      let err = '';
      const code = await runCli({ argv: [...c.name.split(' '), '--help'], env: h.env, cwd: h.dir, platform: process.platform, version: '0.0.0', stdout: (t) => (out += t), stderr: (t) => (err += t), interrupted: new Promise(() => undefined) });
      expect(code, c.name).toBe(0);
      expect(out).toContain(`Usage: pqm [--config <file>] ${c.name}`);
      for (const o of Object.keys(c.options)) expect(out, `${c.name} ${o}`).toContain(o);
      // A date alone is said to mean local midnight wherever --since is taken.
      if ('--since' in c.options) expect(out, c.name).toContain('--since: a date (2026-06-01: from midnight local time)');
      expect(err).toBe('');
    }
    const real = await runPqm(bundle, ['history', 'export', '--help'], { env: h.env });
    expect(real.code).toBe(0);
    expect(real.stdout).toContain('Usage: pqm [--config <file>] history export (--csv | --json)');
    const v = await runPqm(bundle, ['--version'], { env: h.env });
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    // The first word of sub-commands with --help lists them, as help (exit 0), not as a usage error.
    for (const family of [...new Set(COMMANDS.filter((c) => c.name.includes(' ')).map((c) => c.name.split(' ')[0]!))]) {
      let out = '';
      let err = '';
      const code = await runCli({ argv: [family, '--help'], env: h.env, cwd: h.dir, platform: process.platform, version: '0.0.0', stdout: (t) => (out += t), stderr: (t) => (err += t), interrupted: new Promise(() => undefined) });
      if (COMMANDS.some((c) => c.name === family)) {
        // `history` is a command of its own as well: its help.
        expect(out, family).toContain(`Usage: pqm [--config <file>] ${family} `);
      } else {
        expect(code, family).toBe(0);
        expect(out).toMatch(new RegExp(`^Usage: pqm \\[--config <file>\\] ${family} <`));
        for (const c of COMMANDS.filter((x) => x.name.startsWith(`${family} `))) {
          const line = out.split('\n').find((l) => l.startsWith(`  ${c.name} `));
          expect(line?.slice(`  ${c.name}`.length).trimStart(), c.name).toBe(c.summary);
        }
      }
      expect(err).toBe('');
    }
  });

  // One test per case: each is a process start, which a loaded machine can make take seconds.
  const usageCases: [string[], RegExp][] = [
    [['frobnicate'], /"frobnicate" is not a pqm command/],
    [['jobs', '--csv'], /^pqm: error \(invalid-input\): jobs has no option --csv\. \(see: pqm jobs --help\)$/m],
    [['track', 'ao'], /track needs <id>/],
    [['cancel', 'a:1', 'b:2'], /cancel does not take "b:2"/],
    [['track', 'ao', 'x', '--kind', 'docx'], /--kind must be one of html, pdf; "docx" is not/],
    [['history', '--since', 'yesterdayish'], /--since must be a date/],
    [['history', 'export'], /exactly one of --csv and --json/],
    [['settings'], /needs a sub-command: settings validate, settings show, settings path\. \(see: pqm settings --help\)/],
    [['--csv', 'history'], /put --csv after it/],
    [['print', 'ao'], /exactly one of --file, --url or --html/],
  ];
  it.each(usageCases)('usage error %j exits 2 with one line naming what is wrong', async (args, re) => {
    const h = await home({ version: 1, sources: [aoSource()] });
    const r = await pqm(h, args);
    expect(r.code, args.join(' ')).toBe(2);
    expect(r.stderr.split('\n')[0], args.join(' ')).toMatch(/^pqm: error \(invalid-input\): /);
    expect(r.stderr, args.join(' ')).toMatch(re);
    expect(r.stdout).toBe('');
  });

  it('options are read in the forms the help shows (decimal numbers, ISO 8601 dates, web addresses) and a bad value is named by its option', async () => {
    const h = await home({ version: 1, sources: [aoSource()] });
    const cases: [string[], RegExp][] = [
      [['history', '--since', '1'], /--since must be a date such as 2026-06-01/],
      [['history', '--since', 'March 7'], /--since must be a date/],
      [['history', '--since', '01/06/2026'], /--since must be a date/],
      // A date that does not exist is refused, never read as another (Date.parse reads 31 February as 3 March).
      [['history', '--since', '2026-02-31'], /--since must be a date that exists, not "2026-02-31": 2026-02 has 28 days\./],
      [['history', '--since', '2026-02-29T08:00:00Z'], /--since must be a date that exists, not "2026-02-29T08:00:00Z": 2026-02 has 28 days\./],
      [['history', '--since', '2026-04-31T08:00'], /2026-04 has 30 days/],
      [['history', '--since', '2026-06-00'], /2026-06 has 30 days/],
      [['history', '--since', '2026-13-01'], /--since must be a date that exists, not "2026-13-01": there is no month 13\./],
      [['history', '--since', '2026-06-01T24:00'], /--since must be a date that exists, not "2026-06-01T24:00": hours go from 00 to 23\./],
      [['history', '--limit', '0x2'], /--limit must be a whole number from 1 to 100000, not "0x2"/],
      [['history', '--limit', '2.0'], /--limit must be a whole number/],
      [['print', 'ao', '--html', '<p>x</p>', '--copies', '0x10'], /--copies must be a whole number from 1 to 999, not "0x10"/],
      [['print', 'ao', '--html', '<p>x</p>', '--copies', '1e2'], /--copies must be a whole number/],
      [['print', 'ao', '--html', '<p>x</p>', '--copies', '0b11'], /--copies must be a whole number/],
      // Said in the option's name, not the request's field (document.url).
      [['print', 'ao', '--url', 'notaurl'], /--url must be an http:\/\/ or https:\/\/ address, not "notaurl"/],
      [['print', 'ao', '--url', 'file:///C:/x.pdf'], /--url must be an http:\/\/ or https:\/\/ address/],
      // A key in no shape at all says what a key is, not the schema's "Too small".
      [['cancel', ''], /^pqm: error \(invalid-input\): key: a job key is "<sourceId>:<id>"/m],
      [['cancel', ':'], /a job key is "<sourceId>:<id>"/],
    ];
    for (const [args, re] of cases) {
      const r = await pqmInProcess(h, args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(re);
    }
    for (const since of ['2026-06-01', '2026-06-01T08:00', '2026-06-01T08:00:00Z', '2026-06-01T08:00:00.5+02:00', '2024-02-29', '2026-12-31T23:59:59Z']) {
      expect((await pqmInProcess(h, ['history', '--json', '--since', since])).code, since).toBe(0);
    }
  });

  it('a log file that cannot be written is said once, as a pqm line, and the command goes on', async () => {
    const h = await home({ version: 1, sources: [] });
    // A file where the logs folder would be.
    await writeFile(join(h.dir, 'logs'), 'not a folder');
    const r = await pqmInProcess(h, ['sources', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^pqm: Print Queue Monitor cannot write its log file .*cli\.log \((EEXIST|ENOTDIR)\); it goes on without it\.$/m);
    expect(r.stderr.match(/cannot write its log file/g)).toHaveLength(1);
  });

  it('usage errors with --json are JSON on stderr', async () => {
    const h = await home({ version: 1, sources: [aoSource()] });
    const j = await pqm(h, ['track', 'ao', 'x', '--kind', 'docx', '--json']);
    expect(j.code).toBe(2);
    expect(lastErrorJson(j.stderr).error.code).toBe('invalid-input');
    const both = await pqm(h, ['history', '--csv', '--json']);
    expect(both.code).toBe(2);
    expect(lastErrorJson(both.stderr).error).toEqual({ code: 'invalid-input', message: 'Choose one of --csv and --json.' });
  });
});

describe('sources, jobs, track, cancel against the AODocs simulator', () => {
  it('sources --json: the health array; a refused credential is auth-required with exit 3', async () => {
    const h = await home({ version: 1, sources: [aoSource(), aoSource({ id: 'off', enabled: false })] });
    const r = await pqm(h, ['sources', '--json']);
    expect(r.code).toBe(0);
    const health = JSON.parse(r.stdout) as SourceHealth[];
    expect(health.map((s) => [s.id, s.kind, s.status])).toEqual([
      ['ao', 'aodocs', 'ok'],
      ['off', 'aodocs', 'disabled'],
    ]);
    for (const s of health) expect(Object.keys(s)).toEqual(expect.arrayContaining(['id', 'kind', 'name', 'status', 'message', 'lastSuccessAt', 'lastErrorAt']));
    expect(health[0].lastSuccessAt).not.toBeNull();

    const human = await pqm(h, ['sources']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^ID\s+KIND\s+STATUS\s+MESSAGE\nao\s+aodocs\s+ok\s+/);

    const expired = await pqm(h, ['sources', '--json'], { PQM_SECRET_AO_SECURITY_CODE: OTHER_CODE });
    expect(expired.code).toBe(3);
    expect((JSON.parse(expired.stdout) as SourceHealth[])[0].status).toBe('auth-required');
    expect(expired.stderr).toMatch(/^pqm: source ao is auth-required: /m);
    expect(expired.stdout + expired.stderr).not.toContain(OTHER_CODE);

    const none = await pqm(h, ['sources', '--json'], { PQM_SECRET_AO_SECURITY_CODE: '' });
    expect(none.code).toBe(3);
    expect((JSON.parse(none.stdout) as SourceHealth[])[0].status).toBe('auth-required');
  });

  it('an unreachable service: exit 3, health down, the other source still listed', async () => {
    const closed = await startAodocsSimulator({});
    const deadUrl = closed.baseUrl;
    await closed.close();
    const job = sim.addJob({ libraryId: 'lib-a', requestor: 'ann@example.com', totalTasks: 4 });
    const h = await home({ version: 1, sources: [aoSource(), aoSource({ id: 'dead', baseUrl: deadUrl })] }, { ...SECRET_ENV, PQM_SECRET_DEAD_SECURITY_CODE: CODE });
    const r = await pqm(h, ['jobs', '--json']);
    expect(r.code).toBe(3);
    expect((JSON.parse(r.stdout) as Job[]).map((j) => j.key)).toContain(`ao:${job.jobId}`);
    expect(r.stderr).toMatch(/^pqm: source dead is down: .*\(its jobs are not listed\)$/m);
    const s = await pqm(h, ['sources', '--json']);
    expect(s.code).toBe(3);
    expect((JSON.parse(s.stdout) as SourceHealth[]).find((x) => x.id === 'dead')?.status).toBe('down');
  });

  it('jobs --json: normalized jobs; the human table; tracked ids persist across runs', async () => {
    const mine = sim.addJob({ libraryId: 'lib-a', requestor: 'ann@example.com', totalTasks: 10, succeededTasks: 5, remainingTasks: 5 });
    const elsewhere = sim.addJob({ libraryId: 'lib-b', requestor: 'bob@example.com', totalTasks: 3 });
    const h = await home({ version: 1, sources: [aoSource()] });
    const r = await pqm(h, ['jobs', '--json']);
    expect(r.code).toBe(0);
    const jobs = JSON.parse(r.stdout) as Job[];
    const j = jobs.find((x) => x.key === `ao:${mine.jobId}`)!;
    expect(j).toMatchObject({ sourceId: 'ao', sourceKind: 'aodocs', nativeId: mine.jobId, state: 'processing', rawState: 'IN_PROGRESS', owner: 'ann@example.com', printer: 'lib-a', mine: true, progress: 0.5, stale: false, stuck: false, gone: false, cancel: { allowed: true } });
    expect(jobs.some((x) => x.nativeId === elsewhere.jobId)).toBe(false);

    const t = await pqm(h, ['track', 'ao', elsewhere.jobId, '--json']);
    expect(t.code).toBe(0);
    expect(JSON.parse(t.stdout)).toMatchObject({ key: `ao:${elsewhere.jobId}`, state: 'processing', printer: 'lib-b' });
    const tracked = JSON.parse(await readFile(join(h.dir, 'tracked.json'), 'utf8'));
    expect(tracked.jobs).toEqual([expect.objectContaining({ sourceId: 'ao', id: elsewhere.jobId })]);

    // A new process knows the tracked id and polls it.
    const again = await pqm(h, ['jobs', '--json']);
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as Job[]).map((x) => x.key)).toContain(`ao:${elsewhere.jobId}`);
    // The same command's other forms, in this process (what a process start adds is shown above).
    const human = await pqmInProcess(h, ['jobs']);
    expect(human.stdout).toMatch(new RegExp(`^ao:${elsewhere.jobId}\\s+processing 0%\\s+`, 'm'));
    expect(human.stdout.split('\n')[0]).toMatch(/^KEY\s+STATE\s+DOCUMENT\s+OWNER\s+PRINTER\s+UPDATED\s+FLAGS$/);

    const unknown = await pqmInProcess(h, ['track', 'ao', 'job-does-not-exist', '--json']);
    expect(unknown.code).toBe(1);
    expect(lastErrorJson(unknown.stderr).error).toMatchObject({ code: 'not-found', sourceId: 'ao' });
    const noSource = await pqmInProcess(h, ['track', 'nope', 'x']);
    expect(noSource.code).toBe(1);
    expect(noSource.stderr.trim()).toBe('pqm: error (not-found): There is no source "nope" in the settings. [field sourceId, source nope]');
  });

  it('cancel: the job after cancel; too-late for a finished one; not-found; not-allowed for a non-admin', async () => {
    const job = sim.addJob({ libraryId: 'lib-a', requestor: 'ann@example.com', totalTasks: 10 });
    const done = sim.addJob({ libraryId: 'lib-a', requestor: 'ann@example.com', status: 'COMPLETED' });
    const h = await home({ version: 1, sources: [aoSource()] });
    const r = await pqm(h, ['cancel', `ao:${job.jobId}`, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ key: `ao:${job.jobId}`, state: 'canceled', rawState: 'CANCELLED' });
    expect(sim.getJob(job.jobId)?.status).toBe('CANCELLED');

    // The refusals through the same entry in this process.
    const late = await pqmInProcess(h, ['cancel', `ao:${done.jobId}`, '--json']);
    expect(late.code).toBe(1);
    expect(['too-late', 'not-allowed']).toContain(lastErrorJson(late.stderr).error.code);

    const missing = await pqmInProcess(h, ['cancel', 'ao:job-none']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^pqm: error \(not-found\): The job ao:job-none is not in the queue\./);
    // A message that begins with its field is not followed by the field again.
    const malformed = await pqmInProcess(h, ['cancel', 'nope']);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toBe('pqm: error (invalid-input): key: a job key is "<sourceId>:<id>"\n');

    // Cancelled jobs went to the history written by the CLI.
    const hist = await pqmInProcess(h, ['history', '--json']);
    expect((JSON.parse(hist.stdout) as HistoryEntry[]).map((e) => e.job.key)).toEqual(expect.arrayContaining([`ao:${job.jobId}`, `ao:${done.jobId}`]));
  });

  it('cancel when the service is down: exit 3', async () => {
    const closed = await startAodocsSimulator({});
    const url = closed.baseUrl;
    await closed.close();
    const h = await home({ version: 1, sources: [aoSource({ baseUrl: url })] });
    const r = await pqm(h, ['cancel', 'ao:job-1', '--json']);
    expect(r.code).toBe(3);
    expect(lastErrorJson(r.stderr).error).toMatchObject({ code: 'unreachable', sourceId: 'ao' });
  });

  it('print through a source that cannot print: unsupported, exit 1', async () => {
    const h = await home({ version: 1, sources: [aoSource()] });
    const r = await pqm(h, ['print', 'ao', '--url', 'https://example.com/a.html', '--json']);
    expect(r.code).toBe(1);
    expect(lastErrorJson(r.stderr).error).toMatchObject({ code: 'unsupported', sourceId: 'ao' });
  });

  it('watch --json: current state as added, then changes and health lines; SIGINT ends with 0', async () => {
    const job = sim.addJob({ libraryId: 'lib-a', requestor: 'ann@example.com', totalTasks: 10 });
    const h = await home({ version: 1, sources: [aoSource()], polling: { aodocs: { activeMs: 200, idleMs: 1000 } } });
    const w = startPqm(bundle, ['--config', h.config, 'watch', '--json'], { env: h.env });
    try {
      // The first health line is the source's first answer, never the 'ok' of a source not polled yet.
      const first = JSON.parse(await w.waitFor((l) => l.includes('"type":"health"')));
      expect(first).toMatchObject({ type: 'health', source: { id: 'ao', status: 'ok', lastSuccessAt: expect.any(String) } });
      expect(first.source.message).not.toBe('Not checked yet.');
      const added = JSON.parse(await w.waitFor((l) => l.includes(`"type":"added"`) && l.includes(job.jobId)));
      expect(added.job).toMatchObject({ key: `ao:${job.jobId}`, state: 'processing' });
      expect(Date.parse(added.at)).not.toBeNaN();
      sim.complete(job.jobId);
      const changed = JSON.parse(await w.waitFor((l) => l.includes('"type":"changed"') && l.includes(job.jobId) && l.includes('"completed"')));
      expect(changed.job).toMatchObject({ key: `ao:${job.jobId}`, state: 'completed', rawState: 'COMPLETED' });
      for (const l of w.lines) expect(['added', 'changed', 'removed', 'health']).toContain(JSON.parse(l).type);
      w.child.kill('SIGINT');
      expect(await w.exited).toEqual({ code: 0, signal: null });
      expect(w.stderr()).toBe('');
    } finally {
      w.child.kill('SIGKILL');
      outputs.push(w.lines.join('\n'), w.stderr());
    }
    // The job that finished while watching was recorded (flushed on the clean exit).
    const hist = JSON.parse(await readFile(join(h.dir, 'history.json'), 'utf8'));
    expect(hist.entries.map((e: HistoryEntry) => e.job.key)).toContain(`ao:${job.jobId}`);
  });

  it('SIGTERM also ends watch cleanly', async () => {
    const h = await home({ version: 1, sources: [aoSource()] });
    const w = startPqm(bundle, ['--config', h.config, 'watch'], { env: h.env });
    try {
      await w.waitFor((l) => /health\s+ao /.test(l));
      w.child.kill('SIGTERM');
      expect(await w.exited).toEqual({ code: 0, signal: null });
    } finally {
      w.child.kill('SIGKILL');
    }
  });

  it('Ctrl+C during a one-shot command ends it at once with 130', async () => {
    // An answer held back until the client goes away: only ending without it can give 130 here.
    sim.injectFault({ fault: { kind: 'slow', ms: 600_000 }, times: 1 });
    try {
      const h = await home({ version: 1, sources: [aoSource()] });
      sim.clearLog();
      const p = startPqm(bundle, ['--config', h.config, 'jobs', '--json'], { env: h.env });
      // The service is holding the answer back: the command is waiting on it.
      await until(() => sim.heldAnswers > 0);
      p.child.kill('SIGINT');
      expect(await p.exited).toEqual({ code: 130, signal: null });
    } finally {
      sim.clearFaults();
    }
  });
});

describe('settings', () => {
  it('an invalid source is named, never overwritten, and the valid source still runs', async () => {
    const job = sim.addJob({ libraryId: 'lib-a', requestor: 'ann@example.com', totalTasks: 2 });
    const text = JSON.stringify({ version: 1, sources: [aoSource(), { id: 'bad', kind: 'aodocs', baseUrl: 'ftp://x', libraryIds: ['l'] }] }, null, 2);
    const h = await home(text);
    const r = await pqm(h, ['jobs', '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Job[]).map((j) => j.key)).toContain(`ao:${job.jobId}`);
    // The field once, then what is wrong with it.
    expect(r.stderr).toMatch(/^pqm: settings field sources\.1\.baseUrl: must be an http:\/\/ or https:\/\/ URL \(source "bad" is not used until this is fixed\)$/m);
    const v = await pqm(h, ['settings', 'validate', '--json']);
    expect(v.code).toBe(2);
    const report = JSON.parse(v.stdout);
    expect(report).toMatchObject({ status: 'invalid', valid: false, sources: ['ao'] });
    expect(report.problems[0].field).toBe('sources.1.baseUrl');
    const human = await pqm(h, ['settings', 'validate']);
    expect(human.code).toBe(2);
    expect(human.stdout).toMatch(/^ {2}sources\.1\.baseUrl: must be an http:\/\/ or https:\/\/ URL/m);
    expect(human.stderr).toMatch(/^pqm: error \(invalid-input\): the settings file has 1 problem/);
    expect(await readFile(h.config, 'utf8')).toBe(text);
    // Every source unusable: a settings error naming them, not "No sources are configured." and success.
    const none = await home(JSON.stringify({ version: 1, sources: [{ id: 'bad', kind: 'aodocs', baseUrl: 'ftp://x', libraryIds: ['l'] }, { id: 'odd', kind: 'lpd' }] }));
    for (const args of [['sources'], ['jobs', '--json']]) {
      const r2 = await pqmInProcess(none, args);
      expect(r2.code, args.join(' ')).toBe(2);
      expect(r2.stdout, args.join(' ')).toBe('');
      expect(r2.stderr).toMatch(/^pqm: settings field sources\.1\.kind: "lpd" is not a kind of source; use one of scriptx, graph, aodocs, ipp, windows-spooler \(source "odd" is not used until this is fixed\)$/m);
      expect(r2.stderr).toMatch(/None of the 2 sources in the settings file .* can be used: the lines above say why \(pqm settings validate lists them\)\./);
    }
    expect(await readdir(h.dir)).not.toContain(expect.stringMatching(/backup/));
  });

  it('a newer file: read as far as possible, the version named, never overwritten', async () => {
    const text = JSON.stringify({ version: 9, sources: [aoSource()], futureThing: { a: 1 } });
    const h = await home(text);
    const r = await pqm(h, ['sources', '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as SourceHealth[])[0]).toMatchObject({ id: 'ao', status: 'ok' });
    expect(r.stderr).toMatch(/settings field version: The settings file is version 9/);
    const v = await pqm(h, ['settings', 'validate', '--json']);
    expect(v.code).toBe(2);
    expect(JSON.parse(v.stdout)).toMatchObject({ status: 'newer', fileVersion: 9 });
    expect(await readFile(h.config, 'utf8')).toBe(text);
  });

  it('an unversioned file is used as migrated in memory; no command that only reads writes it', async () => {
    const old = JSON.stringify({ sources: [aoSource()] });
    const h = await home(old);
    const v = await pqm(h, ['settings', 'validate', '--json']);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ status: 'migrated', fileVersion: 0, valid: true });
    const r = await pqm(h, ['sources', '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as SourceHealth[])[0]).toMatchObject({ id: 'ao', status: 'ok' });
    expect(await readFile(h.config, 'utf8')).toBe(old);
    expect((await readdir(h.dir)).filter((n) => n.includes('backup'))).toEqual([]);
  });

  it('unreadable settings: exit 2 for source commands, file untouched; diagnostics still works', async () => {
    const text = '{ "version": 1, "sources": [ ';
    const h = await home(text);
    const r = await pqm(h, ['jobs']);
    expect(r.code).toBe(2);
    // One sentence after another, not one inside the other.
    expect(r.stderr).toBe(`pqm: error (invalid-input): The settings file ${h.config} cannot be used. The settings file is not valid JSON (it ends too early); no source is used until it is fixed, and the file is left untouched.\n`);
    expect(r.stdout).toBe('');
    const d = await pqm(h, ['diagnostics', '--out', 'diag.json']);
    expect(d.code).toBe(0);
    const bundleJson = JSON.parse(await readFile(join(h.dir, 'diag.json'), 'utf8'));
    expect(bundleJson.settingsProblems[0].message).toMatch(/not valid JSON/);
    expect(await readFile(h.config, 'utf8')).toBe(text);
    // A settings path that cannot be read at all (a folder): its path named once.
    const folder = await home({ version: 1, sources: [] });
    await mkdir(join(folder.dir, 'settings-folder.json'));
    const f = await pqmInProcess({ ...folder, config: join(folder.dir, 'settings-folder.json') }, ['jobs']);
    expect(f.code).toBe(2);
    expect(f.stderr.split(join(folder.dir, 'settings-folder.json')).length - 1).toBe(1);
    expect(f.stderr).toMatch(/^pqm: error \(invalid-input\): The settings file .* cannot be read \(EISDIR/);
  });

  it('a secret in the settings file is refused with where it belongs, and never echoed', async () => {
    const h = await home({ version: 1, sources: [aoSource({ securityCode: CODE })] });
    const v = await pqm(h, ['settings', 'validate']);
    expect(v.code).toBe(2);
    expect(v.stdout).toMatch(/sources\.0\.securityCode: "securityCode" looks like a secret.*PQM_SECRET_AO_SECURITY_CODE/);
    expect(v.stdout + v.stderr).not.toContain(CODE);
  });

  it('--config naming a missing file is a settings error; PQM_CONFIG is honoured; settings path/show', async () => {
    const h = await home({ version: 1, sources: [aoSource()] });
    const missing = await runPqm(bundle, ['--config', join(h.dir, 'nope.json'), 'jobs'], { env: h.env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/There is no settings file at .*nope\.json/);
    const path = await runPqm(bundle, ['settings', 'path'], { env: { ...h.env, PQM_CONFIG: h.config } });
    expect(path.stdout.trim()).toBe(h.config);
    const dflt = await runPqm(bundle, ['settings', 'path'], { env: h.env });
    expect(dflt.stdout.trim()).toBe(join(h.dir, 'xdg', 'Print Queue Monitor', 'settings.json'));
    const show = await runPqm(bundle, ['settings', 'show'], { env: { ...h.env, PQM_CONFIG: h.config } });
    expect(show.code).toBe(0);
    const view = JSON.parse(show.stdout);
    expect(view.settings.sources[0].id).toBe('ao');
    expect(view.secrets).toEqual([{ sourceId: 'ao', name: 'SECURITY_CODE', env: 'PQM_SECRET_AO_SECURITY_CODE', present: true }]);
    expect(show.stdout).not.toContain(CODE);
  });
});

describe('history', () => {
  const entry = (key: string, finishedAt: string, over: Partial<Job> = {}): HistoryEntry => ({
    finishedAt,
    timeline: [],
    job: {
      key, sourceId: 'ao', sourceKind: 'aodocs', nativeId: key.slice(3), state: 'completed', rawState: 'COMPLETED', detail: null, document: 'Doc', owner: 'ann',
      printer: 'lib-a', mine: true, createdAt: null, updatedAt: null, lastSeenAt: null, progress: 1, stale: false, stuck: false, gone: false, cancel: { allowed: false }, extra: {}, ...over,
    },
  });

  it('lists, exports (CSV formula-safe, JSON), filters by date, clears', async () => {
    const h = await home({ version: 1, sources: [aoSource()] });
    const now = Date.now();
    const recent = new Date(now - 3_600_000).toISOString();
    const older = new Date(now - 3 * 86_400_000).toISOString();
    await writeFile(join(h.dir, 'history.json'), JSON.stringify({ version: 1, entries: [entry('ao:j1', recent, { document: '=cmd|"/c calc"!A1', owner: '@evil', detail: '+1', printer: '-2' }), entry('ao:j2', older, { document: '\tTabbed', owner: '\rCR' })] }));
    const csv = await pqm(h, ['history', '--csv']);
    expect(csv.code).toBe(0);
    const rows = csv.stdout.split('\r\n');
    expect(rows[0]).toBe('finishedAt,finishedLocal,utcOffset,key,sourceId,sourceKind,nativeId,state,rawState,detail,document,owner,printer,createdAt,createdLocal,updatedAt,updatedLocal,gone');
    // The local columns in this machine's zone (the run's, as no TZ is given to it).
    const local = (iso: string) => `${csvLocalTime(iso)},${csvUtcOffset(iso)}`;
    expect(rows[1]).toBe(`${recent},${local(recent)},ao:j1,ao,aodocs,j1,completed,COMPLETED,'+1,"'=cmd|""/c calc""!A1",'@evil,'-2,,,,,false`);
    expect(rows[2]).toBe(`${older},${local(older)},ao:j2,ao,aodocs,j2,completed,COMPLETED,,'\tTabbed,"'\rCR",lib-a,,,,,false`);
    // No cell of any row starts with a formula trigger.
    for (const row of rows.slice(1, 3)) for (const cell of row.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!) expect(cell.replace(/^"/, '')).not.toMatch(/^[=+\-@\t\r]/);

    const json = await pqmInProcess(h, ['history', '--json', '--since', new Date(now - 86_400_000).toISOString().slice(0, 10)]);
    expect((JSON.parse(json.stdout) as HistoryEntry[]).map((e) => e.job.key)).toEqual(['ao:j1']);
    const limited = await pqmInProcess(h, ['history', '--json', '--limit', '1']);
    expect((JSON.parse(limited.stdout) as HistoryEntry[]).map((e) => e.job.key)).toEqual(['ao:j1']);
    const table = await pqmInProcess(h, ['history']);
    expect(table.stdout.split('\n')[0]).toMatch(/^FINISHED\s+KEY\s+STATE/);

    const exp = await pqmInProcess(h, ['history', 'export', '--json', '--out', 'out/h.json']);
    expect(exp.code).toBe(0);
    expect(exp.stdout.trim()).toBe(join(h.dir, 'out', 'h.json'));
    expect((JSON.parse(await readFile(join(h.dir, 'out', 'h.json'), 'utf8')) as HistoryEntry[]).map((e) => e.job.key)).toEqual(['ao:j1', 'ao:j2']);
    const expCsv = await pqmInProcess(h, ['history', 'export', '--csv']);
    expect(expCsv.stdout).toBe(csv.stdout);

    const cleared = await pqmInProcess(h, ['history', 'clear', '--json']);
    expect(cleared.code).toBe(0);
    expect(JSON.parse(cleared.stdout)).toEqual({ cleared: true });
    expect(JSON.parse((await pqmInProcess(h, ['history', '--json'])).stdout)).toEqual([]);
  });

  it('--since with a date alone means from midnight where the user is, east and west of Greenwich', async () => {
    const h = await home({ version: 1, sources: [aoSource()], history: { retentionDays: 3650, maxJobs: 1000 } });
    await writeFile(
      join(h.dir, 'history.json'),
      JSON.stringify({
        version: 1,
        entries: [
          // 1 June 09:00 in New York; 1 June 01:00 in Tokyo; 31 May 23:00 in New York.
          entry('ao:ny-morning', '2026-06-01T13:00:00.000Z'),
          entry('ao:tokyo-night', '2026-05-31T16:00:00.000Z'),
          entry('ao:ny-night-before', '2026-06-01T03:00:00.000Z'),
        ],
      }),
    );
    const since = async (tz: string) => {
      const r = await pqm(h, ['history', '--json', '--since', '2026-06-01'], { TZ: tz });
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as HistoryEntry[]).map((e) => e.job.key).sort();
    };
    expect(await since('America/New_York')).toEqual(['ao:ny-morning']);
    expect(await since('Asia/Tokyo')).toEqual(['ao:ny-morning', 'ao:ny-night-before', 'ao:tokyo-night']);
  });

  it('CSV times: the exact UTC time for scripts beside the local time Excel reads as a date, with its offset; --json stays UTC', async () => {
    const h = await home({ version: 1, sources: [aoSource()], history: { retentionDays: 3650, maxJobs: 1000 } });
    const summer = entry('ao:summer', '2026-06-15T10:00:00.000Z', { document: '=HYPERLINK("http://x")', createdAt: '2026-06-15T09:58:30.000Z', updatedAt: '2026-06-15T10:00:00.000Z' });
    const winter = entry('ao:winter', '2026-01-15T10:00:00.000Z', { document: '-report', createdAt: '2026-01-15T09:59:00.000Z', updatedAt: null });
    await writeFile(join(h.dir, 'history.json'), JSON.stringify({ version: 1, entries: [summer, winter] }));
    const csvIn = async (tz: string) => {
      const r = await pqm(h, ['history', '--csv'], { TZ: tz });
      expect(r.code, r.stderr).toBe(0);
      const [head, ...rows] = r.stdout.split('\r\n').filter(Boolean);
      const names = head!.split(',');
      // Plain cells here (no commas or quotes in these rows): each row by column name.
      return rows.map((row) => Object.fromEntries(row.split(',').map((v, i) => [names[i], v])));
    };
    const pick = (row: Record<string, string>) => [row.finishedAt, row.finishedLocal, row.utcOffset, row.createdAt, row.createdLocal, row.updatedAt, row.updatedLocal];
    const ny = await csvIn('America/New_York');
    expect(ny.map(pick)).toEqual([
      ['2026-06-15T10:00:00.000Z', '2026-06-15 06:00:00', 'UTC-04:00', '2026-06-15T09:58:30.000Z', '2026-06-15 05:58:30', '2026-06-15T10:00:00.000Z', '2026-06-15 06:00:00'],
      ['2026-01-15T10:00:00.000Z', '2026-01-15 05:00:00', 'UTC-05:00', '2026-01-15T09:59:00.000Z', '2026-01-15 04:59:00', '', ''],
    ]);
    // The formula guard applies to the cells around them as before.
    expect(ny.map((r) => r.document)).toEqual(['"\'=HYPERLINK(""http://x"")"', "'-report"]);
    const berlin = await csvIn('Europe/Berlin');
    expect(berlin.map((r) => [r.finishedLocal, r.utcOffset])).toEqual([
      ['2026-06-15 12:00:00', 'UTC+02:00'],
      ['2026-01-15 11:00:00', 'UTC+01:00'],
    ]);
    const kolkata = await csvIn('Asia/Kolkata');
    expect(kolkata.map((r) => [r.finishedLocal, r.utcOffset])).toEqual([
      ['2026-06-15 15:30:00', 'UTC+05:30'],
      ['2026-01-15 15:30:00', 'UTC+05:30'],
    ]);
    // Scripts read --json: the stored UTC times, whatever the zone.
    const json = await pqm(h, ['history', '--json'], { TZ: 'America/New_York' });
    expect((JSON.parse(json.stdout) as HistoryEntry[]).map((e) => [e.finishedAt, e.job.createdAt])).toEqual([
      ['2026-06-15T10:00:00.000Z', '2026-06-15T09:58:30.000Z'],
      ['2026-01-15T10:00:00.000Z', '2026-01-15T09:59:00.000Z'],
    ]);
  });

  it('a CSV file exported for Excel starts with the UTF-8 byte order mark; the output to a pipe does not', async () => {
    const h = await home({ version: 1, sources: [aoSource()] });
    await writeFile(join(h.dir, 'history.json'), JSON.stringify({ version: 1, entries: [entry('ao:j1', new Date().toISOString(), { document: 'Résumé – 東京.pdf', owner: 'Müller' })] }));
    const r = await pqmInProcess(h, ['history', 'export', '--csv', '--out', 'h.csv']);
    expect(r.code, r.stderr).toBe(0);
    const bytes = await readFile(join(h.dir, 'h.csv'));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).toContain(',Résumé – 東京.pdf,Müller,');
    const piped = await pqmInProcess(h, ['history', 'export', '--csv']);
    expect(piped.stdout.startsWith('finishedAt,')).toBe(true);
    // JSON is never given one.
    await pqmInProcess(h, ['history', 'export', '--json', '--out', 'h.json']);
    expect((await readFile(join(h.dir, 'h.json'), 'utf8')).startsWith('[')).toBe(true);
  });

  it('output that cannot be written (a full disk) is an error, never a success with the output cut short', async () => {
    const h = await home({ version: 1, sources: [aoSource()] });
    await writeFile(join(h.dir, 'history.json'), JSON.stringify({ version: 1, entries: [entry('ao:j1', new Date().toISOString())] }));
    // /dev/full: every write fails with ENOSPC, as on a full disk.
    const full = openSync('/dev/full', 'w');
    try {
      for (const args of [['history', 'export', '--csv'], ['history', '--json']]) {
        const r = await runPqm(bundle, ['--config', h.config, ...args], { env: h.env, stdoutFd: full });
        expect(r.code, args.join(' ')).toBe(1);
        expect(r.stderr, args.join(' ')).toMatch(/^pqm: the output could not be written: .*ENOSPC/m);
      }
    } finally {
      closeSync(full);
    }
  });

  it('retention from the settings applies to what pqm reads', async () => {
    const h = await home({ version: 1, sources: [aoSource()], history: { retentionDays: 2, maxJobs: 10 } });
    const now = Date.now();
    const entries = [entry('ao:old', new Date(now - 5 * 86_400_000).toISOString()), ...Array.from({ length: 12 }, (_, i) => entry(`ao:n${i}`, new Date(now - i * 60_000).toISOString()))];
    await writeFile(join(h.dir, 'history.json'), JSON.stringify({ version: 1, entries }));
    const keys = (JSON.parse((await pqmInProcess(h, ['history', '--json'])).stdout) as HistoryEntry[]).map((e) => e.job.key);
    expect(keys).toHaveLength(10);
    expect(keys).not.toContain('ao:old');
    expect(keys[0]).toBe('ao:n0');
  });

  it('the app recording history while pqm records it: nothing is lost', async () => {
    const jobs = Array.from({ length: 4 }, () => sim.addJob({ libraryId: 'lib-a', requestor: 'ann@example.com', status: 'COMPLETED' }));
    const h = await home({ version: 1, sources: [aoSource()] });
    // "The app": another writer of the same file, in this process, flushing continuously.
    const app = createHistoryStore(join(h.dir, 'history.json'), { debounceMs: 5, retention: { maxJobs: 1_000_000 } });
    let stop = false;
    let n = 0;
    const appWrites = (async () => {
      while (!stop) {
        app.record(entry(`app:${n++}`, new Date().toISOString()));
        await app.flush();
      }
    })();
    const runs = await Promise.all([pqm(h, ['jobs', '--json']), pqm(h, ['jobs', '--json'])]);
    stop = true;
    await appWrites;
    await app.close();
    expect(runs.map((r) => r.code)).toEqual([0, 0]);
    const keys = new Set(JSON.parse(await readFile(join(h.dir, 'history.json'), 'utf8')).entries.map((e: HistoryEntry) => e.job.key));
    for (let i = 0; i < n; i++) expect(keys.has(`app:${i}`), `app:${i}`).toBe(true);
    for (const j of jobs) expect(keys.has(`ao:${j.jobId}`), j.jobId).toBe(true);
    expect(n).toBeGreaterThan(3);
  });
});

describe('diagnostics and secrets', () => {
  it('diagnostics: versions, settings, health, log lines; never a secret', async () => {
    const h = await home({ version: 1, sources: [aoSource()] });
    await pqm(h, ['jobs', '--verbose']);
    const d = await pqm(h, ['diagnostics', '--out', 'd.json', '--json']);
    expect(d.code).toBe(0);
    expect(JSON.parse(d.stdout)).toEqual({ savedTo: join(h.dir, 'd.json') });
    const b = JSON.parse(await readFile(join(h.dir, 'd.json'), 'utf8'));
    expect(b).toMatchObject({ kind: 'print-queue-monitor-diagnostics', versions: { pqm: expect.any(String), node: process.versions.node } });
    expect(b.settings.sources[0].id).toBe('ao');
    expect(b.secretsPresent).toEqual([{ sourceId: 'ao', name: 'SECURITY_CODE', present: true }]);
    expect(b.logs[0].file).toBe('cli.log');
    expect(b.logs[0].lines.some((l: string) => l.includes('pqm command'))).toBe(true);
  });

  it('a secret that reaches an error, a log line or a file is removed everywhere', async () => {
    // The service echoes the credential back in an error message: it must not travel further.
    sim.injectFault({ fault: { kind: 'conflict', retryable: false, message: `library locked for code ${CODE}` }, times: Infinity });
    try {
      const h = await home({ version: 1, sources: [aoSource()] });
      const r = await pqm(h, ['sources', '--json', '--verbose']);
      expect(r.stdout).toContain('degraded');
      const d = await pqm(h, ['diagnostics', '--out', 'd.json']);
      expect(d.code).toBe(0);
      const files = await allFilesText(h.dir);
      expect(files.map((f) => f.path)).toEqual(expect.arrayContaining([join(h.dir, 'logs', 'cli.log'), join(h.dir, 'd.json')]));
      for (const f of files) expect(f.text, f.path).not.toContain(CODE);
      expect(r.stdout + r.stderr).not.toContain(CODE);
      expect(r.stdout + r.stderr + files.map((f) => f.text).join('')).toContain('[redacted]');
    } finally {
      sim.clearFaults();
    }
  });

  it('no output of any run in this file carried a secret', () => {
    expect(outputs.length).toBeGreaterThan(20);
    for (const o of outputs) {
      expect(o).not.toContain(CODE);
      expect(o).not.toContain(OTHER_CODE);
    }
  });
});

describe('the pqm launcher', () => {
  it('the command package.json installs runs the built CLI', () => {
    const built = join(ROOT, 'out/main/cli.js');
    expect(existsSync(built), `${built} is missing: run \`npm run build\` first`).toBe(true);
    const pqm = installedCommand();
    expect(pqm.startsWith(join(ROOT, 'main', 'cli') + sep), `${pqm}: the launcher stands with the CLI it starts`).toBe(true);
    const r = spawnSync(process.execPath, [pqm, '--help'], { encoding: 'utf8', timeout: 15_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^pqm \d+\.\d+\.\d+: Print Queue Monitor/);
    const bad = spawnSync(process.execPath, [pqm, 'nope'], { encoding: 'utf8', timeout: 15_000 });
    expect(bad.status).toBe(2);
  });
});

describe('pqm sign-in lines (stderr)', () => {
  it('prints the device code, where to enter it and until when, and when it is done', () => {
    const message = 'To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code ABCD1234 to authenticate.';
    expect(signInLine({ sourceId: 'up', stage: 'device-code', userCode: 'ABCD1234', verificationUri: 'https://microsoft.com/devicelogin', expiresAt: '2026-06-01T08:15:00.000Z', message })).toBe(
      `sign-in for source up: ${message} (code ABCD1234 at https://microsoft.com/devicelogin, valid until 2026-06-01T08:15:00.000Z)`,
    );
    expect(signInLine({ sourceId: 'up', stage: 'device-code', userCode: 'A\u001b[2JB', verificationUri: 'https://microsoft.com/devicelogin', expiresAt: 'x', message: 'line\nbreak' })).not.toMatch(/[\n\u001b]/);
    expect(signInLine({ sourceId: 'up', stage: 'done' })).toBe('signed in for source up');
    expect(signInLine({ sourceId: 'up', stage: 'browser', url: 'https://login.microsoftonline.com/x' })).toBeNull();
    expect(signInLine({ sourceId: 'up', stage: 'failed', message: 'no' })).toBeNull();
  });
});
