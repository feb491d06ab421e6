/**
 * The core's requests that act on jobs: cancel (one, many, a printer's), abort, hold, release,
 * pause, resume, submit again, track and dismiss. Each checks the job's own permission first and
 * says why not; many jobs are canceled one at a time, each with its own outcome.
 */
import type { Handlers } from '../../preload/contract/contract';
import { AppFailure, isFinal, type Job, type Result } from '../../preload/contract/model';
import type { QueueEngine } from '../queue/engine-types';
import type { JobSource } from '../queue/source';
import type { Redactor } from '../state/redact';

/** What the job requests share with the rest of the core. */
export interface JobContext {
  engine: QueueEngine;
  redactor: Redactor;
  requireJob(key: string): Job;
  requireSource(sourceId: string): JobSource;
  unsupported(source: JobSource, what: string): never;
}

export type JobHandlers = Pick<Handlers, 'cancelJob' | 'cancelJobs' | 'abortJob' | 'holdJob' | 'releaseJob' | 'pauseJob' | 'resumeJob' | 'getPrinters' | 'cancelPrinterJobs' | 'retryJob' | 'trackJob' | 'dismissJob'>;

export function createJobHandlers(ctx: JobContext): JobHandlers {
  /** Runs an action the job itself says it allows (hold, release, pause, resume); otherwise says why not. */
  async function permittedAction(key: string, action: 'hold' | 'release' | 'pause' | 'resume', refusal: string): Promise<Job> {
    const job = ctx.requireJob(key);
    const permission = job[action];
    if (!permission?.allowed) throw new AppFailure('not-allowed', permission?.reason ?? refusal, { sourceId: job.sourceId });
    return ctx.engine.act(key, { type: action });
  }

  /**
   * Cancels jobs one at a time (50 jobs must not become 50 parallel requests to a service); each
   * job's outcome, a refusal included. `check` may refuse a job (as it is now) before anything is sent.
   */
  async function cancelEach(keys: string[], check?: (job: Job) => void): Promise<{ key: string; result: Result<Job> }[]> {
    const results: { key: string; result: Result<Job> }[] = [];
    for (const key of keys) {
      try {
        check?.(ctx.requireJob(key));
        results.push({ key, result: { ok: true, value: await ctx.engine.act(key, { type: 'cancel' }) } });
      } catch (err) {
        results.push({ key, result: { ok: false, error: ctx.redactor.redactError(err) } });
      }
    }
    return results;
  }

  return {
    async cancelJob({ key }) {
      ctx.requireJob(key);
      return ctx.engine.act(key, { type: 'cancel' });
    },

    async cancelJobs({ keys }) {
      return cancelEach([...new Set(keys)]);
    },

    async abortJob({ key, reason }) {
      const job = ctx.requireJob(key);
      if (!job.abort?.allowed) {
        throw new AppFailure('not-allowed', job.abort?.reason ?? 'Aborting is only offered for processing Universal Print jobs in admin mode.', { sourceId: job.sourceId });
      }
      return ctx.engine.act(key, { type: 'abort', reason });
    },

    holdJob: ({ key }) => permittedAction(key, 'hold', 'This source cannot hold jobs.'),
    releaseJob: ({ key }) => permittedAction(key, 'release', 'This source cannot release held jobs.'),
    pauseJob: ({ key }) => permittedAction(key, 'pause', 'This source cannot pause jobs.'),
    resumeJob: ({ key }) => permittedAction(key, 'resume', 'This source cannot resume paused jobs.'),

    async getPrinters() {
      return ctx.engine.printers();
    },

    async cancelPrinterJobs({ printerKey, keys }) {
      const printer = ctx.engine.printers().find((p) => p.key === printerKey);
      if (!printer) throw new AppFailure('not-found', 'No such printer is watched (it may have been removed, or its source is not polled yet).', { field: 'printerKey' });
      const onPrinter = (j: Job) => j.sourceId === printer.sourceId && j.printer === printer.name;
      // The jobs the user confirmed, when named: each one is answered, and one that came to the
      // printer since is not canceled unasked. Without, every unfinished job of the printer.
      const named = keys ? [...new Set(keys)] : ctx.engine.snapshot().jobs.filter((j) => onPrinter(j) && !isFinal(j)).map((j) => j.key);
      return cancelEach(named, (job) => {
        if (!onPrinter(job)) throw new AppFailure('conflict', `The job is on ${job.printer ?? 'no printer'}, not on ${printer.name}: it is not canceled with this printer's jobs.`, { sourceId: job.sourceId, field: 'keys' });
        if (isFinal(job)) throw new AppFailure('conflict', `The job is already ${job.state}.`, { sourceId: job.sourceId });
        // What the source says cannot be canceled is not asked for (a PDF job, another user's job).
        if (job.cancel && !job.cancel.allowed) throw new AppFailure('not-allowed', job.cancel.reason ?? 'This job cannot be canceled.', { sourceId: job.sourceId });
      });
    },

    async retryJob({ key }) {
      const job = ctx.requireJob(key);
      const source = ctx.requireSource(job.sourceId);
      if (!source.retry) ctx.unsupported(source, 'submit a job again');
      const next = await source.retry(job, AbortSignal.timeout(120_000));
      return ctx.engine.upsert(next);
    },

    async trackJob({ sourceId, id, ...trackOpts }) {
      ctx.requireSource(sourceId);
      return ctx.engine.track(sourceId, id, trackOpts);
    },

    async dismissJob({ key }) {
      const job = ctx.requireJob(key);
      const source = ctx.engine.getSource(job.sourceId);
      if (!isFinal(job) && source?.untrack === undefined) {
        throw new AppFailure('conflict', 'Only finished jobs can be removed from the queue.', { sourceId: job.sourceId });
      }
      await source?.untrack?.(job);
      ctx.engine.remove(key);
      return null;
    },
  };
}
