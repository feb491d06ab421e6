/**
 * The normalized live store, keyed by job key. It turns what sources report into Jobs, owns the
 * flags the engine computes (stale, stuck, gone, lastSeenAt), keeps each job's timeline, and
 * describes every change as a patch carrying only the fields that changed.
 *
 * Events are queued while a batch is applied and delivered by `flush()`: first one 'patches'
 * event, then transitions, stuck and finished events in the order they happened.
 *
 * Cost: a poll of 10,000 unchanged jobs must stay far below 5 ms, so unchanged jobs are detected
 * by comparing fields with === (the action permissions by their two fields, `extra` structurally), and
 * lastSeenAt alone never makes a patch: it is carried along with the job's next real change.
 */
import { FINAL_STATES, SLOW_STATES, type ActionPermission, type Job, type JobPatch, type JobState, type TimelineEntry } from '../../preload/contract/model';
import type { EngineEvent } from './engine-types';
import type { PollResult, SourceJob } from './source';
import { jsonEqual } from '../../preload/contract/json-equal';

/** A job's timeline keeps at most this many entries (the first one and the latest ones). */
export const MAX_TIMELINE_ENTRIES = 200;
export const DEFAULT_RETAIN_FINISHED_MS = 24 * 60 * 60 * 1000;
/** How long the keys of swept finished jobs are remembered (bounded memory for a long-running app). */
export const RETIRED_KEEP_MS = 7 * 24 * 60 * 60 * 1000;

const SCALAR_FIELDS = ['sourceKind', 'nativeId', 'state', 'rawState', 'detail', 'document', 'owner', 'printer', 'mine', 'createdAt', 'updatedAt', 'progress', 'reason', 'pages', 'pagesPrinted', 'sizeBytes'] as const;
/** Fields only some sources report: left out of a job (never set to undefined) when absent. */
const OPTIONAL_SCALARS = ['reason', 'pages', 'pagesPrinted', 'sizeBytes'] as const;
const OPTIONAL_OBJECTS = ['hold', 'release', 'pause', 'resume'] as const;

/** The optional objects (hold, release, pause, resume) as reported equal the stored ones; unrolled
 * (a loop over field names would read them by a computed key, slower in the per-cycle loop). The
 * optional scalars are compared in `unchanged` with the others. */
function sameOptional(old: Job, sj: SourceJob): boolean {
  return samePermission(old.hold, sj.hold) && samePermission(old.release, sj.release) && samePermission(old.pause, sj.pause) && samePermission(old.resume, sj.resume);
}

/** Whether two action permissions (the contract's ActionPermission: `allowed` and an optional
 * `reason`, nothing else) are equal: its two fields compared, not a walk over its keys. */
function samePermission(a: ActionPermission | undefined, b: ActionPermission | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.allowed === b.allowed && a.reason === b.reason);
}

/** One source's entries, with counters kept in step so a cycle can skip work that cannot apply. */
interface Bucket {
  entries: Map<string, Entry>;
  /** entries that are not final */
  active: number;
  /** entries that can be stuck (active, not paused/unknown): the fast rate */
  fast: number;
  /** entries flagged stale */
  stale: number;
  /** when the stuck clocks were last checked (epoch ms) */
  stuckCheckedAt: number;
  /** The entry each position of the source's last listing matched: a source lists its jobs in
   * much the same order at every poll, so position i is tried before a lookup by key (which has
   * to hash the freshly parsed key string of every job at every cycle). */
  lastListed: (Entry | undefined)[];
}

interface Entry {
  job: Job;
  /** The latest sighting (ISO); job.lastSeenAt may lag until the job's next patch. */
  seenAt: string | null;
  /** Cycle stamp of the latest poll that listed the job (gone detection without a key set). */
  seenCycle: number;
  /** When state, rawState, progress or detail last changed (epoch ms): the stuck clock. */
  changedAtMs: number;
  timeline: TimelineEntry[];
  /** 'finished' was emitted (exactly once per finish). */
  finishedEmitted: boolean;
  /** Cached isFinalJob(job) and canBeStuck(job), kept in step with `job` (the per-cycle loop). */
  final: boolean;
  fast: boolean;
  /** Store mark of the latest explicit update (an action's answer, a track): older polls yield. */
  explicitMark: number;
  /** Dropped from the store (swept, dismissed, source removed): a stale position hint never matches. */
  dropped: boolean;
}

