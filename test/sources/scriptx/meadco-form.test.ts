/**
 * The ScriptX source against a simulator that behaves as the real service does where our notes
 * once guessed: the license compared as written, the description only at /api/ and in shapes the
 * notes did not assume, finished jobs deleted once anyone read their final status, cancel as seed
 * 003 documents it, and no cancel for PDF jobs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { licenseForms, meadcoLicenseForm } from '../../../main/sources/scriptx/client';
import { CANCEL_REQUESTED_REASON, CANCEL_TOO_LATE_REASON, CANCELED_AS_REQUESTED_REASON, FORGOTTEN_REASON, VANISHED_REASON } from '../../../main/sources/scriptx/source';
import { PDF_CANCEL_REASON } from '../../../main/sources/scriptx/states';
import type { SourceJob } from '../../../main/queue/source';
import type { Job } from '../../../preload/contract/model';
import { harness, signal, LICENSE, type Harness } from './helpers';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const asJob = (j: SourceJob): Job => ({ ...j, stale: false, stuck: false, gone: false, lastSeenAt: j.updatedAt });
const basic = (user: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:`).toString('base64')}` });
const sentUsers = (hh: Harness) => hh.sim.requests.filter((r) => r.path.startsWith('/api/v1/')).map((r) => r.auth);

describe('the license, in MeadCo\'s form', () => {
  it('writes a GUID typed with or without braces, in either case, as MeadCo does', () => {
    for (const typed of ['5091e665-8916-4d21-996e-00a2de5de416', '{5091E665-8916-4D21-996E-00A2DE5DE416}', ' {5091e665-8916-4D21-996E-00A2DE5DE416} ']) {
      expect(meadcoLicenseForm(typed)).toBe('{5091E665-8916-4D21-996E-00A2DE5DE416}');
    }
    expect(meadcoLicenseForm('not a guid')).toBeNull();
    expect(licenseForms('5091e665-8916-4d21-996e-00a2de5de416')).toEqual(['{5091E665-8916-4D21-996E-00A2DE5DE416}', '5091e665-8916-4d21-996e-00a2de5de416']);
    expect(licenseForms(LICENSE)).toEqual([LICENSE]);
  });

  it('sends the braces to a service that compares the license as written, whatever form was typed', async () => {
    for (const typed of ['5091e665-8916-4d21-996e-00a2de5de416', '5091E665-8916-4D21-996E-00A2DE5DE416']) {
      h = await harness({ sim: { stepMs: 100_000 }, license: typed });
      const token = h.sim.addJob();
      await h.tracked.add({ sourceId: 'local', id: token, addedAt: h.clock.iso() });
      const r = await h.poll('full');
      expect(r.health.status).toBe('ok');
      expect(r.jobs.map((j) => j.rawState)).toEqual(['1 Queued']);
      expect(sentUsers(h).every((a) => a === 'valid')).toBe(true);
      await h.close();
      h = null;
    }
  });

  it('on a 401, tries once the form as typed, and keeps the one the service accepted', async () => {
    const typed = '5091e665-8916-4d21-996e-00a2de5de416';
    h = await harness({ sim: { stepMs: 100_000, license: typed }, license: typed });
    const token = h.sim.addJob();
    await h.tracked.add({ sourceId: 'local', id: token, addedAt: h.clock.iso() });
    const r = await h.poll('full');
    expect(r.jobs.map((j) => j.rawState)).toEqual(['1 Queued']);
    expect(sentUsers(h)[0]).toBe('invalid');
    expect(sentUsers(h).filter((a) => a === 'invalid')).toHaveLength(1);
    await h.clock.advance(1000);
    await h.poll('full');
    expect(sentUsers(h).filter((a) => a === 'invalid')).toHaveLength(1);
    // The description needs no license on this build: a form it answered is no proof; the license
    // details still get the retry.
    await h.close();
    h = await harness({ sim: { license: typed }, license: typed });
    expect((await h.poll('full')).health.status).toBe('ok');
    expect(h.sim.requests.filter((q) => q.path === '/api/v1/licensing').map((q) => q.auth)).toEqual(['invalid', 'valid']);
    // Neither form accepted: a license problem, tried once per form.
    await h.close();
    h = await harness({ sim: { stepMs: 100_000 }, license: '11111111-2222-4333-8444-555555555555' });
    await expect(h.poll('full')).rejects.toMatchObject({ status: 'auth-required' });
  });
});

describe('the service description and the license, read tolerantly', () => {
  it('reads the description at /api/ (with the slash)', async () => {
    h = await harness();
    const r = await h.poll('full');
    expect(r.health).toMatchObject({ status: 'ok', detail: { version: '2.23.1.5' } });
    expect(h.sim.requests.map((q) => q.path)).toContain('/api/');
    expect(h.sim.requests.map((q) => q.path)).not.toContain('/api');
  });

  it('an informational field in another shape never fails a poll', async () => {
    h = await harness({ sim: { stepMs: 100_000, description: { serviceUpgrade: {}, availablePrinters: [{ name: 'Microsoft Print to PDF' }], serverVersion: '12.1' } } });
    const token = h.sim.addJob();
    await h.tracked.add({ sourceId: 'local', id: token, addedAt: h.clock.iso() });
    const r = await h.poll('full');
    expect(r.health.status).toBe('ok');
    expect(r.jobs.map((j) => j.rawState)).toEqual(['1 Queued']);
    const info = await h.source.serviceInfo!(signal());
    expect(info.version).toBe('2.23.1.5');
  });

  it('when the description or the license cannot be read, jobs are still polled and the health names what failed', async () => {
    h = await harness({ sim: { stepMs: 100_000 } });
    const token = h.sim.addJob();
    await h.tracked.add({ sourceId: 'local', id: token, addedAt: h.clock.iso() });
    await h.sim.setFault({ type: 'malformed', pathPrefix: '/api/v1/licensing' });
    const r = await h.poll('full');
    expect(r.jobs.map((j) => j.rawState)).toEqual(['1 Queued']);
    expect(r.health.status).toBe('degraded');
    expect(r.health.message).toContain('The license details could not be read');
    expect(r.health.message).toContain('job statuses are still followed');
    await h.sim.setFault({ type: 'status', status: 500, path: '/api/' });
    h.restart();
    await h.clock.advance(1000);
    const r2 = await h.poll('full');
    expect(r2.jobs.map((j) => j.rawState)).toEqual(['1 Queued']);
    expect(r2.health.message).toContain('The service description (GET /api/) could not be read');
    await h.sim.setFault(null);
    await h.clock.advance(1000);
    expect((await h.poll('full')).health.status).toBe('ok');
  });

  it('an expired license, or one ending today, keeps health ok with the date, and tracking goes on', async () => {
    for (const [to, words] of [
      ['2026-01-01T00:00:00', 'The ScriptX license of Acme Ltd expired on 2026-01-01; jobs are still followed.'],
      ['2026-01-05T23:00:00', 'The ScriptX license of Acme Ltd expires today (2026-01-05).'],
    ] as const) {
      h = await harness({ sim: { stepMs: 100_000, licenseInfo: { to } } });
      const token = h.sim.addJob();
      await h.tracked.add({ sourceId: 'local', id: token, addedAt: h.clock.iso() });
      const r = await h.poll('full');
      expect(r.health.status).toBe('ok');
      expect(r.health.message).toContain(words);
      expect(r.jobs.map((j) => j.rawState)).toEqual(['1 Queued']);
      await h.clock.advance(1000);
      expect((await h.poll('active')).health.message).toContain(words);
      await h.close();
      h = null;
    }
  });
});

describe('a job the service has forgotten', () => {
  /** Someone else (the page that printed the job) reads its final status: the service deletes it. */
  async function readElsewhere(hh: Harness, token: string): Promise<number> {
    return (await fetch(`${hh.sim.url}/api/v1/printHtml/status/${token}`, { headers: basic(LICENSE) })).status;
  }

  it('last seen printing, then 404: finished — no longer reported by the service, never failed', async () => {
    h = await harness({ sim: { stepMs: 1000 } });
    const token = h.sim.addJob({ steps: [{ status: 5, afterMs: 0 }, { status: 6, afterMs: 1000 }] });
    expect((await h.source.track!(token, {}, signal())).state).toBe('printing');
    await h.clock.advance(1500);
    expect(await readElsewhere(h, token)).toBe(200);
    const r = await h.poll();
    const job = r.jobs.find((j) => j.nativeId === token);
    expect(job).toMatchObject({ state: 'completed', reason: FORGOTTEN_REASON, progress: 1 });
    expect(r.gone).toEqual([]);
    expect(r.health.status).toBe('ok');
    const n = h.statusRequests(token);
    await h.clock.advance(1000);
    await h.poll('full');
    expect(h.statusRequests(token)).toBe(n);
  });

  it('knows it finished after a restart too: the last status seen printing is kept in the tracked list', async () => {
    h = await harness({ sim: { stepMs: 1000 } });
    const token = h.sim.addJob({ steps: [{ status: 5, afterMs: 0 }, { status: 6, afterMs: 1000 }] });
    await h.source.track!(token, {}, signal());
    expect(h.tracked.jobs.find((t) => t.id === token)?.lastStatus).toBe(5);
    const restarted = h.restart();
    await h.clock.advance(1500);
    expect(await readElsewhere(h, token)).toBe(200);
    const r = await restarted.poll({ mode: 'active', signal: signal(), activeJobs: new Map() });
    expect(r.jobs.find((j) => j.nativeId === token)).toMatchObject({ state: 'completed', reason: FORGOTTEN_REASON });
    expect(r.gone).toEqual([]);
  });

  it('a job that vanishes before it was seen printing is gone, with that reason', async () => {
    h = await harness({ sim: { stepMs: 100_000 } });
    const token = h.sim.addJob({ steps: [{ status: 1, afterMs: 0 }, { status: -1, afterMs: 1000 }] });
    await h.source.track!(token, {}, signal());
    await h.clock.advance(1500);
    expect(await readElsewhere(h, token)).toBe(200);
    const r = await h.poll();
    expect(r.gone).toEqual([`local:${token}`]);
    expect(r.jobs.find((j) => j.nativeId === token)).toMatchObject({ state: 'queued', reason: VANISHED_REASON });
  });
});

