/**
 * The IPP source: one network printer (`ipp://host/printers/<name>`, `ipps://...`) or every queue
 * of a CUPS server (`http://host:631`), through the printer's own protocol (RFC 8011).
 *
 * Each poll reads the printers' health (Get-Printer-Attributes, or CUPS-Get-Printers for a
 * server) and the jobs not completed (Get-Jobs). The full cycle adds the recently completed jobs,
 * so a job that finished is seen in its final state, and then says the list is complete; the
 * fast cycle looks up, one by one, active jobs that have left the not-completed list. Jobs are
 * canceled, held and released with Cancel-Job, Hold-Job and Release-Job.
 *
 * Where the server offers IPP event notifications with the `ippget` pull method (RFC 3996; CUPS
 * does), the source subscribes once to the changes of its printer or server, and a fast poll is
 * then one Get-Notifications: the printers and jobs are read again only when an event came (or
 * events may have been missed). The lease is renewed before it ends; a server that refuses the
 * subscription is polled with Get-Jobs instead.
 */
import { userInfo } from 'node:os';
import { AppFailure, type IppSourceConfig, type Job, type JobDetails } from '../../../preload/contract/model';
import { basicAuth, HttpError } from '../../http/client';
import { SourceError, type JobAction, type JobSource, type PollContext, type PollResult, type SourceJob, type SourcePrinter } from '../../queue/source';
import type { SourceDeps } from '../deps';
import { IPP_STATUS, IppClient, IppStatusError } from './client';
import { int, OP, str, TAG, type AttributeGroup, type RequestAttribute } from './codec';
import { JOB_ATTRIBUTES, JOB_STATE_NAMES, parseLocator, PRINTER_ATTRIBUTES, toSourceJob, toSourcePrinter } from './states';

/** The lease asked for, and how long before its end it is renewed. */
export const SUBSCRIPTION_LEASE_S = 600;
const RENEW_BEFORE_MS = 120_000;
/** How long after a full read events alone are trusted (CUPS' ippget-event-life is 15 s). */
const EVENT_LIFE_MS = 10_000;
const NOTIFY_EVENTS = ['job-created', 'job-state-changed', 'job-progress', 'job-completed', 'printer-state-changed', 'printer-added', 'printer-deleted', 'printer-modified'];

export interface IppSourceOptions {
  /** Completed jobs read per printer (or server) in a full poll. */
  completedLimit?: number;
  /** Single-job look-ups per fast poll (active jobs that left the not-completed list). */
  maxLookups?: number;
  timeoutMs?: number;
}

/** Where the source's URL points: one printer, or a CUPS server and the queues chosen on it. */
export type IppTarget = { kind: 'printer'; uri: string; id: string } | { kind: 'server'; base: string; queues: string[] | null };

/** Reads the configured URL: a /printers/ or /classes/ path or an ipp(s) URL is one printer. */
export function ippTarget(config: Pick<IppSourceConfig, 'url' | 'printers'>): IppTarget {
  const u = new URL(config.url);
  const path = u.pathname.replace(/\/+$/, '');
  const queue = /^\/(printers|classes)\/([^/]+)$/.exec(path);
  const ippScheme = u.protocol === 'ipp:' || u.protocol === 'ipps:';
  if (!queue && !ippScheme && path === '') {
    const scheme = u.protocol === 'https:' ? 'ipps' : 'ipp';
    return { kind: 'server', base: `${scheme}://${u.host}`, queues: config.printers ?? null };
  }
  const scheme = u.protocol === 'https:' || u.protocol === 'ipps:' ? 'ipps' : 'ipp';
  const id = queue ? decodeURIComponent(queue[2]) : decodeURIComponent(path.split('/').filter(Boolean).pop() ?? u.hostname) || u.hostname;
  return { kind: 'printer', uri: `${scheme}://${u.host}${u.pathname}`, id };
}

const kw = (name: string, value: string | string[]): RequestAttribute => ({ tag: TAG.KEYWORD, name, value });

