/**
 * The AODocs source: the jobs of the configured document libraries (imports, exports, moves,
 * deletions, ...) beside the print jobs.
 *
 * AODocs has no webhooks, so it is polled. The fast ('active') cycle lists only IN_PROGRESS jobs of
 * each library and looks up, one by one, the jobs that were active and have left that list (so
 * their completion is seen); it reports a partial list. The idle ('full') cycle lists each library
 * by last activity, bounded to a few pages, and says the list is complete only when every page of
 * every library answered and every vanished active job was looked up. Ids handed in from outside
 * (`track`) are persisted in the tracked store and looked up until they finish.
 */
import { AppFailure, type AodocsSourceConfig, type Job, type JobDetails } from '../../../preload/contract/model';
import { HttpError } from '../../http/client';
import { SourceError, type JobAction, type JobSource, type PollContext, type PollResult, type SourceJob } from '../../queue/source';
import type { SourceDeps } from '../deps';
import { AodocsClient, AodocsCredentialMissing, type AodocsRetryPolicy, type ApiJob, type ListJobsParams } from './client';
import { isoFromEpochMs, jobTypeWords, taskCounts, toJobState, toSourceJob } from './states';

export interface AodocsSourceOptions {
  /** Jobs per listing page (AODocs pageSize). */
  pageSize?: number;
  /** Pages per library in a full poll (the newest activity first). */
  maxFullPages?: number;
  /** Pages per library in an active poll (IN_PROGRESS only). */
  maxActivePages?: number;
  /** Single-job look-ups per poll (vanished active jobs and tracked ids). */
  maxLookups?: number;
  retry?: Partial<AodocsRetryPolicy>;
}

const FINAL_STATUSES = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

interface LibraryProblem {
  libraryId: string | null;
  message: string;
  err: unknown;
}