export interface StoreOptions {
  now: () => number;
  emit: (event: EngineEvent) => void;
  stuckAfterMs: number;
  retainFinishedMs?: number;
}


/** Whether a job as reported equals the stored one in every field a source reports, and the
 * stored one carries no flag a sighting clears (gone, stale). */
function unchanged(old: Job, sj: SourceJob): boolean {
  return (
    !old.gone &&
    !old.stale &&
    old.state === sj.state &&
    old.rawState === sj.rawState &&
    old.detail === sj.detail &&
    old.reason === sj.reason &&
    old.updatedAt === sj.updatedAt &&
    (old.progress === sj.progress || old.progress === cleanProgress(sj.progress)) &&
    old.document === sj.document &&
    old.owner === sj.owner &&
    old.printer === sj.printer &&
    old.mine === sj.mine &&
    old.createdAt === sj.createdAt &&
    old.nativeId === sj.nativeId &&
    old.sourceKind === sj.sourceKind &&
    old.pages === sj.pages &&
    old.pagesPrinted === sj.pagesPrinted &&
    old.sizeBytes === sj.sizeBytes &&
    samePermission(old.cancel, sj.cancel) &&
    samePermission(old.abort, sj.abort) &&
    (old.extra === sj.extra || jsonEqual(old.extra, sj.extra ?? {})) &&
    sameOptional(old, sj)
  );
}

function count(b: Bucket, e: Entry, delta: 1 | -1): void {
  if (!e.final) b.active += delta;
  if (e.fast) b.fast += delta;
  if (e.job.stale) b.stale += delta;
}

function isFinalJob(job: Job): boolean {
  return job.gone || FINAL_STATES.has(job.state);
}

/** Active and in a state that can be stuck (not paused/unknown). */
function canBeStuck(job: Job): boolean {
  return !job.gone && !FINAL_STATES.has(job.state) && !SLOW_STATES.has(job.state);
}

/** Repairs what a source may get wrong without losing the job: progress outside 0..1 or NaN. */
function cleanProgress(p: number | null | undefined): number | null {
  if (p === null || p === undefined || typeof p !== 'number' || Number.isNaN(p)) return null;
  return p < 0 ? 0 : p > 1 ? 1 : p;
}

export class JobStore {
  private readonly entries = new Map<string, Entry>();
  private readonly bySource = new Map<string, Bucket>();
  /** Finished entries by the time they finished, oldest first (Map keeps insertion order). */
  private readonly finishedAt = new Map<string, number>();
  /** Keys the user dismissed: polls do not bring them back until an explicit upsert. */
  private readonly dismissed = new Map<string, number>();
  /**
   * Finished jobs swept out of the live store after the retention window (history has them), by
   * the time they were swept: a source that still lists them as final does not bring them back
   * (no second 'added', no second 'finished'); reported active again, they come back.
   */
  private readonly retired = new Map<string, number>();
  private patches: JobPatch[] = [];
  private events: EngineEvent[] = [];
  private cycle = 0;
  private explicitMarks = 0;
  private readonly now: () => number;
  private readonly emit: (event: EngineEvent) => void;
  stuckAfterMs: number;
  readonly retainFinishedMs: number;
  /** Runs at the start of every flush: derived fields (the hand-over links) join the same batch. */
  beforeFlush: (() => void) | null = null;

