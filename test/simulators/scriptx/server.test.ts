import { afterEach, describe, expect, it } from 'vitest';
import { startScriptxSimulator, type ScriptxSimulator } from './server';

const LICENSE = '5091E665-8916-4D21-996E-00A2DE5DE416';
const auth = { Authorization: `Basic ${Buffer.from(`${LICENSE}:`).toString('base64')}` };

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
});
