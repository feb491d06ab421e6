/**
 * `pqm` against the ScriptX.Services simulator: print (HTML and a file), track a token handed in,
 * the license never printed, a refused license is exit 3.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startScriptxSimulator, type ScriptxSimulator } from '../simulators/scriptx/server';
import type { Job, SourceHealth } from '../../preload/contract/model';
import { buildCli, cliHome, runPqm, type CliEnv, stopRunningPqm } from './helpers';

const LICENSE = '{5091E665-8916-4D21-996E-00A2DE5DE416}';
const WRONG = '11111111-2222-4333-8444-555555555555';
let sim: ScriptxSimulator;
let bundle: string;
let disposeBuild: () => Promise<void>;
const homes: { dispose(): Promise<void> }[] = [];
const outputs: string[] = [];

beforeAll(async () => {
  sim = await startScriptxSimulator({ license: LICENSE, version: '2.23.1.5', stepMs: 5_000, printers: [{ name: 'Office', isDefault: true }] });
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

async function home(license = LICENSE) {
  const h = await cliHome({ version: 1, sources: [{ id: 'local', kind: 'scriptx', baseUrl: sim.url }] }, { PQM_SECRET_LOCAL_LICENSE: license });
  homes.push(h);
  return h;
}
async function pqm(h: CliEnv, args: string[]) {
  const r = await runPqm(bundle, ['--config', h.config, ...args], { env: h.env });
  outputs.push(r.stdout, r.stderr);
  return r;
}

describe('pqm with ScriptX.Services', () => {
  it('prints HTML and a file; the new jobs are tracked and seen by the next run', async () => {
    const h = await home();
    const html = await pqm(h, ['print', 'local', '--html', '<p>Invoice 42</p>', '--title', 'Invoice 42', '--printer', 'Office', '--json']);
    expect(html.stderr).toBe('');
    expect(html.code).toBe(0);
    const job = JSON.parse(html.stdout) as Job;
    expect(job).toMatchObject({ sourceId: 'local', sourceKind: 'scriptx', key: `local:${job.nativeId}` });
    expect(sim.prints.length).toBeGreaterThan(0);

    const pdf = join(h.dir, 'report.pdf');
    await writeFile(pdf, '%PDF-1.4\n%%EOF\n');
    const file = await pqm(h, ['print', 'local', '--file', 'report.pdf', '--json']);
    expect(file.code).toBe(0);
    const fileJob = JSON.parse(file.stdout) as Job;

    const tracked = JSON.parse(await readFile(join(h.dir, 'tracked.json'), 'utf8')) as { jobs: { sourceId: string; id: string }[] };
    expect(tracked.jobs.map((j) => j.id)).toEqual(expect.arrayContaining([job.nativeId, fileJob.nativeId]));
    const jobs = await pqm(h, ['jobs', '--json']);
    expect(jobs.code).toBe(0);
    expect((JSON.parse(jobs.stdout) as Job[]).map((j) => j.key)).toEqual(expect.arrayContaining([job.key, fileJob.key]));

    const missing = await pqm(h, ['print', 'local', '--file', 'nope.pdf']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^pqm: error \(not-found\): The file nope\.pdf could not be read/);
  });

  it('a print that cannot be saved for tracking says so, and is not an error (printing again would print twice)', async () => {
    const h = await home();
    // tracked.json cannot be written: a folder stands where it would be.
    await mkdir(join(h.dir, 'tracked.json'));
    const r = await pqm(h, ['print', 'local', '--html', '<p>Not followed</p>', '--json']);
    expect(r.code).toBe(0);
    const job = JSON.parse(r.stdout) as Job;
    expect(r.stderr).toContain(`pqm: job ${job.key} was printed, but it could not be saved for tracking (`);
    expect(r.stderr).toContain('so it is followed only while this program runs.');
  });

  it('tracks a token handed in (--kind html) and keeps it across runs', async () => {
    const token = sim.addJob({ kind: 'html' });
    const h = await home();
    const r = await pqm(h, ['track', 'local', token, '--kind', 'html', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ key: `local:${token}`, nativeId: token });
    const again = await pqm(h, ['jobs', '--json']);
    expect((JSON.parse(again.stdout) as Job[]).map((j) => j.key)).toContain(`local:${token}`);
  });

  it('cancel of a PDF job says plainly that ScriptX.Services cannot cancel it, and sends nothing', async () => {
    const token = sim.addJob({ kind: 'pdf' });
    const h = await home();
    expect((await pqm(h, ['track', 'local', token, '--kind', 'pdf', '--json'])).code).toBe(0);
    const r = await pqm(h, ['cancel', `local:${token}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('pqm: error (unsupported): The job cannot be canceled: ScriptX.Services cannot cancel PDF jobs (its PDF printing API has no cancel). [source local]\n');
    expect(sim.requests.some((q) => q.path.includes(`canceljob/${token}`))).toBe(false);
  });

  it('tracks a token with the document and printer it was printed as, and keeps them across runs', async () => {
    const token = sim.addJob({ kind: 'pdf' });
    const h = await home();
    const r = await pqm(h, ['track', 'local', token, '--kind', 'pdf', '--title', 'Invoice 552.pdf', '--printer', 'HP LaserJet', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ key: `local:${token}`, document: 'Invoice 552.pdf', printer: 'HP LaserJet' });
    const again = await pqm(h, ['jobs', '--json']);
    expect((JSON.parse(again.stdout) as Job[]).find((j) => j.key === `local:${token}`)).toMatchObject({ document: 'Invoice 552.pdf', printer: 'HP LaserJet' });
    const bad = await pqm(h, ['track', 'local', token, '--title', ' ']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/title/);
  });

  it('a refused license: auth-required, exit 3, and no license value anywhere', async () => {
    const h = await home(WRONG);
    const r = await pqm(h, ['sources', '--json']);
    expect(r.code).toBe(3);
    expect((JSON.parse(r.stdout) as SourceHealth[])[0]).toMatchObject({ id: 'local', status: 'auth-required' });
    for (const o of outputs) {
      expect(o).not.toContain(LICENSE);
      expect(o).not.toContain(WRONG);
      expect(o).not.toContain(Buffer.from(`${LICENSE}:`).toString('base64'));
    }
  });
});
