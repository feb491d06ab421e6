/**
 * The queue engine: polls every enabled source on its own adaptive schedule (scheduler.ts),
 * keeps the normalized live store (store.ts) and tells subscribers what changed. Plain
 * TypeScript: time comes from the injected Clock, so tests run it in fake time.
 */
import { AppFailure, noCapabilities, parseJobKey, type Job, type JobDetails, type PollingSettings, type Printer, type SourceHealth } from '../../preload/contract/model';
import { silentLogger } from '../ports/ports';
import type { DisabledSource, EngineEvent, QueueEngine, QueueEngineOptions } from './engine-types';
import { SourceRunner, type RunnerHost } from './scheduler';
import type { JobAction, JobSource, SourceJob, SourcePrinter } from './source';
import { HandoverLinker } from './handover';
import { JobStore } from './store';

export { JobStore } from './store';
export { SourceRunner, pollInterval, backoffDelay, healthOfError } from './scheduler';

function disabledHealth(d: DisabledSource): SourceHealth {
  return { id: d.id, kind: d.kind, name: d.name, capabilities: noCapabilities(), status: 'disabled', message: `${d.name} is switched off in the settings.`, lastSuccessAt: null, lastErrorAt: null };
}

function checkUniqueIds(sources: JobSource[], disabled: DisabledSource[]): void {
  const seen = new Set<string>();
  for (const s of [...sources, ...disabled]) {
    if (seen.has(s.id)) throw new AppFailure('invalid-input', `Two sources have the id "${s.id}"; each source needs its own id.`, { field: 'sources', sourceId: s.id });
    seen.add(s.id);
  }
}

