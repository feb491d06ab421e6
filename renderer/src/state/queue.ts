/**
 * The queue as the window knows it, fed by the bridge: one snapshot at start, then patches, and the
 * jobs that actions answer with. Jobs live in a Map keyed by job key and are replaced object by
 * object, so a patch re-renders only the rows it touches; a change that is already in (the answer
 * to an action after its patch, or the patch after the answer) changes nothing.
 */
import { batch, computed, signal, type ReadonlySignal, type Signal } from '@preact/signals';
import type { Snapshot } from '../../../preload/contract/contract';
import type { AppError, Job, JobPatch, Printer, SourceHealth, UiSettings } from '../../../preload/contract/model';
import { noCapabilities, type SourceCapabilities } from '../../../preload/contract/capabilities';
import { jobName } from '../../../preload/contract/job-states';
import { countStates, keepsPlace, selectJobs, type StateCounts } from '../../../preload/contract/queue-view';
import { t } from '../i18n/messages';
import type { Notify } from './notices';
import { jsonEqual } from '../../../preload/contract/json-equal';

export function docName(job: Pick<Job, 'document' | 'nativeId' | 'sourceKind'>): string {
  return jobName(job);
}

/** Whether two values from the bridge (plain data) say the same. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** A patch, or a job an action answered with (it replaces the window's copy whole). */
type Change = JobPatch | { type: 'answer'; job: Job };

const NONE: SourceCapabilities = noCapabilities();

/**
 * Each source's `pick`, by source id, as one map that keeps its identity while no source's value
 * changed: a health event that only moved a time on (the last successful poll) redraws nothing that
 * reads it, and the queue is not filtered and sorted again.
 */
function perSource<V>(sources: ReadonlySignal<SourceHealth[]>, pick: (s: SourceHealth) => V): ReadonlySignal<Map<string, V>> {
  let last: Map<string, V> | null = null;
  return computed(() => {
    const next = new Map(sources.value.map((s) => [s.id, pick(s)]));
    const prev = last;
    if (prev && prev.size === next.size && [...next].every(([id, v]) => prev.has(id) && same(prev.get(id), v))) return prev;
    return (last = next);
  });
}