  constructor(opts: StoreOptions) {
    this.now = opts.now;
    this.emit = opts.emit;
    this.stuckAfterMs = opts.stuckAfterMs;
    this.retainFinishedMs = opts.retainFinishedMs ?? DEFAULT_RETAIN_FINISHED_MS;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The job as it is now (lastSeenAt up to date). */
  get(key: string): Job | undefined {
    const e = this.entries.get(key);
    return e ? this.materialize(e) : undefined;
  }

  timeline(key: string): TimelineEntry[] {
    const e = this.entries.get(key);
    return e ? e.timeline.slice() : [];
  }

  all(): Job[] {
    const out: Job[] = [];
    for (const e of this.entries.values()) out.push(this.materialize(e));
    return out;
  }

  /**
   * The source's jobs that are not final, by key (what a poll is told about). A live read-only
   * view: nothing is copied until a source actually reads a job, so a poll of a source that does
   * not look at its active jobs costs nothing here, whatever their number.
   */
  activeJobs(sourceId: string): ReadonlyMap<string, Job> {
    return new ActiveJobsView(this.bySource.get(sourceId)?.entries ?? new Map<string, Entry>(), this.materializeEntry);
  }

  /** One function for every view, made once rather than at every poll. */
  private readonly materializeEntry = (e: Entry): Job => this.materialize(e);

  /** Every job of the source, finished ones included (lastSeenAt may lag: see get()). */
  *jobsOf(sourceId: string): IterableIterator<Job> {
    const b = this.bySource.get(sourceId);
    if (b) for (const e of b.entries.values()) yield e.job;
  }

  /**
   * Sets the fields the engine derives across sources (the hand-over links), never reported by a
   * source. Events of this batch about the job carry the new values too.
   */
  setLinks(key: string, changes: Pick<Partial<Job>, 'handover' | 'handedOverBy'>): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.commit(e, { ...e.job, ...changes }, { ...changes });
    this.events = this.events.map((ev) => ('job' in ev && ev.job.key === key ? { ...ev, job: { ...ev.job, ...changes } } : ev));
  }

  /** Whether the source has active jobs that are neither paused nor unknown (the fast rate). */
  hasFastJobs(sourceId: string): boolean {
    return (this.bySource.get(sourceId)?.fast ?? 0) > 0;
  }

  private materialize(e: Entry): Job {
    if (e.job.lastSeenAt !== e.seenAt) e.job = { ...e.job, lastSeenAt: e.seenAt };
    return e.job;
  }

  // ---------------------------------------------------------------------------------------------
  // Changes
  // ---------------------------------------------------------------------------------------------

  /**
   * Adds or updates one job as a source reported it just now. `explicit`: learned outside a poll
   * (printed, tracked, an action's answer): a dismissed key comes back.
   */
  upsert(sj: SourceJob, opts: { explicit?: boolean; seenAt?: string } = {}): Job {
    const nowMs = this.now();
    const seenAt = opts.seenAt ?? new Date(nowMs).toISOString();
    if (opts.explicit) {
      this.dismissed.delete(sj.key);
      this.retired.delete(sj.key);
    }
    const e = this.entries.get(sj.key);
    const job = e ? this.update(e, sj, seenAt, nowMs) : this.add(sj, seenAt, nowMs);
    if (opts.explicit) (this.entries.get(sj.key) as Entry).explicitMark = ++this.explicitMarks;
    return job;
  }

