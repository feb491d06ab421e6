/**
 * The event subscriptions the IPP source gives up on, and the connection test from Settings.
 * The IPP simulator has no RFC 3995; in front of it, a printer's subscription service (an HTTP
 * client that answers Create-Printer-Subscriptions, Renew-Subscription, Get-Notifications and
 * Cancel-Subscription itself, and passes every other request on) grants the lease it is told to
 * and can fail any of those operations, so that cancellations fail and leases end on the source's
 * clock. Jobs and printers come from the simulator.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ipp from 'ipp-encoder';
import { afterEach, describe, expect, it } from 'vitest';
import { createAppCore } from '../../../main/core/app-core';
import { HttpClient, type HttpRequest, type HttpResponse } from '../../../main/http/client';
import type { PollContext } from '../../../main/queue/source';
import { OP, TAG } from '../../../main/sources/ipp/codec';
import { createIppSource } from '../../../main/sources/ipp/source';
import { createEnvSecretStore } from '../../../main/state/secrets-env';
import { createRedactor } from '../../../main/state/redact';
import { dispatch } from '../../../preload/contract/contract';
import type { SourceHealth } from '../../../preload/contract/model';
import { startIppSimulator, type IppSimulator } from '../../simulators/ipp/server';
import { makeDeps } from '../aodocs/helpers';

const SUBSCRIPTION_OPS = new Set<number>([OP.CREATE_PRINTER_SUBSCRIPTIONS, OP.RENEW_SUBSCRIPTION, OP.GET_NOTIFICATIONS, OP.CANCEL_SUBSCRIPTION]);

/** A printer's subscription service in front of the simulator (see above). */
class SubscriptionService extends HttpClient {
  /** The lease granted to the next subscriptions, in seconds. */
  leaseSeconds = 600;
  /** Operations answered server-error-service-unavailable. */
  failing = new Set<number>();
  /** Each subscription operation asked: which, and the subscription it names (or was given). */
  readonly log: { op: number; id: number }[] = [];
  private nextId = 1;

  override async request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    const body = req.body instanceof Uint8Array ? Buffer.from(req.body) : null;
    if (!body || body.length < 8 || !SUBSCRIPTION_OPS.has(body.readUInt16BE(2))) return super.request<T>(req);
    const r = ipp.request.decode(body);
    const op = r.operationId!;
    const named = (r.groups[0]?.attributes.find((a) => a.name === 'notify-subscription-id' || a.name === 'notify-subscription-ids')?.value as unknown[] | undefined)?.[0];
    const groups: { tag: number; attributes: { tag: number; name: string; value: unknown[] }[] }[] = [];
    let id = typeof named === 'number' ? named : 0;
    let status = 0x0000;
    if (this.failing.has(op)) status = 0x0502;
    else if (op === OP.CREATE_PRINTER_SUBSCRIPTIONS) {
      id = this.nextId++;
      groups.push({ tag: TAG.SUBSCRIPTION, attributes: [{ tag: TAG.INTEGER, name: 'notify-subscription-id', value: [id] }, { tag: TAG.INTEGER, name: 'notify-lease-duration', value: [this.leaseSeconds] }] });
    }
    this.log.push({ op, id });
    const operation = { tag: TAG.OPERATION, attributes: [{ tag: TAG.CHARSET, name: 'attributes-charset', value: ['utf-8'] }, { tag: TAG.LANGUAGE, name: 'attributes-natural-language', value: ['en'] }] };
    const data = ipp.response.encode({ version: { major: 2, minor: 0 }, statusCode: status, requestId: r.requestId, groups: [operation, ...groups] });
    return { status: 200, headers: { 'content-type': 'application/ipp' }, data: data as T };
  }

  /** The ids of the subscriptions asked for with `op` from log entry `from` on. */
  asked(op: number, from = 0): number[] {
    return this.log
      .slice(from)
      .filter((e) => e.op === op)
      .map((e) => e.id)
      .sort((a, b) => a - b);
  }
}

const sims: IppSimulator[] = [];
afterEach(async () => {
  for (const s of sims.splice(0)) await s.close();
});

async function printer(): Promise<IppSimulator> {
  const sim = await startIppSimulator();
  sims.push(sim);
  sim.addPrinter({ name: 'office', info: 'Office laser' });
  sim.addJob({ printer: 'office', name: 'Waiting.pdf', user: 'alex', state: 3 });
  return sim;
}

