/**
 * Printers that speak an older IPP: the source asks in IPP/2.0 first and, when the printer answers
 * server-error-version-not-supported (or, for a 2.0 request, HTTP 400), asks the same request again
 * in 1.1, then 1.0 (RFC 8011 4.1.8), and keeps the version that worked for that printer. Against the
 * IPP simulator made an old printer (`versions`): it reads the version bytes of every request and
 * refuses every other version. A printer that accepts none of them says so in the source's health,
 * and the other sources and the jobs already known lose nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createQueueEngine } from '../../../main/queue/engine';
import type { PollContext } from '../../../main/queue/source';
import { createIppSource } from '../../../main/sources/ipp/source';
import { systemClock } from '../../../main/ports/ports';
import { PollingSettings, type Job } from '../../../preload/contract/model';
import { startIppSimulator, type IppSimulator, type IppSimulatorOptions } from '../../simulators/ipp/server';
import { makeDeps } from '../aodocs/helpers';

const OP = { CREATE_PRINTER_SUBSCRIPTIONS: 0x16, GET_PRINTER_ATTRIBUTES: 0x0b, GET_JOBS: 0x0a, HOLD_JOB: 0x0c, CANCEL_JOB: 0x08 };
const VERSION_NOT_SUPPORTED = 0x0503;

const sims: IppSimulator[] = [];
afterEach(async () => {
  for (const s of sims.splice(0)) await s.close();
});

async function printer(opts: IppSimulatorOptions): Promise<IppSimulator> {
  const sim = await startIppSimulator(opts);
  sims.push(sim);
  sim.addPrinter({ name: 'office', info: 'Office laser' });
  sim.addJob({ printer: 'office', name: 'Waiting.pdf', user: 'alex', state: 3 });
  sim.addJob({ printer: 'office', name: 'Printing.pdf', user: 'alex', state: 5, impressions: 4, impressionsCompleted: 1 });
  return sim;
}

function source(sim: IppSimulator, id = 'old') {
  const { deps, logger } = makeDeps();
  return { src: createIppSource({ id, kind: 'ipp', url: sim.printerUrl('office'), user: 'alex' }, deps), logger };
}

const ctx = (mode: PollContext['mode'] = 'full'): PollContext => ({ mode, signal: new AbortController().signal, activeJobs: new Map() });
const asJob = (j: Omit<Job, 'stale' | 'stuck' | 'gone' | 'lastSeenAt'>): Job => ({ ...j, stale: false, stuck: false, gone: false, lastSeenAt: null });
/** What the printer received: each request's operation, version and the status it answered. */
const seen = (sim: IppSimulator, from = 0) => sim.requests.slice(from).map((q) => [q.operationId, q.version, q.status]);

