import { afterEach, describe, expect, it } from 'vitest';
import { startScriptxSimulator, type ScriptxSimulator } from './server';

const LICENSE = '{5091E665-8916-4D21-996E-00A2DE5DE416}';
const basic = (user: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:`).toString('base64')}` });
const auth = basic(LICENSE);

describe('ScriptX.Services simulator', () => {
  let sim: ScriptxSimulator | null = null;
  afterEach(async () => {
    await sim?.close();
    sim = null;
  });

  it('runs a timed lifecycle, reports the final state once, then 404 "Job not found"', async () => {
    let t = 0;
    sim = await startScriptxSimulator({ license: LICENSE, stepMs: 10, now: () => t });
    const token = sim.addJob({ token: 'name:job' });
    const get = async () => {
      const r = await fetch(`${sim!.url}/api/v1/printHtml/status/${encodeURIComponent(token)}`, { headers: auth });
      return { status: r.status, body: await r.json() };
    };
    expect((await get()).body).toMatchObject({ status: 1, jobIdentifier: 'name:job' });
    t = 45;
    expect((await get()).body.status).toBe(5);
    t = 60;
    expect((await get()).body.status).toBe(6);
    expect(await get()).toEqual({ status: 404, body: 'Job not found' });
  });

  it('answers 401 without the license and lets ping through', async () => {
    sim = await startScriptxSimulator({ license: LICENSE });
    expect((await fetch(`${sim.url}/api/v1/licensing`)).status).toBe(401);
    expect((await fetch(`${sim.url}/api/v1/licensing/ping`)).status).toBe(200);
    expect(sim.requests.map((r) => r.auth)).toEqual(['none', 'none']);
  });

  it('rejects a camelCase print body the way a strict server does', async () => {
    sim = await startScriptxSimulator({ license: LICENSE });
    const r = await fetch(`${sim.url}/api/v1/printHtml/print`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ contentType: 2, content: '<p>x</p>' }) });
    expect(r.status).toBe(400);
    expect((await r.json()).Message).toMatch(/^print failed: unknown field "contentType"/);
  });

  it('refuses connections while the refuse fault is set and comes back on the same port', async () => {
    sim = await startScriptxSimulator({ orchestrator: true });
    await sim.setFault({ type: 'refuse' });
    await expect(fetch(`${sim.url}/api/v1/licensing/ping`)).rejects.toThrow();
    await sim.setFault(null);
    expect((await fetch(`${sim.url}/api/v1/licensing/ping`)).status).toBe(200);
    const orch = await (await fetch(`${sim.orchestratorUrl}/api/v1`)).json();
    expect(orch).toMatchObject({ HttpPort: sim.port });
  });

  it('compares the license as written: braces and case matter unless the service parses GUIDs', async () => {
    sim = await startScriptxSimulator({ license: LICENSE });
    const licensing = async (user: string) => (await fetch(`${sim!.url}/api/v1/licensing`, { headers: basic(user) })).status;
    expect(await licensing(LICENSE)).toBe(200);
    expect(await licensing('5091E665-8916-4D21-996E-00A2DE5DE416')).toBe(401);
    expect(await licensing('{5091e665-8916-4d21-996e-00a2de5de416}')).toBe(401);
    await sim.close();
    sim = await startScriptxSimulator({ license: LICENSE, licenseMatch: 'parsed' });
    expect(await licensing('5091e665-8916-4d21-996e-00a2de5de416')).toBe(200);
  });

  it('describes itself at /api/ (with the slash) only, with the fields a test injects', async () => {
    sim = await startScriptxSimulator({ license: LICENSE, description: { serviceUpgrade: {}, availablePrinters: [{ name: 'A' }] } });
    expect((await fetch(`${sim.url}/api`, { headers: auth })).status).toBe(404);
    const r = await fetch(`${sim.url}/api/`, { headers: auth });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ serviceClass: 3, serviceUpgrade: {}, availablePrinters: [{ name: 'A' }] });
  });

  it('cancel: a queued job is removed, a pre-processing one is asked to stop and answers its current status', async () => {
    let t = 0;
    sim = await startScriptxSimulator({ license: LICENSE, stepMs: 100, now: () => t });
    const cancel = async (token: string) => (await fetch(`${sim!.url}/api/v1/printHtml/canceljob/${token}`, { method: 'PUT', headers: auth })).json();
    const queued = sim.addJob();
    expect(await cancel(queued)).toMatchObject({ status: -2 });
    const preparing = sim.addJob();
    t = 250; // 3 Downloading
    expect(await cancel(preparing)).toMatchObject({ status: 3, message: 'The job has been asked to stop' });
    expect(sim.jobStatus(preparing)?.status).toBe(3);
    t = 350;
    expect(sim.jobStatus(preparing)).toMatchObject({ status: -2, final: true });
  });

  it('cancel: a job asked to stop too late goes on printing; PDF jobs cannot be cancelled at all', async () => {
    let t = 0;
    sim = await startScriptxSimulator({ license: LICENSE, stepMs: 100, now: () => t, cancelStopsAfterMs: false });
    const job = sim.addJob();
    t = 250;
    await fetch(`${sim.url}/api/v1/printHtml/canceljob/${job}`, { method: 'PUT', headers: auth });
    t = 450;
    expect(sim.jobStatus(job)?.status).toBe(5);
    const pdf = sim.addJob({ kind: 'pdf' });
    const viaHtml = await fetch(`${sim.url}/api/v1/printHtml/canceljob/${pdf}`, { method: 'PUT', headers: auth });
    expect([viaHtml.status, await viaHtml.json()]).toEqual([404, 'Job not found']);
    const viaPdf = await fetch(`${sim.url}/api/v1/printPdf/canceljob/${pdf}`, { method: 'PUT', headers: auth });
    expect([viaPdf.status, await viaPdf.json()]).toEqual([404, 'API endpoint not found']);
    expect(sim.jobStatus(pdf)?.status).toBe(1);
  });

  it('answers CORS preflights for the headers MeadCo sends and lets any origin read its answers', async () => {
    sim = await startScriptxSimulator({ license: LICENSE });
    const origin = 'http://127.0.0.1:5555';
    const pre = await fetch(`${sim.url}/api/v1/printHtml/print`, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type,x-meadroid-path' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(origin);
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    expect(pre.headers.get('access-control-allow-headers')).toBe('authorization, content-type, x-meadroid-path');
    const odd = await fetch(`${sim.url}/api/v1/printHtml/print`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'x-other' } });
    expect(odd.headers.get('access-control-allow-headers')).toBeNull();
    const ping = await fetch(`${sim.url}/api/v1/licensing/ping`, { headers: { Origin: origin } });
    expect(ping.headers.get('access-control-allow-origin')).toBe(origin);
    expect(sim.requests.at(-1)).toMatchObject({ method: 'GET', origin });
  });

  it('accepts the print body MeadCo\'s client sends: ProtectedContentAccess and the whole DeviceSettings it read', async () => {
    sim = await startScriptxSimulator({ license: LICENSE });
    const device = await (await fetch(`${sim.url}/api/v1/printHtml/deviceinfo/systemdefault/0`, { headers: auth })).json();
    const r = await fetch(`${sim.url}/api/v1/printHtml/print`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ ContentType: 2, Content: '<html><body>x</body></html>', Settings: { header: null, page: { orientation: 2, units: 0, margins: { left: '' } }, jobTitle: 'HTML snippet' }, Device: device, ProtectedContentAccess: { cookie: '' } }),
    });
    expect(await r.json()).toMatchObject({ status: 1 });
  });
  it('accepts the PDF body and the license body MeadCo\'s client sends (meadco-scriptxprint.js, meadco-scriptxprintlicensing.js)', async () => {
    sim = await startScriptxSimulator({ license: LICENSE, warehouseLicenses: [LICENSE] });
    const device = await (await fetch(`${sim.url}/api/v1/printHtml/deviceinfo/systemdefault/0`, { headers: auth })).json();
    const pdf = await fetch(`${sim.url}/api/v1/printPdf/print`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ Document: 'https://example.com/a.pdf', Description: 'Invoice', Settings: { jobDescription: 'Invoice', jobTitle: 'Invoice', orientation: 2 }, Device: device, ProtectedContentAccess: { cookie: '' } }),
    });
    expect(pdf.status).toBe(200);
    expect(await pdf.json()).toMatchObject({ status: 1 });
    // The license is applied without Authorization, as { Guid, Url, Revision }; another spelling is refused.
    const post = (body: unknown) => fetch(`${sim!.url}/api/v1/licensing`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ Guid: LICENSE, Url: 'warehouse', Revision: 0 })).status).toBe(200);
    const lower = await post({ guid: LICENSE, url: 'warehouse', revision: 0 });
    expect(lower.status).toBe(400);
    expect(await lower.json()).toEqual({ Message: 'GUID is required: the license request must have Guid, Url and Revision' });
  });
});