export function createQueue(opts: { ui: ReadonlySignal<UiSettings>; notify: Notify }) {
  const { ui, notify } = opts;
  const jobs = new Map<string, Job>();
  const jobsVersion = signal(0);
  const sources = signal<SourceHealth[]>([]);
  const paused = signal<{ until: string | null } | null>(null);
  const status = signal<'loading' | 'ready' | 'error'>('loading');
  /**
   * Set while only the first rows of the queue are in (FirstAnswers.head): the view choices they
   * were chosen under. The rest of the queue replaces them; until then the window says it is still
   * loading, and shows them only under those same choices.
   */
  const partial = signal<UiSettings | null>(null);
  /**
   * While only the first rows are in: what the app said of the whole queue beside them (how many
   * jobs it holds, how many the choices show, how many are in each state), so that the counts the
   * window shows meanwhile are the whole queue's, not the first rows'. Null otherwise.
   */
  const headCounts = signal<{ total: number; shown: number; states: StateCounts } | null>(null);
  const loadError = signal<AppError | null>(null);
  /** Every source's printers as their sources describe them (getPrinters, then printers:changed). */
  const printerList = signal<Printer[]>([]);
  const selection = signal<ReadonlySet<string>>(new Set());
  const activeKey = signal<string | null>(null);
  const detailKey = signal<string | null>(null);

  const sourceNames = perSource(sources, (s) => s.name);
  const capabilities = perSource(sources, (s) => s.capabilities);
  /** What the window may offer for a source's jobs, as the source declares it (nothing for an unknown source). */
  const capabilitiesOf = (sourceId: string): SourceCapabilities => capabilities.value.get(sourceId) ?? NONE;
  const allJobs = computed(() => {
    void jobsVersion.value;
    return [...jobs.values()];
  });
  const jobCount = computed(() => {
    void jobsVersion.value;
    return headCounts.value?.total ?? jobs.size;
  });
  /** How many jobs are in each state, and how many are stuck (the summary strip): one pass over the jobs, no list made. */
  const stateCounts = computed((): StateCounts => {
    void jobsVersion.value;
    return headCounts.value?.states ?? countStates(jobs.values());
  });
  /** Bumped only when the set of printers may have changed, so a progress patch does not rescan. */
  const printersVersion = signal(0);
  const printers = computed(() => {
    void printersVersion.value;
    const set = new Set<string>();
    for (const j of jobs.values()) if (j.printer) set.add(j.printer);
    return [...set].sort();
  });
  /**
   * How many printers the Printers view lists (those the sources describe, and those only jobs
   * name): recounted when the set of printers may have changed, not on every progress patch.
   */
  const printerCount = computed(() => {
    void printersVersion.value;
    // Printer names by source, without making a text for each of thousands of jobs.
    const seen = new Map<string, Set<string>>();
    let count = 0;
    const add = (sourceId: string, name: string): void => {
      let names = seen.get(sourceId);
      if (!names) seen.set(sourceId, (names = new Set()));
      if (names.has(name)) return;
      names.add(name);
      count++;
    };
    for (const p of printerList.value) add(p.sourceId, p.name);
    for (const j of jobs.values()) if (j.printer) add(j.sourceId, j.printer);
    return count;
  });

  // The visible list. A batch of changes that keep every row's place is applied to the previous
  // list in place; anything else (added, removed, a new sort position, other choices) filters and
  // sorts again. The key-to-position index is built only when a patch first needs it, not for the
  // first frame.
  let lastList: { version: number; ui: UiSettings; names: ReadonlyMap<string, string>; rows: Job[]; index: Map<string, number> | null } | null = null;
  const indexOf = (list: { rows: Job[]; index: Map<string, number> | null }): Map<string, number> =>
    (list.index ??= new Map(list.rows.map((j, i) => [j.key, i])));
  let inPlace: { from: number; to: number; changed: Job[] } | null = null;
  const visible: ReadonlySignal<Job[]> = computed(() => {
    const version = jobsVersion.value;
    const choices = ui.value;
    const names = sourceNames.value;
    const prev = lastList;
    if (prev && inPlace && inPlace.from === prev.version && inPlace.to === version && prev.ui === choices && prev.names === names) {
      const rows = prev.rows.slice();
      const index = indexOf(prev);
      for (const job of inPlace.changed) {
        const i = index.get(job.key);
        if (i !== undefined) rows[i] = job;
      }
      lastList = { ...prev, version, rows, index };
      return rows;
    }
    const rows = selectJobs(jobs.values(), choices, names);
    lastList = { version, ui: choices, names, rows, index: null };
    return rows;
  });

  function unselect(key: string): void {
    if (!selection.value.has(key)) return;
    const s = new Set(selection.value);
    s.delete(key);
    selection.value = s;
  }

  /** The job a change leaves, or null when it changes nothing the window has. */
  function changedJob(old: Job | undefined, c: Extract<Change, { type: 'changed' | 'answer' }>): Job | null {
    if (!old) return null;
    if (c.type === 'answer') return same(old, c.job) ? null : c.job;
    const keys = Object.keys(c.changes) as (keyof Job)[];
    if (keys.every((k) => k === 'key' || same(old[k], c.changes[k]))) return null;
    return { ...old, ...c.changes, key: old.key };
  }

  /** Applies changes as one update of the queue; none at all when nothing changes. */
  function apply(changes: Change[]): void {
    const choices = ui.value;
    const names = sourceNames.value;
    let keep = lastList !== null && lastList.version === jobsVersion.value;
    let printersMayChange = false;
    let any = false;
    const changed: Job[] = [];
    batch(() => {
      for (const c of changes) {
        if (c.type === 'removed') {
          if (!jobs.delete(c.key)) continue;
          keep = false;
          printersMayChange = any = true;
          unselect(c.key);
          continue;
        }
        const old = jobs.get(c.type === 'changed' ? c.key : c.job.key);
        if (c.type === 'added' || (c.type === 'answer' && !old)) {
          const job = c.job;
          keep = false;
          printersMayChange = any = true;
          jobs.set(job.key, job);
          continue;
        }
        const next = changedJob(old, c);
        if (!old || !next) continue;
        any = true;
        jobs.set(old.key, next);
        if (next.printer !== old.printer) printersMayChange = true;
        if (keep && !keepsPlace(old, next, choices, names)) keep = false;
        changed.push(next);
        for (const watcher of jobWatchers) watcher(old, next);
      }
      if (!any) return;
      if (printersMayChange) printersVersion.value++;
      inPlace = keep && lastList ? { from: lastList.version, to: lastList.version + 1, changed } : null;
      jobsVersion.value++;
    });
  }

  /** Told of every job a patch or an action's answer changes, before and after (the window's notices of your jobs). */
  const jobWatchers = new Set<(before: Job, after: Job) => void>();
  function watchJobChanges(watcher: (before: Job, after: Job) => void): () => void {
    jobWatchers.add(watcher);
    return () => jobWatchers.delete(watcher);
  }

  function applyPatches(patches: JobPatch[]): void {
    if (patches.length) apply(patches);
  }

  /** Puts the jobs actions answered with: each replaces the window's copy, once, in one update. */
  function putAnswers(answers: Job[]): void {
    if (answers.length) apply(answers.map((job) => ({ type: 'answer', job })));
  }

  function applyHealth(h: SourceHealth): void {
    const list = sources.value;
    const i = list.findIndex((s) => s.id === h.id);
    sources.value = i < 0 ? [...list, h] : list.map((s, j) => (j === i ? h : s));
  }

  /** Replaces the jobs, the sources' health and the pause with a snapshot's; `head`: see `partial`. */
  function putSnapshot(snap: Snapshot, head: UiSettings | null): void {
    // A job the window already has, unchanged, is kept as it is: its row is not drawn again (the
    // whole queue brings the first rows a second time).
    const next = snap.jobs.map((j) => {
      const had = jobs.get(j.key);
      return had !== undefined && jsonEqual(had, j) ? had : j;
    });
    batch(() => {
      jobs.clear();
      for (const j of next) jobs.set(j.key, j);
      printersVersion.value++;
      jobsVersion.value++;
      sources.value = snap.sources;
      paused.value = snap.paused;
      partial.value = head;
      headCounts.value = head ? countsBeside(snap) : null;
      loadError.value = null;
      status.value = 'ready';
    });
  }

  function failLoad(error: AppError): void {
    batch(() => {
      loadError.value = error;
      partial.value = null;
      headCounts.value = null;
      status.value = 'error';
    });
  }

  function openDetails(key: string): void {
    batch(() => {
      detailKey.value = key;
      activeKey.value = key;
    });
    if (!jobs.has(key)) notify('warning', t.jobNotFound);
  }

  return {
    jobs: jobs as ReadonlyMap<string, Job>,
    jobsVersion: jobsVersion as ReadonlySignal<number>,
    allJobs,
    jobCount,
    stateCounts,
    sources: sources as Signal<SourceHealth[]>,
    sourceNames,
    capabilitiesOf,
    paused,
    status,
    partial,
    headCounts: headCounts as ReadonlySignal<{ total: number; shown: number; states: StateCounts } | null>,
    loadError,
    visible,
    printers,
    printerList,
    printerCount,
    selection,
    activeKey,
    detailKey,
    applyPatches,
    watchJobChanges,
    putAnswers,
    applyHealth,
    putSnapshot,
    failLoad,
    openDetails,
  };
}

export type Queue = ReturnType<typeof createQueue>;

/**
 * What a first-rows answer says of the whole queue (Snapshot total, shown, states), when it says
 * all of it in the contract's shape; null otherwise (the window then says it is still loading).
 */
function countsBeside(snap: Snapshot): { total: number; shown: number; states: StateCounts } | null {
  const { total, shown, states } = snap;
  const whole = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;
  if (!whole(total) || !whole(shown) || typeof states !== 'object' || states === null || !whole(states.stuck)) return null;
  const { byState } = states;
  if (typeof byState !== 'object' || byState === null || Array.isArray(byState) || !Object.values(byState).every(whole)) return null;
  // Counts of one queue: the first rows among those shown, those among all, every job in one state.
  const inStates = Object.values(byState).reduce((a, n) => a + n, 0);
  if (snap.jobs.length > shown || shown > total || states.stuck > total || inStates !== total) return null;
  return { total, shown, states };
}