describe('an IPP printer that speaks an older IPP', () => {
  it('IPP/1.1 only: each request refused in 2.0 is asked again in 1.1, and 1.1 is kept for the printer', async () => {
    const sim = await printer({ versions: ['1.0', '1.1'] });
    const { src, logger } = source(sim);
    const first = await src.poll(ctx());
    expect(first.health).toEqual({ status: 'ok', message: '2 jobs in the queue.' });
    expect(first.jobs.map((j) => j.document).sort()).toEqual(['Printing.pdf', 'Waiting.pdf']);
    // The subscription (an RFC 3995 extension this printer does not have) is refused in 1.1:
    // the printer is polled with Get-Jobs, every request in 1.1 once 2.0 was refused.
    expect(seen(sim)).toEqual([
      [OP.CREATE_PRINTER_SUBSCRIPTIONS, '2.0', VERSION_NOT_SUPPORTED],
      [OP.CREATE_PRINTER_SUBSCRIPTIONS, '1.1', 0x0501],
      [OP.GET_PRINTER_ATTRIBUTES, '1.1', 0],
      [OP.GET_JOBS, '1.1', 0],
      [OP.GET_JOBS, '1.1', 0],
    ]);
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'info', message: expect.stringContaining('older'), data: expect.objectContaining({ sourceId: 'old', version: '1.1', refused: ['2.0'] }) }));

    const before = sim.requests.length;
    const again = await src.poll(ctx('active'));
    expect(again.health.status).toBe('ok');
    expect(seen(sim, before)).toEqual([
      [OP.GET_PRINTER_ATTRIBUTES, '1.1', 0],
      [OP.GET_JOBS, '1.1', 0],
    ]);
    // Hold-Job is in IPP/1.1: it works, asked in 1.1 at once.
    const waiting = first.jobs.find((j) => j.document === 'Waiting.pdf')!;
    const held = await src.act(asJob(waiting), { type: 'hold' }, new AbortController().signal);
    expect(held).toMatchObject({ state: 'paused', release: { allowed: true } });
    expect(sim.requests.slice(before).every((q) => q.version === '1.1')).toBe(true);
  });

  it('IPP/1.0 only: 2.0 and 1.1 refused, the jobs read in 1.0 (which-jobs, my-jobs); Hold-Job, not in 1.0, refused in the printer\'s words', async () => {
    const sim = await printer({ versions: ['1.0'] });
    const { src } = source(sim);
    const first = await src.poll(ctx());
    expect(first.health).toEqual({ status: 'ok', message: '2 jobs in the queue.' });
    expect(first.jobs).toHaveLength(2);
    expect(seen(sim)).toEqual([
      [OP.CREATE_PRINTER_SUBSCRIPTIONS, '2.0', VERSION_NOT_SUPPORTED],
      [OP.CREATE_PRINTER_SUBSCRIPTIONS, '1.1', VERSION_NOT_SUPPORTED],
      [OP.CREATE_PRINTER_SUBSCRIPTIONS, '1.0', 0x0501],
      [OP.GET_PRINTER_ATTRIBUTES, '1.0', 0],
      [OP.GET_JOBS, '1.0', 0],
      [OP.GET_JOBS, '1.0', 0],
    ]);
    const before = sim.requests.length;
    expect((await src.poll(ctx())).health.status).toBe('ok');
    expect(new Set(sim.requests.slice(before).map((q) => q.version))).toEqual(new Set(['1.0']));

    const waiting = asJob(first.jobs.find((j) => j.document === 'Waiting.pdf')!);
    await expect(src.act(waiting, { type: 'hold' }, new AbortController().signal)).rejects.toMatchObject({ code: 'unsupported', message: expect.stringMatching(/^This printer does not support Hold-Job: "operation 0xc is not in IPP\/1\.0"/) });
    // Cancel-Job is in 1.0.
    expect(await src.act(waiting, { type: 'cancel' }, new AbortController().signal)).toMatchObject({ state: 'canceled' });
    expect(seen(sim).slice(-3)).toEqual([
      [OP.HOLD_JOB, '1.0', 0x0501],
      [OP.CANCEL_JOB, '1.0', 0],
      [0x09, '1.0', 0],
    ]);
  });

  it('a printer that refuses a version without echoing the request-id (request-id 0) is asked in the older version all the same', async () => {
    const sim = await printer({ versions: ['1.0', '1.1'], versionRefusalRequestId: 'zero' });
    const { src } = source(sim);
    const r = await src.poll(ctx());
    expect(r.health).toEqual({ status: 'ok', message: '2 jobs in the queue.' });
    expect(seen(sim).slice(0, 3)).toEqual([
      [OP.CREATE_PRINTER_SUBSCRIPTIONS, '2.0', VERSION_NOT_SUPPORTED],
      [OP.CREATE_PRINTER_SUBSCRIPTIONS, '1.1', 0x0501],
      [OP.GET_PRINTER_ATTRIBUTES, '1.1', 0],
    ]);
  });

  it('a printer that answers an IPP/2.0 request with HTTP 400 is asked in 1.1', async () => {
    const sim = await printer({ versions: ['1.0', '1.1'], versionRefusal: 'http-400' });
    const { src } = source(sim);
    const r = await src.poll(ctx());
    expect(r.health).toEqual({ status: 'ok', message: '2 jobs in the queue.' });
    // An HTTP 400 says no more than "bad request": 1.1 is kept only once it has worked, not after
    // the subscription 1.1 refuses for another reason (then the next request is asked in 2.0 again).
    expect(seen(sim).slice(0, 5)).toEqual([
      [OP.CREATE_PRINTER_SUBSCRIPTIONS, '2.0', 400],
      [OP.CREATE_PRINTER_SUBSCRIPTIONS, '1.1', 0x0501],
      [OP.GET_PRINTER_ATTRIBUTES, '2.0', 400],
      [OP.GET_PRINTER_ATTRIBUTES, '1.1', 0],
      [OP.GET_JOBS, '1.1', 0],
    ]);
    expect(sim.requests.slice(3).every((q) => q.version === '1.1')).toBe(true);
  });

  it('a printer that accepts none of 2.0, 1.1 and 1.0: a specific health for its source, its jobs kept, the other source untouched; it is asked from 2.0 again once it changes', async () => {
    const old = await printer({ versions: ['1.1'] });
    const modern = await printer({});
    const a = source(old, 'old');
    const b = source(modern, 'modern');
    const engine = createQueueEngine({ sources: [a.src, b.src], polling: PollingSettings.parse({}), clock: systemClock, random: () => 0 });
    const health = (id: string) => engine.snapshot().sources.find((s) => s.id === id)!;
    const jobsOf = (id: string) => engine.snapshot().jobs.filter((j) => j.sourceId === id);
    try {
      await engine.pollOnce();
      expect(health('old')).toMatchObject({ status: 'ok', message: '2 jobs in the queue.' });
      expect(health('modern')).toMatchObject({ status: 'ok', message: '2 jobs in the queue.' });
      expect(modern.requests.every((q) => q.version === '2.0')).toBe(true);

      // New firmware that speaks no version the monitor does.
      old.setVersions(['2.2']);
      const before = old.requests.length;
      await engine.pollOnce();
      expect(health('old')).toMatchObject({
        status: 'degraded',
        message: `The IPP server at 127.0.0.1:${old.port} accepts none of the IPP versions the monitor speaks (it answered IPP/1.1 and 1.0 with "IPP/1.0 is not supported; only IPP/2.2" (server-error-version-not-supported)). Check that the address in Settings is the printer's IPP address; it will be tried again.`,
      });
      // One request per version, starting from the one it spoke, then nothing more this poll.
      expect(seen(old, before)).toEqual([
        [OP.GET_PRINTER_ATTRIBUTES, '1.1', VERSION_NOT_SUPPORTED],
        [OP.GET_PRINTER_ATTRIBUTES, '1.0', VERSION_NOT_SUPPORTED],
      ]);
      expect(jobsOf('old')).toHaveLength(2);
      expect(jobsOf('old').every((j) => j.document !== null)).toBe(true);
      expect(health('modern')).toMatchObject({ status: 'ok', message: '2 jobs in the queue.' });
      expect(jobsOf('modern').every((j) => !j.stale)).toBe(true);

      // The next poll starts over from 2.0 (the printer may have been updated again).
      old.setVersions(['1.0']);
      const later = old.requests.length;
      await engine.pollOnce();
      expect(health('old')).toMatchObject({ status: 'ok', message: '2 jobs in the queue.' });
      expect(seen(old, later).slice(0, 3)).toEqual([
        [OP.GET_PRINTER_ATTRIBUTES, '2.0', VERSION_NOT_SUPPORTED],
        [OP.GET_PRINTER_ATTRIBUTES, '1.1', VERSION_NOT_SUPPORTED],
        [OP.GET_PRINTER_ATTRIBUTES, '1.0', 0],
      ]);
      expect(jobsOf('old').every((j) => !j.stale)).toBe(true);
    } finally {
      await engine.stop();
    }
  });

  it('a printer that accepts no version at all refuses an action with the same words', async () => {
    const sim = await printer({ versions: ['1.1'] });
    const { src } = source(sim);
    const r = await src.poll(ctx());
    sim.setVersions(['3.0']);
    const job = asJob(r.jobs.find((j) => j.document === 'Waiting.pdf')!);
    await expect(src.act(job, { type: 'cancel' }, new AbortController().signal)).rejects.toMatchObject({
      code: 'unsupported',
      message: `The IPP server at 127.0.0.1:${sim.port} accepts none of the IPP versions the monitor speaks (it answered IPP/1.1 and 1.0 with "IPP/1.0 is not supported; only IPP/3.0" (server-error-version-not-supported)), so the monitor cannot cancel job ${job.nativeId}.`,
    });
  });
});

