import { afterEach, describe, expect, it } from 'vitest';
import { createWorkload, startWorkloadSimulators, WORKLOAD_USER, type WorkloadSimulators } from '../../simulators/workload';

let open: WorkloadSimulators[] = [];
afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  open = [];
});

async function sims(now: () => number = () => 1_800_000_000_000): Promise<WorkloadSimulators> {
  const s = await startWorkloadSimulators({ now });
  open.push(s);
  return s;
}

async function reachable(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

describe('workload simulators', () => {
  it('configures three valid sources and their secrets, without secrets in the settings', async () => {
    const s = await sims();
    expect(s.sources.map((c) => c.kind)).toEqual(['scriptx', 'graph', 'aodocs']);
    const text = JSON.stringify(s.sources);
    for (const bag of Object.values(s.secrets)) for (const v of Object.values(bag)) expect(text).not.toContain(v);
    expect(s.secrets[s.sources[0].id].LICENSE).toMatch(/^[0-9a-f-]{36}$/);
    // The AODocs simulator accepts the security code from the secrets and knows the user.
    const res = await fetch(`${s.aodocs.baseUrl}/job/v1/libraries/lib-contracts`, {
      headers: { Authorization: `securityCode ${s.secrets.aodocs.SECURITY_CODE}` },
    });
    expect(res.status).toBe(200);
  });
});

describe('createWorkload', () => {
  it('tells the same story for the same seed, and a different one for another seed', async () => {
    const run = async (seed: number) => {
      const s = await sims();
      const tracked: string[] = [];
      const w = createWorkload(s, { seed, initialJobs: 6, outageEveryTicks: 0, trackScriptx: (t) => void tracked.push(t) });
      await w.start();
      await w.stop();
      for (let i = 0; i < 30; i++) await w.step();
      return { events: w.events.map((e) => JSON.stringify(e)), tracked };
    };
    const a = await run(42);
    const b = await run(42);
    const c = await run(7);
    expect(a.events.length).toBeGreaterThan(10);
    expect(a.events).toEqual(b.events);
    expect(a.tracked).toEqual(b.tracked);
    expect(c.events).not.toEqual(a.events);
  });

  it('adds jobs on every source, hands ScriptX tokens to the tracker, and moves jobs to final states', async () => {
    let t = 1_800_000_000_000;
    const s = await sims(() => t);
    const tracked: { token: string; kind: string }[] = [];
    const w = createWorkload(s, { seed: 3, initialJobs: 9, outageEveryTicks: 0, arrivalRate: 1, trackScriptx: (token, kind) => void tracked.push({ token, kind }) });
    await w.start();
    await w.stop();
    const added = w.events.filter((e) => e.type === 'job-added');
    expect(new Set(added.map((e) => e.type === 'job-added' && e.source))).toEqual(new Set(['scriptx', 'graph', 'aodocs']));
    expect(tracked.length).toBe(added.filter((e) => e.type === 'job-added' && e.source === 'scriptx').length);
    for (const { token } of tracked) expect(s.scriptx.hasJob(token)).toBe(true);
    expect(added.some((e) => e.type === 'job-added' && e.owner === WORKLOAD_USER)).toBe(true);

    const aodocsIds = added.flatMap((e) => (e.type === 'job-added' && e.source === 'aodocs' ? [e.id] : []));
    expect(s.aodocs.getJob(aodocsIds[0])?.status).toBe('IN_PROGRESS');
    for (let i = 0; i < 60; i++) {
      t += 1000;
      await w.step();
    }
    // AODocs jobs that are not stuck have finished; ScriptX lifecycles ran on the simulated clock.
    const finishedAodocs = s.aodocs.jobs().filter((j) => j.status !== 'IN_PROGRESS');
    expect(finishedAodocs.length).toBeGreaterThan(0);
    const finalScriptx = tracked.filter(({ token }) => s.scriptx.jobStatus(token)?.final);
    expect(finalScriptx.length).toBeGreaterThan(0);
    expect(w.ticks).toBe(60);
  });

  it('drops one source out and brings it back', async () => {
    const s = await sims();
    const w = createWorkload(s, { seed: 1, initialJobs: 0, arrivalRate: 0, outageEveryTicks: 3, outageTicks: 2 });
    for (let i = 0; i < 3; i++) await w.step();
    expect(w.down).toBe('aodocs');
    expect(await reachable(s.aodocs.url)).toBe(false);
    await w.step();
    await w.step();
    expect(w.down).toBeNull();
    expect(await reachable(s.aodocs.url)).toBe(true);
    // The next outage is the next source: ScriptX refuses connections, then comes back on stop().
    await w.step();
    expect(w.down).toBe('scriptx');
    expect(await reachable(`${s.scriptx.url}/api`)).toBe(false);
    await w.stop();
    expect(w.down).toBeNull();
    expect(await reachable(`${s.scriptx.url}/api`)).toBe(true);
    expect(w.events.map((e) => `${e.type}:${'source' in e ? e.source : ''}`)).toEqual(['source-down:aodocs', 'source-up:aodocs', 'source-down:scriptx']);
  });

  it('scales time with the speed factor and refuses a bad one', () => {
    const fake = {} as WorkloadSimulators;
    expect(createWorkload(fake, { speed: 10 }).tickMs).toBe(100);
    expect(createWorkload(fake, {}).tickMs).toBe(1000);
    expect(() => createWorkload(fake, { speed: 0 })).toThrow(/speed must be a positive number/);
  });
});