  private add(sj: SourceJob, seenAt: string, nowMs: number): Job {
    const job: Job = {
      key: sj.key,
      sourceId: sj.sourceId,
      sourceKind: sj.sourceKind,
      nativeId: sj.nativeId,
      state: sj.state,
      rawState: sj.rawState,
      detail: sj.detail,
      document: sj.document,
      owner: sj.owner,
      printer: sj.printer,
      mine: sj.mine,
      createdAt: sj.createdAt,
      updatedAt: sj.updatedAt,
      lastSeenAt: seenAt,
      progress: cleanProgress(sj.progress),
      stale: false,
      stuck: false,
      gone: false,
      cancel: sj.cancel,
      extra: sj.extra ?? {},
    };
    if (sj.abort !== undefined) job.abort = sj.abort;
    for (const f of OPTIONAL_SCALARS) if (sj[f] !== undefined) job[f] = sj[f] as never;
    for (const f of OPTIONAL_OBJECTS) if (sj[f] !== undefined) job[f] = sj[f];
    const e: Entry = { job, seenAt, seenCycle: this.cycle, changedAtMs: nowMs, timeline: [], finishedEmitted: false, final: isFinalJob(job), fast: canBeStuck(job), explicitMark: 0, dropped: false };
    this.entries.set(job.key, e);
    let b = this.bySource.get(job.sourceId);
    if (!b) this.bySource.set(job.sourceId, (b = { entries: new Map(), active: 0, fast: 0, stale: 0, stuckCheckedAt: Number.NEGATIVE_INFINITY, lastListed: [] }));
    b.entries.set(job.key, e);
    count(b, e, 1);
    this.pushTimeline(e, seenAt, job.state, job.rawState, job.detail);
    this.patches.push({ type: 'added', job });
    this.events.push({ type: 'transition', job, from: null, to: job.state });
    if (isFinalJob(job)) this.finish(e, nowMs);
    return job;
  }

  private update(e: Entry, sj: SourceJob, seenAt: string, nowMs: number): Job {
    e.seenAt = seenAt;
    e.seenCycle = this.cycle;
    const old = e.job;
    // The common case at every poll: nothing changed. Checked field by field, unrolled, because
    // this runs for every listed job at every cycle.
    if (unchanged(old, sj)) return old;
    let changes: Partial<Job> | null = null;
    for (const f of SCALAR_FIELDS) {
      const v = f === 'progress' ? cleanProgress(sj.progress) : sj[f];
      if (old[f] !== v) (changes ??= {})[f] = v as never;
    }
    // The action permissions as `unchanged` compares them (samePermission), `extra` structurally.
    if (!samePermission(old.cancel, sj.cancel)) (changes ??= {}).cancel = sj.cancel;
    if (!samePermission(old.abort, sj.abort)) (changes ??= {}).abort = sj.abort;
    const extra = sj.extra ?? {};
    if (old.extra !== extra && !jsonEqual(old.extra, extra)) (changes ??= {}).extra = extra;
    for (const f of OPTIONAL_SCALARS) if (old[f] !== sj[f]) (changes ??= {})[f] = sj[f] as never;
    for (const f of OPTIONAL_OBJECTS) if (!samePermission(old[f], sj[f])) (changes ??= {})[f] = sj[f];
    // Reported again: not gone (any more); fresh values: not stale.
    if (old.gone) (changes ??= {}).gone = false;
    if (old.stale) (changes ??= {}).stale = false;
    if (!changes) return old;

    const stuckClockReset = 'state' in changes || 'rawState' in changes || 'progress' in changes || 'detail' in changes || 'reason' in changes || 'pagesPrinted' in changes;
    if (stuckClockReset) e.changedAtMs = nowMs;
    const next: Job = { ...old, ...changes };
    if (old.stuck && (stuckClockReset || !canBeStuck(next))) {
      next.stuck = changes.stuck = false;
      if (old.stuckSince) next.stuckSince = changes.stuckSince = null;
    }
    if ('abort' in changes && changes.abort === undefined) delete next.abort;
    for (const f of [...OPTIONAL_SCALARS, ...OPTIONAL_OBJECTS]) if (f in changes && changes[f] === undefined) delete next[f];
    this.commit(e, next, changes);
    if ('state' in changes || 'rawState' in changes) this.pushTimeline(e, seenAt, next.state, next.rawState, next.detail);
    if ('state' in changes) this.events.push({ type: 'transition', job: e.job, from: old.state, to: next.state });
    if (isFinalJob(next) && !isFinalJob(old)) this.finish(e, nowMs);
    else if (!isFinalJob(next) && isFinalJob(old)) {
      // Back in play (resumed, restarted, found again): its next end is a new finish.
      this.finishedAt.delete(next.key);
      e.finishedEmitted = false;
    }
    return e.job;
  }

