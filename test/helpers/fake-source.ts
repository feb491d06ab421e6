/**
 * A scriptable in-memory JobSource for engine tests. By default a poll answers every job in
 * `jobs` as a complete list with health ok; tests queue other answers (partial lists, errors,
 * Retry-After) or hold a poll open to check that polls never overlap.
 */
import { makeJobKey, type Job, type JobDetails, type SourceKind } from '../../preload/contract/model';
import { AppFailure } from '../../preload/contract/model';
import type { JobAction, JobSource, PollContext, PollResult, SourceJob } from '../../main/queue/source';
import type { Clock } from '../../main/ports/ports';

export function sourceJob(sourceId: string, nativeId: string, over: Partial<SourceJob> = {}, kind: SourceKind = 'scriptx'): SourceJob {
  return {
    key: makeJobKey(sourceId, nativeId),
    sourceId,
    sourceKind: kind,
    nativeId,
    state: 'queued',
    rawState: 'queued',
    detail: null,
    document: `${nativeId}.pdf`,
    owner: 'alice',
    printer: 'Printer 1',
    mine: true,
    createdAt: '2026-01-05T09:00:00.000Z',
    updatedAt: null,
    progress: null,
    cancel: { allowed: true },
    extra: {},
    ...over,
  };
}

type Answer = PollResult | Error | ((ctx: PollContext) => PollResult | Promise<PollResult>);

export interface PollCall {
  at: number;
  mode: PollContext['mode'];
  activeKeys: string[];
  signal: AbortSignal;
  /** The whole context the engine passed. */
  ctx: PollContext;
}

export class FakeSource implements JobSource {
  readonly id: string;
  readonly kind: SourceKind;
  readonly name: string;
  readonly loopback: boolean;

  /** The jobs the service knows, by key; the default answer lists them all as complete. */
  readonly jobs = new Map<string, SourceJob>();
  readonly calls: PollCall[] = [];
  inFlight = 0;
  maxInFlight = 0;
  aborted = 0;
  private readonly answers: Answer[] = [];
  private gate: { promise: Promise<void>; release: () => void } | null = null;
  actCalls: { key: string; action: JobAction }[] = [];
  trackCalls: { id: string; kind?: 'html' | 'pdf' }[] = [];

  track?: JobSource['track'];
  watch?: JobSource['watch'];
  details?: JobSource['details'];

  constructor(
    opts: { id?: string; kind?: SourceKind; name?: string; loopback?: boolean; clock?: Clock; withTrack?: boolean; withDetails?: boolean } = {},
  ) {
    this.id = opts.id ?? 'src';
    this.kind = opts.kind ?? 'scriptx';
    this.name = opts.name ?? `Source ${this.id}`;
    this.loopback = opts.loopback ?? false;
    const clock = opts.clock;
    if (clock) this.clockNowFn = () => clock.now();
    if (opts.withTrack !== false) {
      this.track = async (id, o) => {
        this.trackCalls.push({ id, kind: o.kind });
        const key = makeJobKey(this.id, id);
        const known = this.jobs.get(key);
        if (!known) throw new AppFailure('not-found', `The service does not know job ${id}.`, { sourceId: this.id });
        return { ...known };
      };
    }
    if (opts.withDetails !== false) {
      this.details = async (job): Promise<Omit<JobDetails, 'job' | 'timeline'>> => ({
        facts: [{ label: 'Seen by', value: `${this.name}${clock ? ` at ${new Date(clock.now()).toISOString()}` : ''}` }, { label: 'Key', value: job.key }],
      });
    }
  }

  /** Adds or replaces a job the service knows. */
  put(nativeId: string, over: Partial<SourceJob> = {}): SourceJob {
    const job = sourceJob(this.id, nativeId, over, this.kind);
    this.jobs.set(job.key, job);
    return job;
  }

  /** Changes fields of a known job. */
  update(nativeId: string, over: Partial<SourceJob>): SourceJob {
    const key = makeJobKey(this.id, nativeId);
    const cur = this.jobs.get(key);
    if (!cur) throw new Error(`FakeSource.update: no job ${key}`);
    const next = { ...cur, ...over };
    this.jobs.set(key, next);
    return next;
  }

  /** The service forgets a job (purged). */
  forget(nativeId: string): void {
    this.jobs.delete(makeJobKey(this.id, nativeId));
  }

  /** Queues the answer of a coming poll (an Error is thrown; a function computes the answer). */
  answer(...answers: Answer[]): this {
    this.answers.push(...answers);
    return this;
  }

  /** Polls wait until `release()` from now on. */
  hold(): void {
    let release!: () => void;
    const promise = new Promise<void>((r) => (release = r));
    this.gate = { promise, release };
  }

  release(): void {
    const g = this.gate;
    this.gate = null;
    g?.release();
  }

  get pollCount(): number {
    return this.calls.length;
  }

  /** Poll start times relative to `origin`. */
  pollTimes(origin = 0): number[] {
    return this.calls.map((c) => c.at - origin);
  }

  defaultResult(): PollResult {
    return { jobs: [...this.jobs.values()].map((j) => ({ ...j })), complete: true, health: { status: 'ok', message: `${this.name} is answering.` } };
  }

  async poll(ctx: PollContext): Promise<PollResult> {
    this.calls.push({ at: this.clockNow(), mode: ctx.mode, activeKeys: [...ctx.activeJobs.keys()], signal: ctx.signal, ctx });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.gate) {
        const gate = this.gate.promise;
        await new Promise<void>((resolve, reject) => {
          const onAbort = () => {
            this.aborted++;
            reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
          };
          if (ctx.signal.aborted) return onAbort();
          ctx.signal.addEventListener('abort', onAbort, { once: true });
          void gate.then(() => {
            ctx.signal.removeEventListener('abort', onAbort);
            resolve();
          });
        });
      }
      const next = this.answers.shift();
      if (next === undefined) return this.defaultResult();
      if (next instanceof Error) throw next;
      if (typeof next === 'function') return await next(ctx);
      return next;
    } finally {
      this.inFlight--;
    }
  }

  private clockNowFn: (() => number) | null = null;
  /** Lets recorded call times follow a fake clock. */
  useClock(clock: Clock): this {
    this.clockNowFn = () => clock.now();
    return this;
  }
  private clockNow(): number {
    return this.clockNowFn ? this.clockNowFn() : Date.now();
  }

  async act(job: Job, action: JobAction): Promise<SourceJob> {
    this.actCalls.push({ key: job.key, action });
    const cur = this.jobs.get(job.key);
    if (!cur) throw new AppFailure('not-found', `The service does not know job ${job.nativeId}.`, { sourceId: this.id });
    if (!cur.cancel.allowed) throw new AppFailure('too-late', cur.cancel.reason ?? 'The job can no longer be cancelled.', { sourceId: this.id });
    const next: SourceJob = { ...cur, state: 'canceled', rawState: action.type === 'abort' ? 'aborted' : 'canceled', cancel: { allowed: false, reason: 'already canceled' } };
    this.jobs.set(job.key, next);
    return { ...next };
  }
}
