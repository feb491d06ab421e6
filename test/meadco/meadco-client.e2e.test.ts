/**
 * Conformance with MeadCo's real client: its library (`scriptxprint-html`) in a page in Chromium
 * prints HTML through our ScriptX.Services simulator and follows the job with its own monitoring;
 * `pqm`, handed the same token, follows the same job. The simulator has to satisfy MeadCo's client
 * (CORS, the license as written, the print body it really sends) — not the other way round.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Route } from 'playwright-core';
import type { Job } from '../../preload/contract/model';
import { FORGOTTEN_REASON } from '../../main/sources/scriptx/source';
import { SKIP_BROWSER_TESTS } from '../e2e/helpers';
import { buildCli, cliHome, runPqm, stopRunningPqm } from '../cli/helpers';
import { meadcoMissing, startMeadcoHarness, type MeadcoHarness } from './harness';

/** As MeadCo writes it, and as the page's developer passes it to MeadCo's connect. */
const LICENSE = '{5091E665-8916-4D21-996E-00A2DE5DE416}';
/** As a desk worker might type it into the monitor. */
const TYPED = '5091e665-8916-4d21-996e-00a2de5de416';
const STEP_MS = 1000;

let bundle = '';
let disposeBuild: (() => Promise<void>) | undefined;
let harness: MeadcoHarness | null = null;
const homes: { dispose(): Promise<void> }[] = [];

beforeAll(async () => {
  if (SKIP_BROWSER_TESTS) return;
  const why = meadcoMissing();
  if (why) throw new Error(why);
  const built = await buildCli();
  bundle = built.bundle;
  disposeBuild = built.dispose;
});
afterAll(async () => {
  await disposeBuild?.();
});
afterEach(async () => {
  stopRunningPqm();
  await harness?.close();
  harness = null;
  for (const h of homes.splice(0)) await h.dispose();
});

async function pqmHome(serviceUrl: string) {
  const h = await cliHome({ version: 1, sources: [{ id: 'local', kind: 'scriptx', baseUrl: serviceUrl }] }, { PQM_SECRET_LOCAL_LICENSE: TYPED });
  homes.push(h);
  return async (args: string[]) => {
    const r = await runPqm(bundle, ['--config', h.config, ...args], { env: h.env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as unknown;
  };
}

/** The service's time, moved only by the test: each step of a job is seen by both clients. */
let t = 0;

/** MeadCo's page, connected to a fresh simulator, has printed `html`; its job is queued. */
async function printedByMeadco(html: string) {
  t = 0;
  const m = (harness = await startMeadcoHarness({ sim: { license: LICENSE, stepMs: STEP_MS, now: () => t } }));
  await m.connect();
  const job = await m.printHtml(html);
  await job.reached(1);
  return { m, job };
}

describe.skipIf(SKIP_BROWSER_TESTS)("MeadCo's own client (scriptxprint-html) against the ScriptX.Services simulator", { timeout: 90_000 }, () => {
  it('MeadCo prints HTML and follows its job to completion; pqm, handed the token, follows the same job to "finished — no longer reported"', async () => {
    const { m, job } = await printedByMeadco('<html><head><title>Invoice 42</title></head><body><h1>Invoice 42</h1></body></html>');

    // What MeadCo's client really sent: a cross-origin call with a preflight, the license as
    // written, and its whole print body (protected content access, the device settings it read).
    const fromPage = m.sim.requests.filter((r) => r.origin === m.origin);
    expect(fromPage.some((r) => r.method === 'OPTIONS' && r.path === '/api/v1/printHtml/print')).toBe(true);
    expect(fromPage.filter((r) => r.method !== 'OPTIONS' && r.path !== '/api/v1/licensing/ping').every((r) => r.auth === 'valid')).toBe(true);
    expect(m.sim.prints[0]?.body).toMatchObject({ ContentType: 2, Device: { printerName: 'Microsoft Print to PDF', isDefault: true }, ProtectedContentAccess: { cookie: '' } });

    // The monitor, handed the token (license typed without braces, in lower case).
    const pqm = await pqmHome(m.sim.url);
    expect(await pqm(['track', 'local', job.token, '--json'])).toMatchObject({ key: `local:${job.token}`, state: 'queued', rawState: '1 Queued' });

    t = 4 * STEP_MS + 1; // 5 Printing
    await job.reached(5);
    const printing = (await pqm(['jobs', '--json'])) as Job[];
    expect(printing.find((j) => j.nativeId === job.token)).toMatchObject({ state: 'printing', rawState: '5 Printing' });

    t = 5 * STEP_MS + 1; // 6 Completed: MeadCo reads it first, and the service deletes the job.
    expect(await job.done).toBeNull();
    expect((await job.progress()).map((p) => p.status)).toEqual(expect.arrayContaining([1, 5, 6]));
    expect(m.sim.hasJob(job.token)).toBe(false);

    const after = (await pqm(['jobs', '--json'])) as Job[];
    expect(after.find((j) => j.nativeId === job.token)).toMatchObject({ state: 'completed', reason: FORGOTTEN_REASON, gone: false });
    // The monitor's requests carried the license in MeadCo's form; none was refused.
    expect(m.sim.requests.filter((r) => r.origin === undefined && r.path.startsWith('/api/v1/printHtml/')).every((r) => r.auth === 'valid')).toBe(true);
    expect(m.consoleLines.filter((l) => l.startsWith('pageerror'))).toEqual([]);
  });

  it('pqm reading the final status first sees "6 Completed"; MeadCo then gets the 404 of a deleted job', async () => {
    const { m, job } = await printedByMeadco('<html><body><p>Delivery note</p></body></html>');
    const pqm = await pqmHome(m.sim.url);
    expect(await pqm(['track', 'local', job.token, '--json'])).toMatchObject({ state: 'queued' });
    // MeadCo's next status request is held in the browser until the monitor has read the final status.
    const held: Route[] = [];
    let firstHeld!: () => void;
    const holding = new Promise<void>((r) => (firstHeld = r));
    await m.page.route(
      (url) => url.pathname === `/api/v1/printHtml/status/${job.token}`,
      (route) => {
        held.push(route);
        firstHeld();
      },
    );
    await holding;
    t = 5 * STEP_MS + 1;
    const done = (await pqm(['jobs', '--json'])) as Job[];
    expect(done.find((j) => j.nativeId === job.token)).toMatchObject({ state: 'completed', rawState: '6 Completed', gone: false });
    await m.page.unroute((url) => url.pathname === `/api/v1/printHtml/status/${job.token}`);
    for (const r of held) await r.continue();
    // The service deleted the job once the monitor read its final status: MeadCo's own monitoring
    // ends with an error for the 404 — what a page sees when anyone else reads the final status first.
    expect(await job.done).not.toBeNull();
    expect(m.sim.requests.filter((r) => r.origin === m.origin && r.path === `/api/v1/printHtml/status/${job.token}`).length).toBeGreaterThan(0);
  });
});