  /** Replaces the entry's job and queues the 'changed' patch (lastSeenAt rides along). */
  private commit(e: Entry, next: Job, changes: Partial<Job>): void {
    if (next.lastSeenAt !== e.seenAt) next.lastSeenAt = changes.lastSeenAt = e.seenAt;
    const b = this.bySource.get(next.sourceId);
    if (b) count(b, e, -1);
    e.job = next;
    e.final = isFinalJob(next);
    e.fast = canBeStuck(next);
    if (b) count(b, e, 1);
    this.patches.push({ type: 'changed', key: next.key, changes });
  }

  private pushTimeline(e: Entry, at: string, state: JobState, rawState: string, detail: string | null): void {
    e.timeline.push({ at, state, rawState, detail });
    if (e.timeline.length > MAX_TIMELINE_ENTRIES) e.timeline.splice(1, 1);
  }

  private finish(e: Entry, nowMs: number): void {
    this.finishedAt.delete(e.job.key);
    this.finishedAt.set(e.job.key, nowMs);
    if (e.finishedEmitted) return;
    e.finishedEmitted = true;
    this.events.push({ type: 'finished', job: e.job, timeline: e.timeline.slice() });
  }

  private setFlags(e: Entry, flags: Partial<Pick<Job, 'stale' | 'stuck' | 'gone'>>): void {
    const old = e.job;
    let changes: Partial<Job> | null = null;
    for (const k of ['stale', 'stuck', 'gone'] as const) {
      if (flags[k] !== undefined && old[k] !== flags[k]) (changes ??= {})[k] = flags[k];
    }
    if (!changes) return;
    if (changes.stuck === true) changes.stuckSince = new Date(e.changedAtMs).toISOString();
    else if (changes.stuck === false && old.stuckSince) changes.stuckSince = null;
    this.commit(e, { ...old, ...changes }, changes);
  }

  /** The current explicit-update mark: taken when a poll is sent, handed back to applyPoll. */
  mark(): number {
    return this.explicitMarks;
  }