describe('subscribing to an IPP printer', () => {
  const subscribing = (sim: IppSimulator, from = 0) => sim.requests.slice(from).filter((q) => q.operationId === OP.CREATE_PRINTER_SUBSCRIPTIONS).map((q) => [q.version, q.status]);

  it('a subscription refused with HTTP 400 (a proxy may say so) is asked for again after 10 minutes; operation-not-supported is for good', async () => {
    const sim = await printer({});
    const { deps, clock } = makeDeps();
    const src = createIppSource({ id: 'proxied', kind: 'ipp', url: sim.printerUrl('office'), user: 'alex' }, deps);
    sim.injectFault({ kind: 'http', status: 400 }, 2);
    expect((await src.poll(ctx())).health.status).toBe('ok');
    // 2.0 refused with HTTP 400, then 1.1 alike.
    expect(subscribing(sim)).toEqual([
      ['2.0', 400],
      ['1.1', 400],
    ]);
    let from = sim.requests.length;
    clock.t += 60_000;
    await src.poll(ctx());
    clock.t += 8 * 60_000;
    await src.poll(ctx());
    expect(subscribing(sim, from)).toEqual([]);
    clock.t += 60_000;
    expect((await src.poll(ctx())).health.status).toBe('ok');
    // This printer has no RFC 3995: it says so, and is not asked again.
    expect(subscribing(sim, from)).toEqual([['2.0', 0x0501]]);
    from = sim.requests.length;
    for (let i = 0; i < 3; i++) {
      clock.t += 10 * 60_000;
      await src.poll(ctx());
    }
    expect(subscribing(sim, from)).toEqual([]);
  });

  it('a one-shot poll (a listing from the command line, a test from Settings) does not subscribe', async () => {
    const sim = await printer({});
    const { src } = source(sim);
    const r = await src.poll({ ...ctx(), oneShot: true });
    expect(r.health).toEqual({ status: 'ok', message: '2 jobs in the queue.' });
    expect(subscribing(sim)).toEqual([]);
    expect(sim.requests.map((q) => q.operationId)).toEqual([OP.GET_PRINTER_ATTRIBUTES, OP.GET_JOBS, OP.GET_JOBS]);
    // The same source polled by the app subscribes.
    await src.poll(ctx());
    expect(subscribing(sim)).toHaveLength(1);
  });
});