export function createIppSource(config: IppSourceConfig, deps: SourceDeps, opts: IppSourceOptions = {}): JobSource {
  const target = ippTarget(config);
  const completedLimit = opts.completedLimit ?? 100;
  const maxLookups = opts.maxLookups ?? 50;
  const host = new URL(config.url).host;
  const name = config.name ?? (target.kind === 'printer' ? `${target.id} (${host})` : `Print server ${host}`);
  const scope = config.scope ?? 'mine';
  const user = config.user ?? safeUserName();
  const client = new IppClient({
    http: deps.http,
    user,
    timeoutMs: opts.timeoutMs,
    certificateSha256: config.certificateSha256,
    async authorization() {
      const password = await deps.secrets.get(config.id, 'PASSWORD');
      return password ? basicAuth(user, password) : undefined;
    },
  });
  /** Printer id -> the name shown, and the printers as the last poll read them. */
  const names = new Map<string, string>();
  let lastPrinters: ReadonlyMap<string, SourcePrinter> = new Map();
  /** The ippget subscription: its id, the next event sequence number, when its lease ends. */
  let subscription: { id: number; nextSeq: number; expiresAt: number } | null = null;
  /** The server refused subscriptions: Get-Jobs at every poll. */
  let subscriptionsRefused = false;
  /** The health of the last poll that read the printers and jobs (a quiet poll repeats it). */
  let lastHealth: PollResult['health'] | null = null;
  let lastReadAt = 0;

  const printerUri = (id: string): string => (target.kind === 'printer' ? target.uri : `${target.base}/printers/${encodeURIComponent(id)}`);
  const printerOf = (id: string) => ({ id, name: names.get(id) ?? id });
  const wanted = (id: string) => target.kind === 'printer' || target.queues === null || target.queues.includes(id);

  /** The queue a job belongs to, from its job-printer-uri (a server's Get-Jobs spans queues). */
  function printerIdOf(g: AttributeGroup): string | null {
    if (target.kind === 'printer') return target.id;
    const uri = str(g, 'job-printer-uri');
    const m = uri ? /\/(?:printers|classes)\/([^/?#]+)\/?$/.exec(uri) : null;
    if (!m) return null;
    try {
      return decodeURIComponent(m[1]);
    } catch {
      return null;
    }
  }

  /**
   * CUPS gives a job waiting on a stopped printer no reason of its own (job-state-reasons none or
   * job-queued): the printer's state and reasons say why it waits.
   */
  function waitReason(job: SourceJob, printer: SourcePrinter | undefined): string | null {
    if (!printer || (printer.state !== 'stopped' && printer.state !== 'offline')) return null;
    if (job.state !== 'queued' && job.state !== 'paused' && job.state !== 'printing') return null;
    const why = printer.reasons.filter((r) => r !== 'Paused' && r !== 'Offline');
    return `The printer is ${printer.state}${why.length ? ` (${why.join(', ')})` : ''}`;
  }

  function mapJobs(groups: AttributeGroup[], now: number, printers: ReadonlyMap<string, SourcePrinter>): SourceJob[] {
    const out: SourceJob[] = [];
    for (const g of groups) {
      if (g.tag !== TAG.JOB) continue;
      const id = printerIdOf(g);
      if (id === null || !wanted(id)) continue;
      const job = toSourceJob(g, { sourceId: config.id, printer: printerOf(id), user, nowMs: now });
      if (!job) continue;
      if (job.reason === null && job.rawState.startsWith('3 ')) job.reason = waitReason(job, printers.get(id));
      out.push(job);
    }
    return out;
  }

  /** The place jobs are listed at: the printer, or the whole server (CUPS lists every queue at "/"). */
  const listUri = target.kind === 'printer' ? target.uri : `${target.base}/`;

  async function getJobs(which: 'not-completed' | 'completed', signal: AbortSignal): Promise<AttributeGroup[]> {
    const attrs: RequestAttribute[] = [kw('which-jobs', which), kw('requested-attributes', JOB_ATTRIBUTES)];
    if (scope === 'mine') attrs.push({ tag: TAG.BOOLEAN, name: 'my-jobs', value: true });
    if (which === 'completed') attrs.push({ tag: TAG.INTEGER, name: 'limit', value: completedLimit });
    const a = await client.call(listUri, OP.GET_JOBS, attrs, signal, `Listing the ${which} jobs`);
    return a.groups;
  }

  async function readPrinters(signal: AbortSignal): Promise<{ printers: SourcePrinter[]; missing: string[] }> {
    const requested = kw('requested-attributes', PRINTER_ATTRIBUTES);
    let groups: AttributeGroup[];
    if (target.kind === 'printer') {
      groups = (await client.call(target.uri, OP.GET_PRINTER_ATTRIBUTES, [requested], signal, 'Reading the printer')).groups;
    } else {
      groups = (await client.call(`${target.base}/`, OP.CUPS_GET_PRINTERS, [requested], signal, 'Listing the printers')).groups;
    }
    const printers: SourcePrinter[] = [];
    for (const g of groups) {
      if (g.tag !== TAG.PRINTER) continue;
      const id = target.kind === 'printer' ? target.id : str(g, 'printer-name');
      if (!id || !wanted(id)) continue;
      const p = toSourcePrinter(g, config.id, id);
      names.set(id, p.name);
      printers.push(p);
    }
    const missing = target.kind === 'server' && target.queues ? target.queues.filter((q) => !printers.some((p) => p.id === q)) : [];
    return { printers, missing };
  }

  function said(err: IppStatusError): string {
    return err.serviceMessage ? `"${err.serviceMessage}" (${err.statusName})` : err.statusName;
  }

  /** A failure that concerns the whole source, as the health it implies. */
  function sourceWide(err: unknown): SourceError {
    if (err instanceof HttpError) {
      if (err.kind === 'unreachable' || err.kind === 'timeout') {
        const why = err.kind === 'timeout' ? 'no answer in time' : err.message.replace(/^.* could not be reached \((.*)\)$/, '$1');
        return new SourceError('down', `The IPP server at ${host} could not be reached (${why}). Check that the printer or server is on and the address in Settings.`, { cause: err });
      }
      if (err.kind === 'http' && err.status === 401) {
        return new SourceError('auth-required', `The IPP server at ${host} asks for a user name and password: set "user" and store the password for "${name}" in Settings${err.serviceMessage ? ` (it said "${err.serviceMessage}")` : ''}.`, { cause: err });
      }
      if (err.kind === 'http' && err.status === 426) {
        return new SourceError('degraded', `The IPP server at ${host} requires encryption: use an ipps:// (or https://) address in Settings.`, { cause: err });
      }
      if (err.kind === 'http' && err.status === 403) {
        return new SourceError('auth-required', `The IPP server at ${host} refused access (403${err.serviceMessage ? `: "${err.serviceMessage}"` : ''}); check the user name and password in Settings.`, { cause: err });
      }
      if (err.kind === 'http') {
        return new SourceError('degraded', `The IPP server at ${host} answered HTTP ${err.status}${err.serviceMessage ? `: "${err.serviceMessage}"` : ''}; it will be tried again.`, { retryAfterMs: err.retryAfterMs, cause: err });
      }
      if (err.kind === 'malformed' || err.kind === 'too-large') {
        return new SourceError('degraded', `The IPP server at ${host} sent an answer the monitor cannot read (${err.message}); it will be tried again.`, { cause: err });
      }
    }
    if (err instanceof IppStatusError) {
      if (err.status === IPP_STATUS.NOT_AUTHENTICATED || err.status === IPP_STATUS.FORBIDDEN) {
        return new SourceError('auth-required', `The IPP server at ${host} refused to list jobs: ${said(err)}. Check the user name and password in Settings.`, { cause: err });
      }
      if (err.status === IPP_STATUS.NOT_FOUND && target.kind === 'printer') {
        return new SourceError('degraded', `The IPP server at ${host} has no printer at ${new URL(target.uri).pathname}: ${said(err)}. Check the address in Settings.`, { cause: err });
      }
      return new SourceError('degraded', `The IPP server at ${host} refused a request: ${err.message}.`, { cause: err });
    }
    return new SourceError('degraded', `Reading the IPP server at ${host} failed: ${err instanceof Error ? err.message : String(err)}.`, { cause: err });
  }

  function isAbort(err: unknown, signal: AbortSignal): boolean {
    return signal.aborted || (err instanceof HttpError && err.kind === 'aborted');
  }

  async function lookUp(job: Job, signal: AbortSignal): Promise<SourceJob | 'gone'> {
    const where = parseLocator(job.key.slice(config.id.length + 1));
    if (!where) return 'gone';
    try {
      const a = await client.call(printerUri(where.printerId), OP.GET_JOB_ATTRIBUTES, [{ tag: TAG.INTEGER, name: 'job-id', value: where.jobId }, kw('requested-attributes', JOB_ATTRIBUTES)], signal, `Reading job ${where.jobId}`);
      const g = a.groups.find((x) => x.tag === TAG.JOB);
      const mapped = g ? mapJobs([g], deps.clock.now(), lastPrinters)[0] : undefined;
      return mapped ?? 'gone';
    } catch (err) {
      if (err instanceof IppStatusError && (err.status === IPP_STATUS.NOT_FOUND || err.status === IPP_STATUS.GONE)) return 'gone';
      throw err;
    }
  }

  async function subscribe(signal: AbortSignal): Promise<void> {
    try {
      const a = await client.call(
        listUri,
        OP.CREATE_PRINTER_SUBSCRIPTIONS,
        [],
        signal,
        'Subscribing to changes',
        [{ tag: TAG.SUBSCRIPTION, attributes: [kw('notify-pull-method', 'ippget'), kw('notify-events', NOTIFY_EVENTS), { tag: TAG.INTEGER, name: 'notify-lease-duration', value: SUBSCRIPTION_LEASE_S }] }],
      );
      const g = a.groups.find((x) => x.tag === TAG.SUBSCRIPTION);
      const id = g ? int(g, 'notify-subscription-id') : null;
      if (id === null) throw new IppStatusError(0x0500, 'no notify-subscription-id in the answer', 'Subscribing to changes');
      const lease = (g && int(g, 'notify-lease-duration')) || SUBSCRIPTION_LEASE_S;
      subscription = { id, nextSeq: 1, expiresAt: deps.clock.now() + lease * 1000 };
      deps.logger.debug('IPP subscription created', { sourceId: config.id, subscriptionId: id, leaseSeconds: lease });
    } catch (err) {
      if (err instanceof IppStatusError) {
        // Not offered (or not to us): poll with Get-Jobs from now on.
        subscriptionsRefused = true;
        deps.logger.info('IPP server refused event subscriptions; polling the job list instead', { sourceId: config.id, status: err.statusName });
        return;
      }
      throw err;
    }
  }

  async function renew(signal: AbortSignal): Promise<void> {
    if (!subscription) return;
    try {
      await client.call(listUri, OP.RENEW_SUBSCRIPTION, [{ tag: TAG.INTEGER, name: 'notify-subscription-id', value: subscription.id }, { tag: TAG.INTEGER, name: 'notify-lease-duration', value: SUBSCRIPTION_LEASE_S }], signal, 'Renewing the subscription');
      subscription.expiresAt = deps.clock.now() + SUBSCRIPTION_LEASE_S * 1000;
    } catch (err) {
      if (!(err instanceof IppStatusError)) throw err;
      subscription = null;
    }
  }

  /** One Get-Notifications: whether anything changed (or may have) since the last one. */
  async function changedSinceLast(signal: AbortSignal): Promise<boolean> {
    const sub = subscription!;
    let a;
    try {
      a = await client.call(
        listUri,
        OP.GET_NOTIFICATIONS,
        [
          { tag: TAG.INTEGER, name: 'notify-subscription-ids', value: sub.id },
          { tag: TAG.INTEGER, name: 'notify-sequence-numbers', value: sub.nextSeq },
          { tag: TAG.BOOLEAN, name: 'notify-wait', value: false },
        ],
        signal,
        'Reading the changes',
      );
    } catch (err) {
      // The subscription is gone (lease ended, server restarted): read everything, subscribe again.
      if (err instanceof IppStatusError) {
        subscription = null;
        return true;
      }
      throw err;
    }
    let changed = false;
    let lost = false;
    for (const g of a.groups) {
      if (g.tag !== TAG.EVENT_NOTIFICATION) continue;
      const seq = int(g, 'notify-sequence-number');
      if (seq === null) continue;
      if (!changed && seq > sub.nextSeq) lost = true;
      changed = true;
      sub.nextSeq = Math.max(sub.nextSeq, seq + 1);
    }
    return changed || lost;
  }

  async function poll(ctx: PollContext): Promise<PollResult> {
    const { signal } = ctx;
    const now = deps.clock.now();
    // Cleared until this poll succeeds: after a failure, the next poll reads everything.
    const quiet = lastHealth;
    lastHealth = null;
    try {
      if (subscription && subscription.expiresAt - now < RENEW_BEFORE_MS) await renew(signal);
      // A fast poll with a subscription: nothing changed, nothing to read. Servers keep events
      // only briefly (CUPS about 15 s), so after a longer gap everything is read again.
      if (ctx.mode === 'active' && subscription && quiet && now - lastReadAt < EVENT_LIFE_MS && !(await changedSinceLast(signal))) {
        lastHealth = quiet;
        return { jobs: [], complete: false, health: quiet };
      }
      if (!subscription && !subscriptionsRefused) await subscribe(signal);
    } catch (err) {
      if (isAbort(err, signal)) throw err;
      throw sourceWide(err);
    }
    let printers: SourcePrinter[];
    let missing: string[];
    let jobs: SourceJob[];
    let completedCount = 0;
    try {
      ({ printers, missing } = await readPrinters(signal));
      const byId = new Map(printers.map((p) => [p.id, p]));
      lastPrinters = byId;
      jobs = mapJobs(await getJobs('not-completed', signal), now, byId);
      if (ctx.mode === 'full') {
        const done = await getJobs('completed', signal);
        completedCount = done.filter((g) => g.tag === TAG.JOB).length;
        jobs.push(...mapJobs(done, now, byId));
      }
    } catch (err) {
      if (isAbort(err, signal)) throw err;
      throw sourceWide(err);
    }
    const seen = new Set(jobs.map((j) => j.key));
    const gone: string[] = [];
    const stale: string[] = [];
    const problems: string[] = missing.map((q) => `The CUPS server at ${host} has no queue "${q}"; check "printers" in Settings.`);
    let skipped = 0;
    if (ctx.mode === 'active') {
      const vanished = [...ctx.activeJobs.values()].filter((j) => j.sourceId === config.id && !seen.has(j.key));
      skipped = Math.max(0, vanished.length - maxLookups);
      for (const job of vanished.slice(0, maxLookups)) {
        try {
          const found = await lookUp(job, signal);
          if (found === 'gone') gone.push(job.key);
          else jobs.push(found);
        } catch (err) {
          if (isAbort(err, signal)) throw err;
          stale.push(job.key);
          problems.push(`Job ${job.nativeId} could not be read: ${err instanceof Error ? err.message : String(err)}.`);
        }
      }
    }
    const complete = ctx.mode === 'full' && missing.length === 0 && completedCount < completedLimit;
    const active = jobs.filter((j) => j.state !== 'completed' && j.state !== 'canceled' && j.state !== 'failed').length;
    const troubled = printers.filter((p) => p.state === 'stopped' || p.state === 'offline' || p.acceptingJobs === false);
    const printerWords = troubled.map((p) => `${p.name} is ${p.state === 'offline' ? 'offline' : p.state === 'stopped' ? 'stopped' : 'not accepting jobs'}${p.reasons.length ? ` (${p.reasons.join(', ')})` : ''}`);
    const base = `${active} ${active === 1 ? 'job' : 'jobs'} in the queue${target.kind === 'server' ? ` of ${printers.length} ${printers.length === 1 ? 'printer' : 'printers'}` : ''}`;
    const message = `${[base, ...printerWords].join('; ')}.`;
    deps.logger.debug('IPP poll', { sourceId: config.id, mode: ctx.mode, jobs: jobs.length, active, printers: printers.length, complete });
    const result: PollResult = {
      jobs,
      complete: complete && skipped === 0,
      printers,
      health: problems.length ? { status: 'degraded', message: `${problems[0]}${problems.length > 1 ? ` (${problems.length - 1} more problems)` : ''} ${message}` } : { status: 'ok', message },
    };
    if (gone.length) result.gone = gone;
    if (stale.length) result.stale = stale;
    // A look-up that failed is read again at the next poll, event or not.
    lastHealth = stale.length ? null : result.health;
    lastReadAt = now;
    return result;
  }

  const ACTIONS = {
    cancel: { op: OP.CANCEL_JOB, verb: 'cancel' },
    hold: { op: OP.HOLD_JOB, verb: 'hold' },
    release: { op: OP.RELEASE_JOB, verb: 'release' },
  } as const;

  function actionFailure(err: unknown, job: Job, verb: string): AppFailure {
    if (err instanceof AppFailure) return err;
    if (err instanceof IppStatusError) {
      const words = said(err);
      switch (err.status) {
        case IPP_STATUS.NOT_AUTHENTICATED:
          return new AppFailure('auth-required', `The IPP server asks who you are to ${verb} job ${job.nativeId}: ${words}. Set the user name and password in Settings.`, { sourceId: config.id });
        case IPP_STATUS.FORBIDDEN:
        case IPP_STATUS.NOT_AUTHORIZED:
          return new AppFailure('not-allowed', `The IPP server does not let ${user} ${verb} job ${job.nativeId}: ${words}.`, { sourceId: config.id });
        case IPP_STATUS.NOT_FOUND:
        case IPP_STATUS.GONE:
          return new AppFailure('not-found', `The IPP server no longer knows job ${job.nativeId}: ${words}.`, { sourceId: config.id });
        case IPP_STATUS.NOT_POSSIBLE:
          return new AppFailure('too-late', `Job ${job.nativeId} cannot be ${verb === 'cancel' ? 'canceled' : verb === 'hold' ? 'held' : 'released'} now: ${words}.`, { sourceId: config.id });
        case IPP_STATUS.OPERATION_NOT_SUPPORTED:
          return new AppFailure('unsupported', `This printer does not support ${verb === 'hold' ? 'Hold-Job' : verb === 'release' ? 'Release-Job' : 'Cancel-Job'}: ${words}.`, { sourceId: config.id });
        default:
          return new AppFailure('internal', `The IPP server refused to ${verb} job ${job.nativeId}: ${words}.`, { sourceId: config.id });
      }
    }
    if (err instanceof HttpError) {
      if (err.kind === 'unreachable' || err.kind === 'timeout' || err.kind === 'aborted') return new AppFailure('unreachable', `The IPP server at ${host} could not be reached to ${verb} job ${job.nativeId}; try again when it is back.`, { sourceId: config.id });
      if (err.kind === 'http' && err.status === 401) return new AppFailure('auth-required', `The IPP server at ${host} asks for a user name and password to ${verb} job ${job.nativeId}.`, { sourceId: config.id });
      return new AppFailure('internal', `The IPP server at ${host} answered the request to ${verb} job ${job.nativeId} with something the monitor cannot use: ${err.message}.`, { sourceId: config.id });
    }
    return new AppFailure('internal', `Could not ${verb} job ${job.nativeId}: ${err instanceof Error ? err.message : String(err)}`, { sourceId: config.id });
  }

  return {
    id: config.id,
    kind: 'ipp',
    name,
    loopback: false,
    poll,

    async act(job: Job, action: JobAction, signal: AbortSignal): Promise<SourceJob> {
      if (action.type === 'abort' || action.type === 'pause' || action.type === 'resume') throw new AppFailure('unsupported', `IPP jobs can be canceled, held and released, not ${action.type === 'abort' ? 'aborted' : `${action.type}d`}.`, { sourceId: config.id });
      const { op, verb } = ACTIONS[action.type];
      const where = parseLocator(job.key.slice(config.id.length + 1));
      if (!where || job.sourceId !== config.id) throw new AppFailure('invalid-input', `"${job.key}" is not a job of ${name}.`, { sourceId: config.id, field: 'key' });
      const permission = action.type === 'cancel' ? job.cancel : job[action.type];
      if (permission && !permission.allowed) throw new AppFailure(job.gone ? 'not-found' : 'too-late', permission.reason ?? `Job ${job.nativeId} cannot be changed now.`, { sourceId: config.id });
      try {
        await client.call(printerUri(where.printerId), op, [{ tag: TAG.INTEGER, name: 'job-id', value: where.jobId }], signal, `${verb} job ${where.jobId}`);
      } catch (err) {
        const failure = actionFailure(err, job, verb);
        deps.logger.warn('IPP job action refused', { sourceId: config.id, jobId: job.nativeId, action: verb, code: failure.code, message: failure.message });
        throw failure;
      }
      deps.logger.info('IPP job action done', { sourceId: config.id, jobId: job.nativeId, action: verb });
      try {
        const after = await lookUp(job, signal);
        if (after !== 'gone') return after;
      } catch {
        /* the action succeeded; what it implies is reported below */
      }
      const implied = action.type === 'cancel' ? { state: 'canceled' as const, rawState: '7 canceled' } : action.type === 'hold' ? { state: 'paused' as const, rawState: '4 pending-held' } : { state: 'queued' as const, rawState: '3 pending' };
      return { ...stripEngineFlags(job), ...implied };
    },

    async details(job: Job, signal: AbortSignal): Promise<Omit<JobDetails, 'job' | 'timeline'>> {
      let found: SourceJob | 'gone';
      try {
        found = await lookUp(job, signal);
      } catch (err) {
        throw actionFailure(err, job, 'read');
      }
      if (found === 'gone') throw new AppFailure('not-found', `The IPP server no longer knows job ${job.nativeId}.`, { sourceId: config.id });
      const facts: { label: string; value: string }[] = [{ label: 'Job id', value: found.nativeId }];
      const code = Number.parseInt(found.rawState, 10);
      facts.push({ label: 'IPP job state', value: `${JOB_STATE_NAMES[code] ?? found.rawState}` });
      const reasons = (found.extra.stateReasons as string[] | undefined) ?? [];
      if (reasons.length) facts.push({ label: 'job-state-reasons', value: reasons.join(', ') });
      if (found.pages !== null && found.pages !== undefined) facts.push({ label: 'Pages', value: `${found.pagesPrinted ?? 0} of ${found.pages} printed` });
      if (found.sizeBytes !== null && found.sizeBytes !== undefined) facts.push({ label: 'Size', value: `${Math.round(found.sizeBytes / 1024)} KB` });
      if (found.printer) facts.push({ label: 'Printer', value: found.printer });
      return { facts };
    },
  };
}

function stripEngineFlags(job: Job): SourceJob {
  const { stale: _s, stuck: _k, gone: _g, lastSeenAt: _l, ...rest } = job;
  return rest;
}

function safeUserName(): string {
  try {
    return userInfo().username || 'anonymous';
  } catch {
    return 'anonymous';
  }
}