  /** Applies one successful poll of a source. Returns whether the source has fast (active, not
   * paused/unknown) jobs afterwards. */
  applyPoll(sourceId: string, result: PollResult, sinceMark?: number): { fast: boolean } {
    const nowMs = this.now();
    const seenAt = new Date(nowMs).toISOString();
    const cycle = ++this.cycle;
    const prefix = `${sourceId}:`;
    const bucket = this.bySource.get(sourceId);
    const own = bucket?.entries;
    const hints = bucket?.lastListed ?? [];
    // Made at its full length at once: grown one job at a time, it would be copied again and again,
    // garbage that every cycle of a long listing leaves for the collector.
    const listed: (Entry | undefined)[] = new Array(result.jobs.length);
    // Active entries listed by this poll: when they are all of them, nothing can be gone.
    let seenActive = 0;
    const jobs = result.jobs;
    for (let i = 0; i < jobs.length; i++) {
      const sj = jobs[i];
      if (!sj) continue;
      // Known to this source: the key is one of its own (at the same place as last time, mostly).
      const hint = hints[i];
      const known = hint !== undefined && !hint.dropped && hint.job.key === sj.key ? hint : own?.get(sj.key);
      listed[i] = known;
      if (known) {
        const again = known.seenCycle === cycle;
        // Updated explicitly (a cancel's answer) after this poll was sent: the poll's view of the
        // job is older and must not undo it. The job was listed, so it is not gone.
        if (sinceMark !== undefined && known.explicitMark > sinceMark) known.seenCycle = cycle;
        else this.update(known, sj, seenAt, nowMs);
        if (!again && !known.final) seenActive++;
        continue;
      }
      // A job of another source (a source bug) must never overwrite that source's jobs.
      if (typeof sj.key !== 'string' || sj.sourceId !== sourceId || !sj.key.startsWith(prefix) || this.entries.has(sj.key)) continue;
      if (this.dismissed.size) {
        const at = this.dismissed.get(sj.key);
        if (at !== undefined && at > nowMs - this.retainFinishedMs) continue;
      }
      if (this.retired.size && this.retired.has(sj.key)) {
        if (sj.state === 'completed' || sj.state === 'failed' || sj.state === 'canceled') continue;
        this.retired.delete(sj.key);
      }
      this.add(sj, seenAt, nowMs);
      listed[i] = this.entries.get(sj.key);
    }
    if (result.gone) {
      for (const key of result.gone) {
        const e = this.entries.get(key);
        if (e && e.job.sourceId === sourceId) this.markGone(e, seenAt, nowMs);
      }
    }
    const b = this.bySource.get(sourceId);
    if (!b) {
      this.sweep(nowMs);
      return { fast: false };
    }
    b.lastListed = listed;
    // The loop below costs a pass over every job of the source, so it runs only when it can
    // change something: a complete list that missed an active job, stale flags to clear, or the
    // stuck clocks due for a check (a small fraction of the threshold, so at most that late).
    const goneCandidates = result.complete && (seenActive !== b.active || (result.gone?.length ?? 0) > 0);
    const staleKeys = result.stale && result.stale.length > 0 ? new Set(result.stale) : null;
    const stuckDue = b.fast > 0 && nowMs - b.stuckCheckedAt >= this.stuckCheckEveryMs();
    if (goneCandidates || stuckDue || b.stale > 0 || staleKeys) {
      if (stuckDue) b.stuckCheckedAt = nowMs;
      const stuckBefore = nowMs - this.stuckAfterMs;
      for (const e of b.entries.values()) {
        const job = e.job;
        if (e.final) {
          if (job.stale) this.setFlags(e, { stale: false });
          continue;
        }
        // Not listed, unless learned explicitly after the poll was sent (tracked meanwhile).
        if (result.complete && e.seenCycle !== cycle && !(sinceMark !== undefined && e.explicitMark > sinceMark)) {
          this.markGone(e, seenAt, nowMs);
          continue;
        }
        // Not refreshed by this poll (its part of the source failed): last values, marked stale.
        if (staleKeys?.has(job.key) && e.seenCycle !== cycle) {
          if (!job.stale) this.setFlags(e, { stale: true });
          continue;
        }
        if (job.stale) this.setFlags(e, { stale: false });
        if (!e.fast || !stuckDue) continue;
        if (!e.job.stuck && e.changedAtMs < stuckBefore) {
          this.setFlags(e, { stuck: true });
          this.events.push({ type: 'stuck', job: e.job });
        }
      }
    }
    this.sweep(nowMs);
    return { fast: b.fast > 0 };
  }

  /** How often the stuck clocks are checked: a sixtieth of the threshold, between 1 s and 30 s. */
  private stuckCheckEveryMs(): number {
    return Math.min(30_000, Math.max(1_000, this.stuckAfterMs / 60));
  }

  private markGone(e: Entry, at: string, nowMs: number): void {
    if (e.job.gone) return;
    const flags: Partial<Pick<Job, 'stale' | 'stuck' | 'gone'>> = { gone: true };
    if (e.job.stuck) flags.stuck = false;
    if (e.job.stale) flags.stale = false;
    this.setFlags(e, flags);
    this.pushTimeline(e, at, e.job.state, e.job.rawState, 'The service no longer knows this job.');
    this.finish(e, nowMs);
  }

  /** The source failed: its jobs that are not final keep their last values, marked stale. */
  markStale(sourceId: string): void {
    const b = this.bySource.get(sourceId);
    if (!b) return;
    for (const e of b.entries.values()) if (!e.job.stale && !e.final) this.setFlags(e, { stale: true });
  }

  /** Removes finished jobs older than the retention window (history keeps them). */
  sweep(nowMs: number = this.now()): void {
    const before = nowMs - this.retainFinishedMs;
    for (const [key, at] of this.finishedAt) {
      if (at > before) break;
      this.finishedAt.delete(key);
      this.drop(key);
      this.retired.delete(key);
      this.retired.set(key, nowMs);
    }
    const retiredBefore = nowMs - RETIRED_KEEP_MS;
    for (const [key, at] of this.retired) {
      if (at > retiredBefore) break;
      this.retired.delete(key);
    }
    for (const [key, at] of this.dismissed) {
      if (at > before) break;
      this.dismissed.delete(key);
    }
  }