export function createAodocsSource(config: AodocsSourceConfig, deps: SourceDeps, opts: AodocsSourceOptions = {}): JobSource {
  const client = new AodocsClient(config, deps, { retry: opts.retry });
  const pageSize = opts.pageSize ?? 100;
  const maxFullPages = opts.maxFullPages ?? 5;
  const maxActivePages = opts.maxActivePages ?? 20;
  const maxLookups = opts.maxLookups ?? 50;
  const name = config.name ?? 'AODocs';
  const host = (() => {
    try {
      return new URL(config.baseUrl).host;
    } catch {
      return config.baseUrl;
    }
  })();
  const words = client.credentialWords;
  let lookupCursor = 0;

  const libraryNames = new Map(Object.entries(config.libraryNames ?? {}));
  const map = (job: ApiJob): SourceJob => toSourceJob(job, { sourceId: config.id, user: config.user, libraryNames });

  function authMessage(err: HttpError): string {
    const said = err.serviceMessage ? ` ("${err.serviceMessage}")` : '';
    const m = err.serviceMessage ?? '';
    const why = /expir/i.test(m)
      ? 'has expired'
      : /invalid|wrong|unknown|not valid|revoked/i.test(m)
        ? 'is not valid (mistyped or revoked)'
        : /required|missing/i.test(m)
          ? 'was not accepted'
          : 'is wrong, revoked or expired';
    return `AODocs refused the ${words}${said}: it ${why}. Enter a new ${words} for "${name}" in Settings.`;
  }

  /** A failure that concerns the whole source (unreachable, credentials), or null for a partial one. */
  function sourceWide(err: unknown): SourceError | null {
    if (err instanceof AodocsCredentialMissing) return new SourceError('auth-required', err.message);
    if (err instanceof HttpError) {
      if (err.kind === 'unreachable' || err.kind === 'timeout') {
        return new SourceError('down', `AODocs at ${host} could not be reached (${err.kind === 'timeout' ? 'no answer in time' : err.message.replace(/^.* could not be reached \((.*)\)$/, '$1')}). Check the network connection and the AODocs address in Settings.`, { cause: err });
      }
      if (err.kind === 'http' && err.status === 401) return new SourceError('auth-required', authMessage(err), { cause: err });
    }
    return null;
  }

  function describeProblem(err: unknown, libraryId: string | null): string {
    const where = libraryId ? `library ${libraryId}` : 'a job look-up';
    if (err instanceof HttpError) {
      if (err.kind === 'http') {
        const said = err.serviceMessage ?? `HTTP ${err.status}`;
        if (err.status === 403) return `No access to ${where}: AODocs says "${said}".`;
        if (err.status === 404 && libraryId) return `AODocs does not know ${where} ("${said}"): check the library id in Settings.`;
        if (err.status === 429) return `AODocs is throttling requests for ${where} ("${said}"); polling slows down.`;
        if (err.status === 400) return `AODocs refused the request for ${where} as invalid ("${said}"): check the Workspace domain${libraryId ? ' and the library id' : ''} in Settings.`;
        if (err.status === 409) return `AODocs refused the request for ${where} with a conflict: "${said}".`;
        return `AODocs answered ${err.status} for ${where}: "${said}". It will be tried again.`;
      }
      if (err.kind === 'malformed' || err.kind === 'too-large') return `AODocs sent an answer the monitor cannot read for ${where}: ${err.message}.`;
    }
    return `Reading ${where} failed: ${err instanceof Error ? err.message : String(err)}.`;
  }

  function isAbort(err: unknown, signal: AbortSignal): boolean {
    return signal.aborted || (err instanceof HttpError && err.kind === 'aborted');
  }

  async function listLibrary(libraryId: string, mode: PollContext['mode'], signal: AbortSignal): Promise<{ jobs: ApiJob[]; truncated: boolean }> {
    const params: ListJobsParams = mode === 'active' ? { status: 'IN_PROGRESS', pageSize } : { orderBy: 'lastActivity desc', pageSize };
    const maxPages = mode === 'active' ? maxActivePages : maxFullPages;
    const jobs: ApiJob[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const res = await client.listJobs(libraryId, { ...params, pageToken }, signal);
      jobs.push(...res.jobList);
      pageToken = res.nextPageToken ?? undefined;
      if (!pageToken) return { jobs, truncated: false };
    }
    return { jobs, truncated: true };
  }

  async function markTrackedFinished(id: string): Promise<void> {
    try {
      await deps.tracked.update(config.id, id, { finishedAt: new Date(deps.clock.now()).toISOString() });
    } catch (err) {
      deps.logger.warn('Could not record a tracked AODocs job as finished', { sourceId: config.id, jobId: id, error: err instanceof Error ? err.message : String(err) });
    }
  }

  async function poll(ctx: PollContext): Promise<PollResult> {
    const { signal } = ctx;
    const found = new Map<string, ApiJob>();
    const problems: LibraryProblem[] = [];
    let truncated = false;
    let retryAfterMs: number | undefined;

    const noteProblem = (err: unknown, libraryId: string | null) => {
      if (err instanceof HttpError && err.retryAfterMs !== null) retryAfterMs = Math.max(retryAfterMs ?? 0, err.retryAfterMs);
      problems.push({ libraryId, message: describeProblem(err, libraryId), err });
    };

    for (const libraryId of config.libraryIds) {
      try {
        const res = await listLibrary(libraryId, ctx.mode, signal);
        for (const j of res.jobs) found.set(j.jobId, j);
        if (res.truncated) truncated = true;
      } catch (err) {
        if (isAbort(err, signal)) throw err;
        const wide = sourceWide(err);
        if (wide) throw wide;
        noteProblem(err, libraryId);
      }
    }
    if (problems.length === config.libraryIds.length) {
      const first = problems[0];
      const more = problems.length > 1 ? ` (and ${problems.length - 1} more ${problems.length === 2 ? 'library' : 'libraries'})` : '';
      throw new SourceError('degraded', `${first.message}${more}`, {
        retryAfterMs: retryAfterMs ?? null,
        detail: { problems: problems.map((p) => ({ libraryId: p.libraryId, message: p.message })) },
        cause: first.err,
      });
    }

    // Jobs to look up one by one: active ones that left the listing, and tracked ids not seen.
    const lookups = new Map<string, { tracked: boolean }>();
    for (const job of ctx.activeJobs.values()) {
      if (job.sourceId !== config.id || found.has(job.nativeId)) continue;
      lookups.set(job.nativeId, { tracked: false });
    }
    let trackedIds: string[] = [];
    try {
      trackedIds = (await deps.tracked.list(config.id)).filter((t) => !t.finishedAt).map((t) => t.id);
    } catch (err) {
      noteProblem(new Error(`the tracked AODocs job ids could not be read (${err instanceof Error ? err.message : String(err)})`), null);
    }
    for (const id of trackedIds) {
      const f = found.get(id);
      if (f) {
        if (FINAL_STATUSES.has(f.status)) await markTrackedFinished(id);
        continue;
      }
      lookups.set(id, { tracked: true });
    }

    const gone: string[] = [];
    const stale: string[] = [];
    // Bounded: the rest are looked up in a later poll, and the list is then not complete.
    // Bounded, and rotating so that none starves: the rest are looked up in a later poll, and the
    // list is then not complete.
    const skipped = Math.max(0, lookups.size - maxLookups);
    const pending = [...lookups];
    const start = skipped > 0 ? lookupCursor % pending.length : 0;
    const batch = [...pending.slice(start), ...pending.slice(0, start)].slice(0, maxLookups);
    lookupCursor = skipped > 0 ? start + batch.length : 0;
    for (const [id, { tracked }] of batch) {
      try {
        const job = await client.getJob(id, signal);
        found.set(job.jobId, job);
        if (tracked && FINAL_STATUSES.has(job.status)) await markTrackedFinished(id);
      } catch (err) {
        if (isAbort(err, signal)) throw err;
        const wide = sourceWide(err);
        if (wide) throw wide;
        if (err instanceof HttpError && err.kind === 'http' && err.status === 404) {
          gone.push(`${config.id}:${id}`);
          if (tracked) await markTrackedFinished(id);
          continue;
        }
        stale.push(`${config.id}:${id}`);
        noteProblem(err, null);
      }
    }

    const jobs = [...found.values()].map(map);
    const complete = ctx.mode === 'full' && problems.length === 0 && !truncated && skipped === 0;
    const active = jobs.filter((j) => j.state === 'processing').length;
    deps.logger.debug('AODocs poll', { sourceId: config.id, mode: ctx.mode, jobs: jobs.length, active, problems: problems.length, complete });

    const result: PollResult = {
      jobs,
      complete,
      health:
        problems.length === 0
          ? { status: 'ok', message: `${active} AODocs ${active === 1 ? 'job' : 'jobs'} in progress in ${config.libraryIds.length} ${config.libraryIds.length === 1 ? 'library' : 'libraries'}.` }
          : {
              status: 'degraded',
              message: problems.length === 1 ? problems[0].message : `${problems[0].message} (${problems.length - 1} more ${problems.length === 2 ? 'problem' : 'problems'})`,
              detail: { problems: problems.map((p) => ({ libraryId: p.libraryId, message: p.message })) },
            },
    };
    if (gone.length) result.gone = gone;
    if (stale.length) result.stale = stale;
    if (retryAfterMs !== undefined) result.retryAfterMs = retryAfterMs;
    return result;
  }

  /** Turns a failed single-job request into the error envelope, in the service's words. */
  function actionFailure(err: unknown, job: { nativeId: string }, action: string): AppFailure {
    if (err instanceof AppFailure) return err;
    if (err instanceof AodocsCredentialMissing) return new AppFailure('auth-required', err.message, { sourceId: config.id });
    if (err instanceof HttpError) {
      const said = err.serviceMessage ?? (err.status !== null ? `HTTP ${err.status}` : err.message);
      switch (err.kind) {
        case 'aborted':
          return new AppFailure('unreachable', `The request to ${action} AODocs job ${job.nativeId} was cancelled.`, { sourceId: config.id });
        case 'unreachable':
        case 'timeout':
          return new AppFailure('unreachable', `AODocs at ${host} could not be reached to ${action} job ${job.nativeId}; try again when it is back.`, { sourceId: config.id });
        case 'malformed':
        case 'too-large':
          return new AppFailure('internal', `AODocs answered the request to ${action} job ${job.nativeId} with something the monitor cannot read: ${err.message}.`, { sourceId: config.id });
        case 'http':
          if (err.status === 401) return new AppFailure('auth-required', authMessage(err), { sourceId: config.id });
          if (err.status === 403) {
            return action === 'cancel'
              ? new AppFailure('not-allowed', 'Only library administrators can cancel AODocs jobs', { sourceId: config.id })
              : new AppFailure('not-allowed', `AODocs does not allow you to ${action} job ${job.nativeId}: "${said}".`, { sourceId: config.id });
          }
          if (err.status === 404) return new AppFailure('not-found', `AODocs does not know job ${job.nativeId} ("${said}").`, { sourceId: config.id });
          if (err.status === 409) return new AppFailure('conflict', `AODocs refused to ${action} job ${job.nativeId}: "${said}".`, { sourceId: config.id });
          if (err.status !== null && err.status >= 500) {
            return new AppFailure('unreachable', `AODocs could not ${action} job ${job.nativeId} now (${err.status}: "${said}"); try again later.`, { sourceId: config.id });
          }
          return new AppFailure('internal', `AODocs answered ${err.status} to the request to ${action} job ${job.nativeId}: "${said}".`, { sourceId: config.id });
      }
    }
    return new AppFailure('internal', `Could not ${action} AODocs job ${job.nativeId}: ${err instanceof Error ? err.message : String(err)}`, { sourceId: config.id });
  }

  return {
    id: config.id,
    kind: 'aodocs',
    name,
    loopback: false,

    poll,

    async act(job: Job, action: JobAction, signal: AbortSignal): Promise<SourceJob> {
      if (action.type !== 'cancel') throw new AppFailure('unsupported', 'AODocs jobs can be cancelled, not aborted.', { sourceId: config.id });
      try {
        const after = await client.cancelJob(job.nativeId, signal);
        deps.logger.info('AODocs job cancelled', { sourceId: config.id, jobId: job.nativeId, status: after.status });
        return map(after);
      } catch (err) {
        let failure = actionFailure(err, job, 'cancel');
        if (failure.code === 'conflict' && !signal.aborted) {
          // AODocs refuses to cancel a job that has finished meanwhile: say so, in its state.
          const now = await client.getJob(job.nativeId, signal).catch(() => null);
          if (now && FINAL_STATUSES.has(now.status)) {
            const words = now.status === 'COMPLETED' ? 'completed' : now.status === 'FAILED' ? 'failed' : 'been cancelled';
            failure = new AppFailure('too-late', `AODocs job ${job.nativeId} has already ${words}; there is nothing left to cancel.`, { sourceId: config.id });
          }
        }
        deps.logger.warn('AODocs cancel refused', { sourceId: config.id, jobId: job.nativeId, code: failure.code, message: failure.message });
        throw failure;
      }
    },

    async track(id: string, _opts: { kind?: 'html' | 'pdf' }, signal: AbortSignal): Promise<SourceJob> {
      const jobId = id.trim();
      if (!jobId || jobId.length > 300 || /[\s/?#\\]/.test(jobId)) {
        throw new AppFailure('invalid-input', `"${id.slice(0, 80)}" is not an AODocs job id.`, { field: 'id', sourceId: config.id });
      }
      let job: ApiJob;
      try {
        job = await client.getJob(jobId, signal);
      } catch (err) {
        throw actionFailure(err, { nativeId: jobId }, 'track');
      }
      const entry = { sourceId: config.id, id: job.jobId, addedAt: new Date(deps.clock.now()).toISOString() } as const;
      await deps.tracked.add(FINAL_STATUSES.has(job.status) ? { ...entry, finishedAt: entry.addedAt } : entry);
      return map(job);
    },

    async untrack(job: Job): Promise<void> {
      await deps.tracked.remove(config.id, job.nativeId);
    },

    async details(job: Job, signal: AbortSignal, opts: { eventsPageToken?: string }): Promise<Omit<JobDetails, 'job' | 'timeline'>> {
      let res;
      try {
        res = await client.listEvents(job.nativeId, { onlyErrors: true, maxResults: 100, pageToken: opts.eventsPageToken }, signal);
      } catch (err) {
        throw actionFailure(err, job, 'read the events of');
      }
      const events = res.events.map((e) => ({
        message: e.message?.trim() || '(no message)',
        severity: e.severity?.trim() || 'ERROR',
        timestamp: typeof e.timestamp === 'number' ? isoFromEpochMs(e.timestamp) : typeof e.timestamp === 'string' && !Number.isNaN(Date.parse(e.timestamp)) ? new Date(e.timestamp).toISOString() : null,
      }));
      const facts: { label: string; value: string }[] = [];
      const api = res.job ?? null;
      const type = (api?.type ?? (job.extra.jobType as string | undefined)) || null;
      if (type) facts.push({ label: 'Job type', value: `${jobTypeWords(type)} (${type})` });
      const status = api?.status ?? job.rawState;
      facts.push({ label: 'Status', value: `${status}${toJobState(status) === 'unknown' ? ' (not known to this version)' : ''}` });
      const counts = api ? taskCounts(api) : null;
      const c = counts ?? (typeof job.extra.succeededTasks === 'number' ? { succeeded: job.extra.succeededTasks as number, failed: (job.extra.failedTasks as number) ?? 0, remaining: (job.extra.remainingTasks as number) ?? 0, retries: (job.extra.taskRetries as number) ?? 0 } : null);
      if (c) {
        facts.push({ label: 'Tasks', value: `${c.succeeded} succeeded, ${c.failed} failed, ${c.remaining} remaining` });
        facts.push({ label: 'Task retries', value: String(c.retries) });
      }
      const library = api?.libraryId ?? (job.extra.libraryId as string | undefined);
      if (library) facts.push({ label: 'Library', value: library });
      const requestor = api?.requestor ?? job.owner;
      if (requestor) facts.push({ label: 'Requested by', value: requestor });
      const started = api ? isoFromEpochMs(api.startedAt) : job.createdAt;
      if (started) facts.push({ label: 'Started', value: started });
      const last = api ? isoFromEpochMs(api.lastActivityAt) : job.updatedAt;
      if (last) facts.push({ label: 'Last activity', value: last });
      return { events, eventsNextPageToken: res.nextPageToken ?? null, facts };
    },
  };
}
