/**
 * The IPP source against a real CUPS: Debian's cupsd, started by the test on a free 127.0.0.1
 * port with its own ServerRoot and queues printing to /dev/null. Jobs come from `lp` (held with
 * `-H indefinite`), a paused queue from `cupsdisable` (its operator's words from `-r`), one that
 * refuses jobs from `cupsreject`; the app core runs the source exactly as the app does and answers
 * getPrinters, holdJob, releaseJob and cancelJob.
 * Fails where cupsd cannot run (not root, CUPS not installed) unless PQM_SKIP_CUPS_TESTS=1.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAppCore } from '../../../main/core/app-core';
import type { AppCore } from '../../../main/core/app-core-types';
import ipp from 'ipp-encoder';
import { HttpClient, type HttpRequest, type HttpResponse } from '../../../main/http/client';
import { IPP_STATUS, IppClient, IppStatusError } from '../../../main/sources/ipp/client';
import { int, OP, strs, TAG, type RequestAttribute } from '../../../main/sources/ipp/codec';
import { createIppSource } from '../../../main/sources/ipp/source';
import { createEnvSecretStore } from '../../../main/state/secrets-env';
import { createRedactor } from '../../../main/state/redact';
import type { PollContext, PollResult } from '../../../main/queue/source';
import { dispatch, type Events, type SettingsView } from '../../../preload/contract/contract';
import type { RequestName } from '../../../preload/contract/channels';
import { IppSourceConfig, type Job, type Printer, type Result } from '../../../preload/contract/model';
import { freePort, SKIP_CUPS_TESTS, startCups, type Cups } from '../../helpers/cups';
import { CountingHttpClient } from '../../reliability/helpers';
import { makeDeps } from '../aodocs/helpers';

let cups: Cups;

beforeAll(async () => {
  cups = await startCups();
  await cups.addQueue('office', 'Office laser');
  await cups.addQueue('Büro%2');
}, 60_000);
afterAll(async () => {
  await cups?.stop();
});

const ctx = (mode: PollContext['mode'], active: Job[] = []): PollContext => ({ mode, signal: new AbortController().signal, activeJobs: new Map(active.map((j) => [j.key, j])) });

function source(over: Partial<IppSourceConfig> = {}) {
  const { deps, logger } = makeDeps({ timeoutMs: 10_000 });
  const config = IppSourceConfig.parse({ id: 'cups', kind: 'ipp', url: cups.serverUrl, user: cups.user, ...over });
  return { src: createIppSource(config, deps), logger };
}

/** Polls (a real request each time) until the answer satisfies `done`. */
async function pollUntil(poll: () => Promise<PollResult>, done: (r: PollResult) => boolean, what: string): Promise<PollResult> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await poll();
    if (done(r)) return r;
    if (Date.now() > deadline) throw new Error(`CUPS never reached: ${what}. Last answer: ${JSON.stringify(r.jobs.map((j) => [j.key, j.rawState]))}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

const asJob = (sj: PollResult['jobs'][number]): Job => ({ ...sj, stale: false, stuck: false, gone: false, lastSeenAt: null });

/** One IPP request to the CUPS server itself, through the source's own client and codec. */
function askCups(op: number, attributes: RequestAttribute[], what: string) {
  const client = new IppClient({ http: new HttpClient({ timeoutMs: 10_000 }), user: cups.user, authorization: async () => undefined });
  return client.call(`ipp://127.0.0.1:${cups.port}/`, op, attributes, new AbortController().signal, what);
}

/** The ids of the event subscriptions CUPS holds now (Get-Subscriptions of the whole server). */
async function subscriptionIds(): Promise<number[]> {
  try {
    const a = await askCups(OP.GET_SUBSCRIPTIONS, [{ tag: TAG.BOOLEAN, name: 'my-subscriptions', value: false }], 'Listing the subscriptions');
    return a.groups.filter((g) => g.tag === TAG.SUBSCRIPTION).map((g) => int(g, 'notify-subscription-id')!);
  } catch (err) {
    // CUPS says client-error-not-found when it holds none.
    if (err instanceof IppStatusError && err.status === IPP_STATUS.NOT_FOUND) return [];
    throw err;
  }
}