  /** Removes a job (dismissed by the user): later polls do not bring it back for a day. */
  remove(key: string): boolean {
    if (!this.entries.has(key)) return false;
    this.dismissed.delete(key);
    this.dismissed.set(key, this.now());
    this.finishedAt.delete(key);
    this.drop(key);
    return true;
  }

  /** Drops every job of a source (the source was removed from the settings). */
  removeSource(sourceId: string): void {
    const b = this.bySource.get(sourceId);
    if (!b) return;
    for (const key of [...b.entries.keys()]) {
      this.finishedAt.delete(key);
      this.drop(key);
    }
    this.bySource.delete(sourceId);
  }

  private drop(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    e.dropped = true;
    this.entries.delete(key);
    const b = this.bySource.get(e.job.sourceId);
    if (b && b.entries.delete(key)) count(b, e, -1);
    this.patches.push({ type: 'removed', key });
  }

  /** Delivers the queued patches (as one event) and the other events, in order. */
  flush(): void {
    this.beforeFlush?.();
    if (this.patches.length === 0 && this.events.length === 0) return;
    const patches = this.patches;
    const events = this.events;
    this.patches = [];
    this.events = [];
    if (patches.length) this.emit({ type: 'patches', patches });
    for (const ev of events) this.emit(ev);
  }
}

/** A read-only Map view of a source's entries that are not final (see JobStore.activeJobs). */
class ActiveJobsView implements ReadonlyMap<string, Job> {
  constructor(
    private readonly source: ReadonlyMap<string, Entry>,
    private readonly materialize: (e: Entry) => Job,
  ) {}

  get size(): number {
    let n = 0;
    for (const e of this.source.values()) if (!e.final) n++;
    return n;
  }

  has(key: string): boolean {
    const e = this.source.get(key);
    return e !== undefined && !e.final;
  }

  get(key: string): Job | undefined {
    const e = this.source.get(key);
    return e !== undefined && !e.final ? this.materialize(e) : undefined;
  }

  entries(): MapIterator<[string, Job]> {
    return new ActiveIterator<[string, Job]>(this.source.values(), 'entry', this.materialize) as unknown as MapIterator<[string, Job]>;
  }

  keys(): MapIterator<string> {
    return new ActiveIterator<string>(this.source.values(), 'key', this.materialize) as unknown as MapIterator<string>;
  }

  values(): MapIterator<Job> {
    return new ActiveIterator<Job>(this.source.values(), 'value', this.materialize) as unknown as MapIterator<Job>;
  }

  [Symbol.iterator](): MapIterator<[string, Job]> {
    return this.entries();
  }

  forEach(fn: (value: Job, key: string, map: ReadonlyMap<string, Job>) => void, thisArg?: unknown): void {
    for (const e of this.source.values()) if (!e.final) fn.call(thisArg, this.materialize(e), e.job.key, this);
  }
}

/**
 * Iterates the entries that are not final (their keys, jobs or both), without building an array
 * first, and without a closure made per call: a source walks its active jobs at every poll.
 */
class ActiveIterator<T> {
  constructor(
    private readonly source: Iterator<Entry>,
    private readonly kind: 'key' | 'value' | 'entry',
    private readonly materialize: (e: Entry) => Job,
  ) {}

  next(): IteratorResult<T, undefined> {
    for (;;) {
      const r = this.source.next();
      if (r.done) return { done: true, value: undefined };
      const e = r.value;
      if (e.final) continue;
      const value = this.kind === 'key' ? e.job.key : this.kind === 'value' ? this.materialize(e) : [e.job.key, this.materialize(e)];
      return { done: false, value: value as T };
    }
  }

  [Symbol.iterator](): this {
    return this;
  }
}