describe('cancel, as seed 003 documents it', () => {
  it('a job being prepared is asked to stop: "cancel requested", followed to -2 Abandoned', async () => {
    h = await harness({ sim: { stepMs: 1000 } });
    const token = h.sim.addJob({ steps: [{ status: 3, afterMs: 0 }, { status: 5, afterMs: 5000 }, { status: 6, afterMs: 10_000 }] });
    const job = await h.source.track!(token, {}, signal());
    expect(job.cancel).toEqual({ allowed: true });
    const after = await h.source.act(asJob(job), { type: 'cancel' }, signal());
    expect(after).toMatchObject({ state: 'processing', rawState: '3 Downloading', reason: CANCEL_REQUESTED_REASON, cancel: { allowed: false } });
    await h.clock.advance(1500);
    const r = await h.poll();
    expect(r.jobs.find((j) => j.nativeId === token)).toMatchObject({ state: 'canceled', rawState: '-2 Abandoned', reason: CANCELED_AS_REQUESTED_REASON });
  });

  it('a job asked to stop that goes on printing says the cancel came too late', async () => {
    h = await harness({ sim: { stepMs: 1000, cancelStopsAfterMs: false } });
    const token = h.sim.addJob({ steps: [{ status: 2, afterMs: 0 }, { status: 5, afterMs: 1000 }, { status: 6, afterMs: 10_000 }] });
    const job = await h.source.track!(token, {}, signal());
    expect((await h.source.act(asJob(job), { type: 'cancel' }, signal())).reason).toBe(CANCEL_REQUESTED_REASON);
    await h.clock.advance(1500);
    const r = await h.poll();
    expect(r.jobs.find((j) => j.nativeId === token)).toMatchObject({ state: 'printing', reason: CANCEL_TOO_LATE_REASON });
  });

  it('PDF jobs: ScriptX.Services cannot cancel them, said before anything is sent', async () => {
    h = await harness({ sim: { stepMs: 100_000 } });
    const token = h.sim.addJob({ kind: 'pdf' });
    const job = await h.source.track!(token, { kind: 'pdf' }, signal());
    expect(job.cancel).toEqual({ allowed: false, reason: PDF_CANCEL_REASON });
    await expect(h.source.act(asJob({ ...job, cancel: { allowed: true } }), { type: 'cancel' }, signal())).rejects.toMatchObject({
      code: 'unsupported',
      message: `The job cannot be canceled: ${PDF_CANCEL_REASON}.`,
    });
    expect(h.sim.requests.some((r) => r.path.includes('canceljob'))).toBe(false);
  });
});
