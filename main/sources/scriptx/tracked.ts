/**
 * The tokens the ScriptX source follows, kept in the tracked store so the app and the CLI share
 * them and tracking survives a restart: tokens handed in (Track, `pqm track`, a deep link), the
 * status each last reached, and which are finished.
 */
import { AppFailure, type Job } from '../../../preload/contract/model';
import type { TrackedJob } from '../../ports/ports';
import { SourceError, type SourceJob, type TrackOptions } from '../../queue/source';
import { errorWords } from '../shared';
import { askStatus, connect, iso, markFinished, newEntry, type Entry, type ScriptxContext, type Submission } from './context';
import { tokenProblem, type JobKind, type JobStatusAnswer, type ScriptxClient } from './client';
import { isNotFound, toActionFailure } from './errors';
import { toSourceJob } from './mapping';
import { reachedPrinting, toJobStatus } from './states';

type StoredSubmission = Submission & { toFile?: boolean; printAnswer?: string; label?: { title?: unknown; printer?: unknown } };

export function entryFromTracked(t: TrackedJob): Entry {
  const sub = (t.submission ?? null) as StoredSubmission | null;
  // What was handed in with a token (Track, pqm track, a deep link): the service cannot tell.
  const label = { title: typeof sub?.label?.title === 'string' ? sub.label.title : null, printer: typeof sub?.label?.printer === 'string' ? sub.label.printer : null };
  return newEntry(t.id, t.kind ?? 'html', t.addedAt, {
    toFile: sub?.toFile === true,
    submittedByApp: !!sub?.request,
    submission: sub && sub.request ? { request: sub.request, file: sub.file, htmlInMemory: sub.htmlInMemory } : null,
    document: sub?.request?.title ?? sub?.file?.name ?? (sub?.request?.document.type === 'url' ? sub.request.document.url : null) ?? label.title,
    printer: sub?.request?.printer ?? label.printer,
    printAnswer: typeof sub?.printAnswer === 'string' ? sub.printAnswer : null,
    code: t.lastStatus ?? null,
    persistedCode: t.lastStatus ?? null,
    finished: !!t.finishedAt,
  });
}

/** Merges the persisted list (the CLI may have added tokens since). */
export async function syncTracked(ctx: ScriptxContext): Promise<void> {
  const { config, deps } = ctx;
  let list: TrackedJob[];
  try {
    list = await deps.tracked.list(config.id);
  } catch (err) {
    if (!ctx.loaded) throw new SourceError('degraded', `The list of tracked ScriptX jobs could not be read: ${errorWords(err)}`, { cause: err });
    deps.logger.warn('Could not re-read the tracked ScriptX jobs', { sourceId: config.id, error: errorWords(err) });
    return;
  }
  for (const t of list) {
    if (t.sourceId !== config.id || ctx.entries.has(t.id) || tokenProblem(t.id)) continue;
    ctx.entries.set(t.id, entryFromTracked(t));
  }
  ctx.loaded = true;
}

/** The submission as stored with the token (what retry needs, no secrets, no file bytes). */
export function persistedSubmission(e: Entry): Record<string, unknown> {
  return { ...(e.submission ?? {}), toFile: e.toFile, ...(e.printAnswer ? { printAnswer: e.printAnswer } : {}) };
}

/** A status answer applied to a token: the job it shows, the status kept once printing, finished once final. */
export async function applyAnswer(ctx: ScriptxContext, e: Entry, answer: JobStatusAnswer): Promise<SourceJob> {
  const job = toSourceJob(ctx, e, answer);
  if (reachedPrinting(answer.status) && e.persistedCode !== answer.status) {
    e.persistedCode = answer.status;
    try {
      await ctx.deps.tracked.update(ctx.config.id, e.token, { lastStatus: answer.status });
    } catch (err) {
      ctx.deps.logger.warn('Could not record the status of a tracked ScriptX job', { sourceId: ctx.config.id, error: errorWords(err) });
    }
  }
  const st = toJobStatus(answer.status, answer.message, { toFile: e.toFile });
  if (st.final && !e.finished) await markFinished(ctx, e);
  return job;
}