/** The subscriptions `run` made on CUPS. */
async function subscriptionsMadeBy(run: () => Promise<unknown>): Promise<number[]> {
  const before = new Set(await subscriptionIds());
  await run();
  return (await subscriptionIds()).filter((id) => !before.has(id));
}

describe.skipIf(SKIP_CUPS_TESTS)('the IPP source against a real CUPS server', () => {
  afterEach(async () => {
    // Every queue back to enabled, accepting and empty.
    for (const q of ['office', 'Büro%2']) {
      await cups.run('/usr/sbin/cupsenable', [q]);
      await cups.run('/usr/sbin/cupsaccept', [q]);
    }
    await cups.run('/usr/bin/cancel', ['-a', '-x']);
  });

  it('lists a held job with its document, owner, size and reason, and the printers', async () => {
    const id = await cups.submit('office', 'Quarterly report.pdf', { hold: true });
    const { src } = source();
    const r = await src.poll(ctx('full'));
    expect(r.health.status).toBe('ok');
    const job = r.jobs.find((j) => j.nativeId === String(id));
    expect(job).toMatchObject({
      key: `cups:office/${id}`,
      sourceKind: 'ipp',
      state: 'paused',
      document: 'Quarterly report.pdf',
      owner: cups.user,
      mine: true,
      printer: 'Office laser',
      reason: 'Waiting to be released',
      hold: { allowed: false },
      release: { allowed: true },
      cancel: { allowed: true },
    });
    expect(job!.rawState).toBe('4 pending-held (job-hold-until-specified)');
    expect(job!.sizeBytes).toBeGreaterThan(0);
    expect(Date.parse(job!.createdAt!)).toBeGreaterThan(Date.now() - 120_000);
    expect(r.printers?.map((p) => [p.key, p.name, p.state, p.acceptingJobs])).toEqual(
      expect.arrayContaining([
        ['cups:office', 'Office laser', 'ready', true],
        ['cups:B%C3%BCro%252', 'Büro%2', 'ready', true],
      ]),
    );
  });

  it('a queue name with non-ASCII letters and a percent sign stays in the key, encoded, and only the chosen queues are read', async () => {
    const id = await cups.submit('Büro%2', 'Badge list', { hold: true });
    await cups.submit('office', 'Not watched', { hold: true });
    const { src } = source({ printers: ['Büro%2'] });
    const r = await src.poll(ctx('full'));
    expect(r.jobs.map((j) => j.key)).toEqual([`cups:B%C3%BCro%252/${id}`]);
    expect(r.printers?.map((p) => p.id)).toEqual(['Büro%2']);
    const missing = await source({ printers: ['nope'] }).src.poll(ctx('full'));
    expect(missing.health).toMatchObject({ status: 'degraded', message: expect.stringContaining('has no queue "nope"') });
    // CUPS queue names are not case-sensitive: "OFFICE" is the queue office.
    const upper = await source({ printers: ['OFFICE'] }).src.poll(ctx('full'));
    expect(upper.health.status).toBe('ok');
    expect(upper.printers?.map((p) => p.id)).toEqual(['office']);
  });

  it('held -> released -> completed, through the printer URL', async () => {
    const id = await cups.submit('office', 'Release me', { hold: true });
    const { src } = source({ url: cups.printerUrl('office') });
    const first = await src.poll(ctx('full'));
    const held = asJob(first.jobs.find((j) => j.nativeId === String(id))!);
    expect(held.state).toBe('paused');
    const after = await src.act(held, { type: 'release' }, new AbortController().signal);
    expect(['queued', 'printing', 'completed']).toContain(after.state);
    const done = await pollUntil(() => src.poll(ctx('full')), (r) => r.jobs.some((j) => j.nativeId === String(id) && j.state === 'completed'), `job ${id} completed`);
    // CUPS 2.4.0-2.4.7 leave processing-to-stop-point on a printed job: it is not "being stopped".
    expect(done.jobs.find((j) => j.nativeId === String(id))).toMatchObject({ state: 'completed', reason: null, detail: null, progress: 1, cancel: { allowed: false }, release: { allowed: false } });
    expect(done.complete).toBe(true);
  });

  it('the server\'s own ipp:// address, a queue address ending in a slash, and a user name in other case', async () => {
    const id = await cups.submit('office', 'Any address', { hold: true });
    for (const url of [`ipp://127.0.0.1:${cups.port}/`, `${cups.printerUrl('office')}/`]) {
      const r = await source({ url }).src.poll(ctx('full'));
      expect(r.health.status, url).toBe('ok');
      expect(r.jobs.map((j) => j.key), url).toContain(`cups:office/${id}`);
    }
    // CUPS matches requesting-user-name without case (my-jobs), and so does "mine".
    const upper = await source({ user: cups.user.toUpperCase() }).src.poll(ctx('full'));
    expect(upper.jobs.find((j) => j.nativeId === String(id))).toMatchObject({ owner: cups.user, mine: true });
  });

  it('a job on a printer that does not answer shows what CUPS says of it (job-printer-state-message)', async () => {
    await cups.addQueue('unplugged', 'Unplugged', `socket://127.0.0.1:${await freePort()}`);
    try {
      const id = await cups.submit('unplugged', 'Nowhere to go');
      const { src } = source({ printers: ['unplugged'] });
      const r = await pollUntil(() => src.poll(ctx('full')), (p) => p.jobs.some((j) => j.nativeId === String(id) && j.detail !== null), `job ${id} with a message`);
      const job = r.jobs.find((j) => j.nativeId === String(id))!;
      expect(job.detail).toMatch(/printer/i);
    } finally {
      await cups.run('/usr/bin/cancel', ['-a', '-x', 'unplugged']);
      await cups.run('/usr/sbin/lpadmin', ['-x', 'unplugged']);
    }
  });

  it('a queue paused with cupsdisable is Paused, as CUPS says it (stopped, reason paused), and Ready again once enabled', async () => {
    await cups.run('/usr/sbin/cupsdisable', ['office']);
    // What CUPS itself answers for a disabled queue.
    const client = new IppClient({ http: new HttpClient({ timeoutMs: 10_000 }), user: cups.user, authorization: async () => undefined });
    const answer = await client.call(cups.printerUrl('office'), OP.GET_PRINTER_ATTRIBUTES, [], new AbortController().signal, 'Reading the printer');
    const g = answer.groups.find((x) => x.tag === TAG.PRINTER)!;
    expect([int(g, 'printer-state'), strs(g, 'printer-state-reasons')]).toEqual([5, ['paused']]);

    const id = await cups.submit('office', 'Waiting');
    const { src } = source();
    const r = await src.poll(ctx('full'));
    expect(r.printers?.find((p) => p.id === 'office')).toMatchObject({ state: 'paused', reasons: [] });
    expect(r.jobs.find((j) => j.nativeId === String(id))).toMatchObject({ state: 'queued', reason: 'The printer is paused' });
    expect(r.health.message).toContain('Office laser is paused.');

    await cups.run('/usr/sbin/cupsenable', ['office']);
    const enabled = await pollUntil(() => src.poll(ctx('full')), (p) => p.printers?.find((x) => x.id === 'office')?.state !== 'paused', 'the queue enabled');
    expect(enabled.printers?.find((p) => p.id === 'office')?.state).toMatch(/^(ready|printing)$/);
  });

  it('hold and release a waiting job on a paused printer; its reason says the printer is paused, in its operator\'s words', async () => {
    await cups.run('/usr/sbin/cupsdisable', ['-r', 'Paper jam', 'office']);
    const id = await cups.submit('office', 'Waiting');
    const { src } = source();
    const r = await src.poll(ctx('full'));
    const waiting = r.jobs.find((j) => j.nativeId === String(id))!;
    expect(waiting).toMatchObject({ state: 'queued', reason: 'The printer is paused (Paper jam)', hold: { allowed: true }, release: { allowed: false } });
    expect(r.printers?.find((p) => p.id === 'office')).toMatchObject({ state: 'paused', reasons: ['Paper jam'] });
    expect(r.health.message).toContain('Office laser is paused (Paper jam)');

    const held = await src.act(asJob(waiting), { type: 'hold' }, new AbortController().signal);
    expect(held).toMatchObject({ state: 'paused', rawState: expect.stringContaining('pending-held'), release: { allowed: true } });
    const released = await src.act(asJob(held), { type: 'release' }, new AbortController().signal);
    expect(released).toMatchObject({ state: 'queued', hold: { allowed: true } });
    // Releasing a job that is not held: CUPS says no, in its words.
    await expect(src.act({ ...asJob(released), release: { allowed: true } }, { type: 'release' }, new AbortController().signal)).rejects.toMatchObject({ code: 'too-late', message: expect.stringMatching(/^Job \d+ cannot be released now: "Job #\d+ is not held/) });
  });

  it('cancel a held job; a job CUPS no longer knows is gone', async () => {
    const id = await cups.submit('office', 'Cancel me', { hold: true });
    const { src } = source();
    const r = await src.poll(ctx('full'));
    const job = asJob(r.jobs.find((j) => j.nativeId === String(id))!);
    const after = await src.act(job, { type: 'cancel' }, new AbortController().signal);
    expect(after).toMatchObject({ state: 'canceled', cancel: { allowed: false } });
    // The fast cycle looks up an active job that left the not-completed list.
    const fast = await src.poll(ctx('active', [job]));
    expect(fast.jobs.find((j) => j.key === job.key)).toMatchObject({ state: 'canceled' });
    await cups.run('/usr/bin/cancel', ['-a', '-x']);
    const ghost = asJob({ ...job, key: 'cups:office/99999', nativeId: '99999' });
    const later = await src.poll(ctx('active', [ghost]));
    expect(later.gone).toEqual(['cups:office/99999']);
  });

  it('subscribes to CUPS events (ippget): a fast poll without changes is one Get-Notifications', async () => {
    const { deps } = makeDeps();
    const http = new CountingHttpClient({ timeoutMs: 10_000 });
    const src = createIppSource(IppSourceConfig.parse({ id: 'cups', kind: 'ipp', url: cups.serverUrl, user: cups.user }), { ...deps, http });
    const first = await src.poll(ctx('full'));
    expect(first.health.status).toBe('ok');
    // Subscribe, printers, not-completed and completed jobs.
    expect(http.total).toBe(4);
    const quiet = await src.poll(ctx('active'));
    expect(http.total).toBe(5);
    expect(quiet).toMatchObject({ jobs: [], complete: false, health: first.health });
    expect(quiet.printers).toBeUndefined();

    // A new job is an event: the next fast poll reads the printers and jobs again and finds it.
    const id = await cups.submit('office', 'Seen through an event', { hold: true });
    const seen = await src.poll(ctx('active'));
    expect(http.total).toBe(5 + 3);
    expect(seen.jobs.find((j) => j.nativeId === String(id))).toMatchObject({ state: 'paused', document: 'Seen through an event' });
    // And a printer paused by its operator too.
    await cups.run('/usr/sbin/cupsdisable', ['-r', 'Paper jam', 'office']);
    const paused = await src.poll(ctx('active'));
    expect(paused.printers?.find((p) => p.id === 'office')).toMatchObject({ state: 'paused' });
    const before = http.total;
    expect(await src.poll(ctx('active'))).toMatchObject({ jobs: [] });
    expect(http.total).toBe(before + 1);
  });

  it('stopping the source cancels its event subscription (Cancel-Subscription); stopped, it subscribes no more', async () => {
    const { src, logger } = source();
    const made = await subscriptionsMadeBy(() => src.poll(ctx('full')));
    expect(made).toHaveLength(1);
    await src.dispose?.();
    // dispose waits for CUPS's answer: the subscription is gone when it returns.
    expect(await subscriptionIds()).not.toContain(made[0]);
    expect(logger.lines.filter((l) => l.level === 'warn')).toEqual([]);
    // A poll after it (one the engine had already started) makes none.
    expect(await subscriptionsMadeBy(() => src.poll(ctx('full')))).toEqual([]);
  });

  /**
   * The HTTP client of a source behind a faulty gateway: while `failing` names an operation, CUPS
   * never sees it and the source is answered server-error-service-unavailable in IPP.
   */
  class FaultyGateway extends HttpClient {
    failing = new Set<number>();
    override async request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
      const body = req.body instanceof Uint8Array ? Buffer.from(req.body) : null;
      if (body && body.length >= 8 && this.failing.has(body.readUInt16BE(2))) {
        const data = ipp.response.encode({ version: { major: 2, minor: 0 }, statusCode: 0x0502, requestId: body.readInt32BE(4), groups: [{ tag: TAG.OPERATION, attributes: [{ tag: TAG.CHARSET, name: 'attributes-charset', value: ['utf-8'] }, { tag: TAG.LANGUAGE, name: 'attributes-natural-language', value: ['en'] }] }] });
        return { status: 200, headers: { 'content-type': 'application/ipp' }, data: data as T };
      }
      return super.request<T>(req);
    }
  }

  function behindGateway() {
    const { deps, logger } = makeDeps();
    const http = new FaultyGateway({ timeoutMs: 10_000 });
    const src = createIppSource(IppSourceConfig.parse({ id: 'cups', kind: 'ipp', url: cups.serverUrl, user: cups.user }), { ...deps, http });
    return { src, http, logger };
  }

  it('a subscription whose reads keep failing is canceled each time it is given up on: CUPS holds one of the source\'s at most', async () => {
    const before = new Set(await subscriptionIds());
    const mine = async () => (await subscriptionIds()).filter((id) => !before.has(id));
    const { src, http, logger } = behindGateway();
    expect((await src.poll(ctx('full'))).health.status).toBe('ok');
    expect(await mine()).toHaveLength(1);
    http.failing.add(OP.GET_NOTIFICATIONS);
    for (let i = 0; i < 5; i++) expect((await src.poll(ctx('active'))).health.status).toBe('ok');
    // Each failed read gives the subscription up, cancels it in the background and makes a new one.
    await expect.poll(mine, { timeout: 10_000 }).toHaveLength(1);
    expect(logger.lines.filter((l) => l.level === 'warn')).toEqual([]);
    await src.dispose?.();
    expect(await mine()).toEqual([]);
  });

  it('a subscription given up on whose cancellation fails too is canceled when the source stops', async () => {
    const before = new Set(await subscriptionIds());
    const mine = async () => (await subscriptionIds()).filter((id) => !before.has(id));
    const { src, http, logger } = behindGateway();
    await src.poll(ctx('full'));
    http.failing.add(OP.GET_NOTIFICATIONS);
    http.failing.add(OP.CANCEL_SUBSCRIPTION);
    for (let i = 0; i < 3; i++) await src.poll(ctx('active'));
    await expect.poll(() => logger.lines.filter((l) => l.level === 'warn').length, { timeout: 10_000 }).toBe(3);
    expect(await mine()).toHaveLength(4);
    http.failing.clear();
    await src.dispose?.();
    expect(await mine()).toEqual([]);
  });

  it('a stopped source whose subscription CUPS no longer has (canceled by someone else) stops quietly', async () => {
    const { src, logger } = source();
    const [id] = await subscriptionsMadeBy(() => src.poll(ctx('full')));
    await askCups(OP.CANCEL_SUBSCRIPTION, [{ tag: TAG.INTEGER, name: 'notify-subscription-id', value: id! }], 'Canceling the subscription');
    expect(await subscriptionIds()).not.toContain(id);
    await src.dispose?.();
    expect(logger.lines.filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('a printer that rejects jobs says so', async () => {
    await cups.run('/usr/sbin/cupsreject', ['-r', 'Moving offices', 'Büro%2']);
    const r = await source().src.poll(ctx('full'));
    expect(r.printers?.find((p) => p.id === 'Büro%2')).toMatchObject({ acceptingJobs: false, reasons: expect.arrayContaining(['Moving offices']) });
  });

  /** Runs `fn` against the app core watching this CUPS server, as the app does. */
  async function withCore(sourceOver: Record<string, unknown>, fn: (c: AppCore, call: <T>(name: RequestName, input: unknown) => Promise<Result<T>>) => Promise<void>): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), 'pqm-ipp-core-'));
    let core: AppCore | undefined;
    try {
      const configPath = join(dir, 'settings.json');
      await writeFile(configPath, JSON.stringify({ version: 1, sources: [{ id: 'cups', kind: 'ipp', url: cups.serverUrl, user: cups.user, ...sourceOver }] }));
      const redactor = createRedactor();
      const quiet = { debug() {}, info() {}, warn() {}, error() {} };
      core = await createAppCore({
        configPath,
        secrets: createEnvSecretStore({}, redactor),
        platform: { pickFileToPrint: async () => null, pickSavePath: async () => null, openExternal: async () => undefined, versions: () => ({ app: 'test' }) },
        logger: quiet,
      });
      const c = core;
      await fn(c, <T,>(name: RequestName, input: unknown) => dispatch(c.handlers, name, input) as Promise<Result<T>>);
    } finally {
      await core?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('the app core: the printers in getPrinters and printers:changed, hold / release / cancel through the handlers', async () => {
    await withCore({ printers: ['office'] }, async (c, call) => {
      const events: Events['printers:changed'][] = [];
      c.on('printers:changed', (p) => events.push(p));

      const id = await cups.submit('office', 'Core job', { hold: true });
      await c.pollOnce();
      const printers = await call<Printer[]>('getPrinters', {});
      expect(printers).toEqual({ ok: true, value: [{ key: 'cups:office', sourceId: 'cups', sourceKind: 'ipp', id: 'office', name: 'Office laser', state: 'ready', reasons: [], acceptingJobs: true, activeJobs: 1, stuckJobs: 0 }] });
      expect(events.at(-1)?.printers[0]).toMatchObject({ key: 'cups:office', activeJobs: 1 });

      const key = `cups:office/${id}`;
      expect(await call('holdJob', { key })).toMatchObject({ ok: false, error: { code: 'not-allowed', message: 'The job is already held.' } });
      expect(await call<Job>('releaseJob', { key })).toMatchObject({ ok: true, value: { key } });

      await cups.run('/usr/sbin/cupsdisable', ['-r', 'Paper jam', 'office']);
      const id2 = await cups.submit('office', 'Second');
      await c.pollOnce();
      expect(events.at(-1)?.printers[0]).toMatchObject({ state: 'paused', reasons: ['Paper jam'] });
      const key2 = `cups:office/${id2}`;
      expect(await call<Job>('holdJob', { key: key2 })).toMatchObject({ ok: true, value: { state: 'paused', release: { allowed: true } } });
      expect(await call<Job>('cancelJob', { key: key2 })).toMatchObject({ ok: true, value: { state: 'canceled' } });
      expect(await call('releaseJob', { key: 'cups:office/1%2F2' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    });
  });

  it('the app core: switching the source off and quitting the app cancel its event subscriptions', async () => {
    let second = 0;
    await withCore({}, async (c, call) => {
      const before = new Set(await subscriptionIds());
      const made = async () => (await subscriptionIds()).filter((id) => !before.has(id));
      // Polling as the app does (a one-shot poll does not subscribe).
      c.start();
      await expect.poll(made, { timeout: 10_000 }).toHaveLength(1);
      const [first] = await made();
      const view = (await call<SettingsView>('getSettings', {})) as { ok: true; value: SettingsView };
      const switched = (enabled: boolean) => ({ settings: { ...view.value.settings, sources: view.value.settings.sources.map((s) => ({ ...s, enabled })) } });
      expect(await call('saveSettings', switched(false))).toMatchObject({ ok: true });
      // Switched off: stopped in the background, its subscription canceled.
      await expect.poll(() => subscriptionIds(), { timeout: 10_000 }).not.toContain(first);
      expect(await call('saveSettings', switched(true))).toMatchObject({ ok: true });
      await expect.poll(async () => (await made()).filter((id) => id > first!), { timeout: 10_000 }).toHaveLength(1);
      [second] = (await made()).filter((id) => id > first!);
    });
    // Quitting (the core's stop, which withCore awaits) waits for the cancellation.
    expect(await subscriptionIds()).not.toContain(second);
  });

  it('cancelPrinterJobs cancels every job not finished on one printer, and only there', async () => {
    await withCore({}, async (c, call) => {
      await cups.run('/usr/sbin/cupsdisable', ['-r', 'Paper jam', 'office']);
      const held = await cups.submit('office', 'Held', { hold: true });
      const waiting = await cups.submit('office', 'Waiting on the jam');
      const elsewhere = await cups.submit('Büro%2', 'Other printer', { hold: true });
      await c.pollOnce();
      expect((await call<Printer[]>('getPrinters', {})) as { value: Printer[] }).toMatchObject({ value: expect.arrayContaining([expect.objectContaining({ key: 'cups:office', activeJobs: 2 })]) });

      const answer = await call<{ key: string; result: Result<Job> }[]>('cancelPrinterJobs', { printerKey: 'cups:office' });
      expect(answer.ok).toBe(true);
      const results = (answer as { value: { key: string; result: Result<Job> }[] }).value;
      expect(results.map((r) => r.key).sort()).toEqual([`cups:office/${held}`, `cups:office/${waiting}`].sort());
      for (const r of results) expect(r.result).toMatchObject({ ok: true, value: { state: 'canceled' } });
      // CUPS itself: nothing left on office, the other printer's job untouched.
      const left = await cups.run('/usr/bin/lpstat', ['-o']);
      expect(left).not.toMatch(/^office-/m);
      expect(left).toMatch(new RegExp(`-${elsewhere} `));
      expect(c.getJob(`cups:${encodeURIComponent('Büro%2')}/${elsewhere}`)).toMatchObject({ state: 'paused' });

      // The jobs the user confirmed, by key: one that reached the printer since is left alone.
      const confirmedA = await cups.submit('office', 'Confirmed A', { hold: true });
      const confirmedB = await cups.submit('office', 'Confirmed B', { hold: true });
      await c.pollOnce();
      const later = await cups.submit('office', 'Arrived after the confirmation', { hold: true });
      await c.pollOnce();
      const named = await call<{ key: string; result: Result<Job> }[]>('cancelPrinterJobs', { printerKey: 'cups:office', keys: [`cups:office/${confirmedA}`, `cups:office/${confirmedB}`] });
      expect((named as { value: { key: string; result: Result<Job> }[] }).value.map((r) => [r.key, r.result.ok])).toEqual([
        [`cups:office/${confirmedA}`, true],
        [`cups:office/${confirmedB}`, true],
      ]);
      expect(await cups.run('/usr/bin/lpstat', ['-o'])).toMatch(new RegExp(`^office-${later} `, 'm'));
      expect(c.getJob(`cups:office/${later}`)).toMatchObject({ state: 'paused' });

      expect(await call('cancelPrinterJobs', { printerKey: 'cups:no-such-queue' })).toMatchObject({ ok: false, error: { code: 'not-found', field: 'printerKey' } });
      expect(await call('cancelPrinterJobs', { printerKey: 'not a key' })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    });
  });
});