export function createQueueEngine(opts: QueueEngineOptions): QueueEngine {
  const clock = opts.clock;
  const logger = opts.logger ?? silentLogger;
  const random = opts.random ?? Math.random;
  let polling: PollingSettings = opts.polling;
  const listeners = new Set<(event: EngineEvent) => void>();
  let started = false;
  let visible = true;
  let suspended = false;
  let online = true;
  let paused: { until: number | null } | null = null;
  let pauseTimer: unknown = null;
  let priorityKeys: ReadonlySet<string> = new Set();
  const actions = new Set<AbortController>();

  function emit(event: EngineEvent): void {
    for (const l of [...listeners]) {
      try {
        l(event);
      } catch (err) {
        logger.error('queue: an event listener failed', { event: event.type, error: err instanceof Error ? err.message : String(err) });
      }
    }
    // Job changes move the printers' job counts.
    if (event.type === 'patches' && reported.size > 0) refreshPrinters();
  }

  /** The printers each source last reported, by source id (in the sources' order). */
  const reported = new Map<string, SourcePrinter[]>();
  let lastPrinters = '[]';

  function printerList(): Printer[] {
    const out: Printer[] = [];
    for (const [sourceId, list] of reported) {
      const counts = new Map<string, { active: number; stuck: number }>();
      for (const job of store.activeJobs(sourceId).values()) {
        if (job.printer === null) continue;
        const c = counts.get(job.printer) ?? { active: 0, stuck: 0 };
        c.active++;
        if (job.stuck) c.stuck++;
        counts.set(job.printer, c);
      }
      for (const p of list) {
        const c = counts.get(p.name);
        out.push({ ...p, reasons: [...p.reasons], activeJobs: c?.active ?? 0, stuckJobs: c?.stuck ?? 0 });
      }
    }
    return out;
  }

  function refreshPrinters(): void {
    const printers = printerList();
    const text = JSON.stringify(printers);
    if (text === lastPrinters) return;
    lastPrinters = text;
    emit({ type: 'printers', printers });
  }

  function forgetPrinters(sourceId: string): void {
    if (reported.delete(sourceId)) refreshPrinters();
  }

  const store = new JobStore({ now: () => clock.now(), emit, stuckAfterMs: polling.stuckAfterMinutes * 60_000, retainFinishedMs: opts.retainFinishedMs });

  /** Links ScriptX jobs on this PC to the Windows spooler jobs they were handed to (handover.ts). */
  const linker = new HandoverLinker();
  let linksShown = false;
  store.beforeFlush = () => {
    const sources = [...runners.values()].map((r) => r.source);
    const scriptx = sources.filter((s) => s.kind === 'scriptx' && s.loopback).map((s) => s.id);
    const spoolers = sources.filter((s) => s.kind === 'windows-spooler').map((s) => s.id);
    if (scriptx.length === 0 || (spoolers.length === 0 && !linksShown)) return;
    const updates = linker.run({
      nowMs: clock.now(),
      scriptx: scriptx.flatMap((id) => [...store.jobsOf(id)]),
      timelineOf: (key) => store.timeline(key),
      spooler: spoolers.flatMap((id) => [...store.jobsOf(id)]),
      printers: spoolers.flatMap((id) => (reported.get(id) ?? []).map((p) => p.name)),
    });
    for (const u of updates) store.setLinks(u.key, u.changes);
    linksShown = spoolers.length > 0;
  };

  const host: RunnerHost = {
    clock,
    store,
    logger,
    random,
    polling: () => polling,
    hidden: () => !visible,
    priorityKeys: () => priorityKeys,
    started: () => started,
    mayPoll: (source) => started && !suspended && paused === null && (online || source.loopback),
    onHealth: (source) => emit({ type: 'health', source: { ...source } }),
    onPrinters: (sourceId, printers) => {
      if (runners.get(sourceId) === undefined) return;
      // Only the source's own printers, each key once.
      const seen = new Set<string>();
      const own = printers.filter((p) => p && p.sourceId === sourceId && p.key.startsWith(`${sourceId}:`) && !seen.has(p.key) && seen.add(p.key));
      reported.set(sourceId, own);
      refreshPrinters();
    },
  };

  let runners = new Map<string, SourceRunner>();
  let disabled = new Map<string, SourceHealth>();

  checkUniqueIds(opts.sources, opts.disabled ?? []);
  for (const s of opts.sources) runners.set(s.id, new SourceRunner(s, host));
  for (const d of opts.disabled ?? []) disabled.set(d.id, disabledHealth(d));

  /** Polls at once every source that may poll (wake, reconnect, resume). */
  function kickAll(): void {
    for (const r of runners.values()) if (host.mayPoll(r.source)) void r.request(false);
  }

  function holdBlocked(): void {
    for (const r of runners.values()) if (!host.mayPoll(r.source)) r.hold();
  }

  function runnerOf(sourceId: string): SourceRunner {
    const r = runners.get(sourceId);
    if (r) return r;
    const d = disabled.get(sourceId);
    if (d) throw new AppFailure('not-allowed', `${d.name} is switched off in the settings.`, { sourceId });
    throw new AppFailure('not-found', `There is no source "${sourceId}" in the settings.`, { sourceId });
  }

  function jobOf(key: string): { job: Job; runner: SourceRunner } {
    const job = store.get(key);
    if (!job) {
      const parsed = parseJobKey(key);
      throw new AppFailure('not-found', `No job "${key}" is in the queue.`, parsed ? { sourceId: parsed.sourceId } : {});
    }
    return { job, runner: runnerOf(job.sourceId) };
  }

  /** Runs a source call with an AbortSignal that stop() aborts. */
  async function withSignal<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const c = new AbortController();
    actions.add(c);
    try {
      return await fn(c.signal);
    } finally {
      actions.delete(c);
    }
  }

  function applyAnswer(sourceId: string, sj: SourceJob, what: string): Job {
    if (!sj || typeof sj.key !== 'string' || sj.sourceId !== sourceId || !sj.key.startsWith(`${sourceId}:`)) {
      throw new AppFailure('internal', `The ${what} answer of source "${sourceId}" does not describe one of its jobs.`, { sourceId });
    }
    const job = store.upsert(sj, { explicit: true });
    store.flush();
    runners.get(sourceId)?.reschedule();
    return job;
  }

  function clearPauseTimer(): void {
    if (pauseTimer !== null) clock.clearTimeout(pauseTimer);
    pauseTimer = null;
  }

  const engine: QueueEngine = {
    start() {
      if (started) return;
      started = true;
      kickAll();
    },

    async stop() {
      started = false;
      clearPauseTimer();
      for (const c of actions) c.abort();
      await Promise.all([...runners.values()].map((r) => r.halt()));
      store.flush();
    },

    snapshot() {
      const sources: SourceHealth[] = [];
      for (const r of runners.values()) sources.push({ ...r.health });
      for (const d of disabled.values()) sources.push({ ...d });
      return { jobs: store.all(), sources };
    },

    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },

    getJob: (key) => store.get(key),
    printers: () => printerList(),
    timeline: (key) => store.timeline(key),

    async pollOnce() {
      await Promise.all([...runners.values()].map((r) => r.request(true)));
    },

    refreshNow(sourceId) {
      if (sourceId !== undefined) {
        const r = runnerOf(sourceId);
        if (host.mayPoll(r.source)) void r.request(false);
        return;
      }
      kickAll();
    },

    setPriority(keys) {
      priorityKeys = new Set(keys);
    },

    setVisible(v) {
      if (visible === v) return;
      visible = v;
      for (const r of runners.values()) r.reschedule();
      // Shown again: the times that moved on while hidden reach the window at once.
      if (v) for (const r of runners.values()) r.reportHealth(true);
    },

    setSuspended(s) {
      if (suspended === s) return;
      suspended = s;
      if (s) holdBlocked();
      else kickAll();
    },

    setOnline(o) {
      if (online === o) return;
      online = o;
      if (!o) {
        holdBlocked();
        // Remote jobs now show their last known values: mark them stale until the next poll.
        for (const r of runners.values()) if (!r.source.loopback) store.markStale(r.source.id);
        store.flush();
        return;
      }
      // Reconnected: the remote sources poll at once; loopback ones kept their own schedule.
      for (const r of runners.values()) if (!r.source.loopback && host.mayPoll(r.source)) void r.request(false);
    },

    pause(untilMs) {
      clearPauseTimer();
      paused = { until: untilMs };
      holdBlocked();
      if (untilMs !== null) {
        pauseTimer = clock.setTimeout(() => {
          pauseTimer = null;
          engine.resume();
        }, Math.max(0, untilMs - clock.now()));
      }
    },

    resume() {
      clearPauseTimer();
      if (paused === null) return;
      paused = null;
      kickAll();
    },

    pausedUntil: () => (paused ? { until: paused.until } : null),

    setSources(sources, nextDisabled = []) {
      checkUniqueIds(sources, nextDisabled);
      const next = new Map<string, SourceRunner>();
      const fresh: SourceRunner[] = [];
      for (const s of sources) {
        const cur = runners.get(s.id);
        if (cur && cur.source === s) {
          next.set(s.id, cur);
          continue;
        }
        const r = new SourceRunner(s, host);
        next.set(s.id, r);
        fresh.push(r);
      }
      for (const [id, r] of runners) {
        if (next.get(id) === r) continue;
        void r.halt();
        if (!next.has(id)) store.removeSource(id);
      }
      for (const id of [...reported.keys()]) if (next.get(id) !== runners.get(id) || !next.has(id)) forgetPrinters(id);
      // Jobs of a source that was switched off or removed (not replaced) go too.
      const nextDisabledMap = new Map<string, SourceHealth>();
      for (const d of nextDisabled) {
        const h = disabledHealth(d);
        nextDisabledMap.set(d.id, h);
        const before = disabled.get(d.id);
        if (!before || before.name !== h.name || before.message !== h.message) emit({ type: 'health', source: { ...h } });
      }
      for (const id of disabled.keys()) if (!next.has(id) && !nextDisabledMap.has(id)) store.removeSource(id);
      runners = next;
      disabled = nextDisabledMap;
      store.flush();
      for (const r of fresh) {
        emit({ type: 'health', source: { ...r.health } });
        if (host.mayPoll(r.source)) void r.request(false);
      }
    },

    setPolling(p) {
      polling = p;
      store.stuckAfterMs = p.stuckAfterMinutes * 60_000;
      for (const r of runners.values()) r.reschedule();
    },

    getSource: (sourceId) => runners.get(sourceId)?.source,

    upsert(sj) {
      runnerOf(sj.sourceId);
      return applyAnswer(sj.sourceId, sj, 'update');
    },

    remove(key) {
      const job = store.get(key);
      if (!store.remove(key)) return;
      store.flush();
      if (!job) return;
      const runner = runners.get(job.sourceId);
      runner?.reschedule();
      // The source stops watching it too (a tracked token is no longer polled).
      const untrack = runner?.source.untrack?.bind(runner.source);
      if (untrack) {
        void Promise.resolve()
          .then(() => untrack(job))
          .catch((err: unknown) => logger.warn('queue: the source could not stop tracking a dismissed job', { sourceId: job.sourceId, key, error: err instanceof Error ? err.message : String(err) }));
      }
    },

    async act(key, action: JobAction) {
      const { job, runner } = jobOf(key);
      if (action.type !== 'cancel' && job[action.type] === undefined) {
        throw new AppFailure('unsupported', `${runner.source.name} cannot ${action.type} jobs.`, { sourceId: job.sourceId });
      }
      const answer = await withSignal((signal) => runner.source.act(job, action, signal));
      return applyAnswer(job.sourceId, answer, action.type);
    },

    async track(sourceId, id, trackOpts = {}) {
      const runner = runnerOf(sourceId);
      const source = runner.source;
      if (!source.track) throw new AppFailure('unsupported', `${source.name} cannot track job ids handed in.`, { sourceId });
      const track = source.track.bind(source);
      const answer = await withSignal((signal) => track(id, trackOpts, signal));
      return applyAnswer(sourceId, answer, 'track');
    },

    async details(key, detailOpts = {}): Promise<JobDetails> {
      const { job, runner } = jobOf(key);
      const source = runner.source;
      // The other side of a hand-over, with its own timeline.
      const otherKey = job.handover?.key ?? job.handedOverBy ?? null;
      const other = otherKey === null ? undefined : store.get(otherKey);
      const linked = other ? { linked: { job: other, timeline: store.timeline(other.key) } } : {};
      // A source with nothing more to say (ScriptX): the job and its timeline are the details.
      if (!source.details) return { job, timeline: store.timeline(key), ...linked };
      const details = source.details.bind(source);
      const more = await withSignal((signal) => details(job, signal, { eventsPageToken: detailOpts.eventsPageToken }));
      return { ...more, job: store.get(key) ?? job, timeline: store.timeline(key), ...linked };
    },
  };
  return engine;
}