/** Follows a token handed in; without `kind`, asks as an HTML job and then as a PDF job. */
export async function track(ctx: ScriptxContext, id: string, trackOpts: TrackOptions, signal: AbortSignal): Promise<SourceJob> {
  const sourceId = ctx.config.id;
  const problem = tokenProblem(id);
  if (problem) throw new AppFailure('invalid-input', `This is not a ScriptX job id: ${problem}.`, { field: 'id', sourceId });
  await syncTracked(ctx).catch(() => undefined);
  const existing = ctx.entries.get(id);
  const label = trackOpts.title || trackOpts.printer ? { ...(trackOpts.title ? { title: trackOpts.title } : {}), ...(trackOpts.printer ? { printer: trackOpts.printer } : {}) } : null;
  if (existing?.last && (existing.finished || !trackOpts.kind || trackOpts.kind === existing.kind)) {
    // Already followed: what it is now told of it (a job handed in without its name) is taken.
    if (label && !existing.submittedByApp) {
      existing.document = label.title ?? existing.document;
      existing.printer = label.printer ?? existing.printer;
      existing.last = { ...existing.last, document: existing.document, printer: existing.printer };
      const submission = { ...(existing.submission ?? {}), label: { ...(existing.document ? { title: existing.document } : {}), ...(existing.printer ? { printer: existing.printer } : {}) } };
      await ctx.deps.tracked.update(sourceId, id, { submission }).catch((err: unknown) => ctx.deps.logger.warn('Could not record the name of a tracked ScriptX job', { sourceId, error: errorWords(err) }));
    }
    return existing.last;
  }

  let c: ScriptxClient;
  try {
    c = await connect(ctx, signal);
  } catch (err) {
    throw toActionFailure(err, ctx, `Tracking job ${id}`);
  }
  const kinds: JobKind[] = trackOpts.kind ? [trackOpts.kind] : ['html', 'pdf'];
  const e: Entry = existing ?? entryFromTracked({ sourceId, id, addedAt: iso(ctx), ...(label ? { submission: { label } } : {}) });
  // A job the app printed keeps its own title and printer; one handed in takes what it is given.
  if (existing && !existing.submittedByApp && label) {
    existing.document = label.title ?? existing.document;
    existing.printer = label.printer ?? existing.printer;
  }
  e.finished = false;
  let lastErr: unknown = null;
  for (const kind of kinds) {
    e.kind = kind;
    try {
      const answer = await askStatus(ctx, c, e, signal);
      ctx.entries.set(id, e);
      const known = e.document || e.printer ? { label: { ...(e.document ? { title: e.document } : {}), ...(e.printer ? { printer: e.printer } : {}) } } : null;
      await ctx.deps.tracked.add({ sourceId, id, kind, addedAt: e.addedAt, ...(e.submission ? { submission: persistedSubmission(e) } : known ? { submission: known } : {}) });
      return await applyAnswer(ctx, e, answer);
    } catch (err) {
      lastErr = err;
      if (isNotFound(err)) continue;
      throw toActionFailure(err, ctx, `Tracking job ${id}`);
    }
  }
  if (isNotFound(lastErr)) {
    throw new AppFailure('not-found', `ScriptX.Services at ${ctx.found?.baseUrl} does not know the job "${id}" (it may have finished and been removed already).`, { field: 'id', sourceId });
  }
  throw toActionFailure(lastErr, ctx, `Tracking job ${id}`);
}

export async function untrack(ctx: ScriptxContext, job: Job): Promise<void> {
  ctx.entries.delete(job.nativeId);
  ctx.heldFiles.delete(job.nativeId);
  ctx.heldHtml.delete(job.nativeId);
  await ctx.deps.tracked.remove(ctx.config.id, job.nativeId);
}