async function subscribingSource() {
  const sim = await printer();
  const { deps, logger, clock } = makeDeps();
  const service = new SubscriptionService({ timeoutMs: 3000 });
  const src = createIppSource({ id: 'office', kind: 'ipp', url: sim.printerUrl('office'), user: 'alex' }, { ...deps, http: service });
  const warnings = () => logger.lines.filter((l) => l.level === 'warn').length;
  /** One poll, and the cancellation it set off in the background failed and was kept (or not). */
  const pollGivingUp = async (mode: PollContext['mode'], failedBefore: number) => {
    expect((await src.poll(ctx(mode))).health.status).toBe('ok');
    await expect.poll(warnings).toBe(failedBefore + 1);
  };
  return { src, service, clock, pollGivingUp };
}

const ctx = (mode: PollContext['mode'] = 'full'): PollContext => ({ mode, signal: new AbortController().signal, activeJobs: new Map() });

describe('subscriptions the IPP source gave up on and could not cancel', () => {
  it('only those whose lease still runs are kept for the stop: a lease that ended neither takes a place of the 10 nor is asked for', async () => {
    const { src, service, clock, pollGivingUp } = await subscribingSource();
    // Subscription 1: the printer grants an hour.
    service.leaseSeconds = 3600;
    await src.poll(ctx('full'));
    expect(service.asked(OP.CREATE_PRINTER_SUBSCRIPTIONS)).toEqual([1]);
    // From now on reads, renewals and cancellations fail, and the printer grants a minute.
    service.failing = new Set([OP.GET_NOTIFICATIONS, OP.RENEW_SUBSCRIPTION, OP.CANCEL_SUBSCRIPTION]);
    service.leaseSeconds = 60;
    // A failed read gives subscription 1 up (its cancellation fails: kept, an hour left); 2 is made.
    await pollGivingUp('active', 0);
    // Subscriptions 2 to 11 are given up on (a renewal refused) after their minute has run out:
    // the server no longer holds them, and they are not kept.
    for (let i = 1; i <= 10; i++) {
      clock.t += 100_000;
      await pollGivingUp('full', i);
    }
    // Subscription 12 is given up on while its minute runs (kept), and runs out before the stop.
    service.leaseSeconds = 3600;
    await pollGivingUp('full', 11);
    clock.t += 100_000;
    expect(service.asked(OP.CREATE_PRINTER_SUBSCRIPTIONS)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));

    service.failing.clear();
    const from = service.log.length;
    await src.dispose?.();
    // Subscription 1 (not pushed out by ten dead ones) and the current one, 13; not 12.
    expect(service.asked(OP.CANCEL_SUBSCRIPTION, from)).toEqual([1, 13]);
  });

  it('at most 10 are kept for the stop, the newest', async () => {
    const { src, service, pollGivingUp } = await subscribingSource();
    await src.poll(ctx('full'));
    service.failing = new Set([OP.GET_NOTIFICATIONS, OP.CANCEL_SUBSCRIPTION]);
    // Each fast poll gives the subscription up (its cancellation fails) and makes the next one.
    for (let i = 0; i < 12; i++) await pollGivingUp('active', i);
    expect(service.asked(OP.CREATE_PRINTER_SUBSCRIPTIONS)).toHaveLength(13);
    expect(service.asked(OP.CANCEL_SUBSCRIPTION)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));

    service.failing.clear();
    const from = service.log.length;
    await src.dispose?.();
    // The ten newest given up on (3 to 12) and the current one (13); 1 and 2 were let go.
    expect(service.asked(OP.CANCEL_SUBSCRIPTION, from)).toEqual(Array.from({ length: 11 }, (_, i) => i + 3));
  });
});

describe('Test connection in Settings', () => {
  it('reads an IPP printer once and subscribes to nothing', async () => {
    const sim = await printer();
    const dir = await mkdtemp(join(tmpdir(), 'pqm-ipp-test-connection-'));
    const configPath = join(dir, 'settings.json');
    await writeFile(configPath, JSON.stringify({ version: 1, sources: [] }));
    const redactor = createRedactor();
    const quiet = { debug() {}, info() {}, warn() {}, error() {} };
    const core = await createAppCore({
      configPath,
      secrets: createEnvSecretStore({}, redactor),
      platform: { pickFileToPrint: async () => null, pickSavePath: async () => null, openExternal: async () => undefined, versions: () => ({ app: 'test' }) },
      logger: quiet,
    });
    try {
      const r = await dispatch(core.handlers, 'testSource', { source: { id: 'office', kind: 'ipp', url: sim.printerUrl('office'), user: 'alex' } });
      expect(r).toMatchObject({ ok: true, value: { status: 'ok', message: '1 job in the queue.' } satisfies Partial<SourceHealth> });
      // The printer, the jobs not completed and the completed ones: no Create-Printer-Subscriptions.
      expect(sim.requests.map((q) => q.operationId)).toEqual([OP.GET_PRINTER_ATTRIBUTES, OP.GET_JOBS, OP.GET_JOBS]);
    } finally {
      await core.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
