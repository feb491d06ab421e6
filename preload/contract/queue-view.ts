/**
 * Which jobs the queue shows and in what order: pure functions of the jobs and the view choices.
 * The window filters and sorts with them; the app uses them to send the window's first rows ahead
 * of the whole queue (getSnapshot `first`), in the order the window will show them.
 */
import type { Job, JobState, UiSettings } from './model';
import { isFinal, jobName } from './job-states';

export type SortKeyName = UiSettings['sort']['key'];
export type ViewName = UiSettings['view'];

export interface QueryChoices {
  view: ViewName;
  mineOnly: boolean;
  sourceFilter: string[];
  printerFilter: string[];
  stateFilter: JobState[];
  /** Only jobs flagged stuck; absent means false. */
  stuckOnly?: boolean;
  search: string;
  sort: { key: SortKeyName; dir: 'asc' | 'desc' };
}

const STATE_ORDER: Record<JobState, number> = {
  printing: 0,
  processing: 1,
  queued: 2,
  paused: 3,
  unknown: 4,
  failed: 5,
  canceled: 6,
  completed: 7,
};

function inView(job: Job, view: ViewName): boolean {
  if (view === 'all') return true;
  return view === 'finished' ? isFinal(job) : !isFinal(job);
}

/** The fields the search box looks in that are each job's own (a document's name, the service's id). */
const OWN_FIELDS = ['document', 'nativeId'] as const;
/** The fields the search box looks in that many jobs share (a few owners, printers, states, sources). */
const SHARED_FIELDS = ['owner', 'printer', 'rawState', 'detail', 'sourceId'] as const;

/**
 * One search over many jobs (needle trimmed, lower case): a job matches when one of its searched
 * fields holds the needle, in any case, never across two fields. A value that many jobs share is
 * looked at once per search (remembered by value), so a search over 10,000 jobs lowercases only
 * their own documents and ids: the first search costs no more than the next, and no text is kept
 * between searches.
 */
function searchMatcher(needle: string): (job: Job) => boolean {
  const shared = new Map<string, boolean>();
  return (job) => {
    for (const f of OWN_FIELDS) {
      const v = job[f];
      if (v != null && v.toLowerCase().includes(needle)) return true;
    }
    for (const f of SHARED_FIELDS) {
      const v = job[f];
      if (v == null) continue;
      let m = shared.get(v);
      if (m === undefined) {
        m = v.toLowerCase().includes(needle);
        shared.set(v, m);
      }
      if (m) return true;
    }
    return false;
  };
}

/** Made on the first sort by text (making a collator loads locale data; sorting by time needs none). */
let collator: Intl.Collator | null = null;
const textCollator = (): Intl.Collator => (collator ??= new Intl.Collator(undefined, { sensitivity: 'base', numeric: true }));

function compareNullable<T>(a: T | null, b: T | null, cmp: (x: T, y: T) => number): number {
  if (a == null && b == null) return 0;
  if (a == null) return 1; // unknown values sort last in either direction, see sortJobs
  if (b == null) return -1;
  return cmp(a, b);
}

function sortValue(job: Job, key: SortKeyName, sourceNames: ReadonlyMap<string, string>): string | number | null {
  switch (key) {
    case 'source':
      return sourceNames.get(job.sourceId) ?? job.sourceId;
    case 'printer':
      return job.printer;
    case 'document':
      // By the name the row shows: a job without a document name is "ScriptX job 74", among the S.
      return job.document?.trim() ? job.document : jobName(job);
    case 'owner':
      return job.owner;
    case 'state':
      return STATE_ORDER[job.state];
    case 'progress':
      return job.progress;
    case 'pages':
      return job.pages ?? null;
    case 'size':
      return job.sizeBytes ?? null;
    case 'createdAt':
      return job.createdAt ? Date.parse(job.createdAt) : null;
    case 'updatedAt':
      return job.updatedAt ? Date.parse(job.updatedAt) : null;
  }
}

/** Whether a job passes the view, the filters and the search (needle already trimmed, lower-case). */
export function matchesChoices(job: Job, q: QueryChoices, needle: string = q.search.trim().toLowerCase()): boolean {
  if (!inView(job, q.view)) return false;
  if (q.mineOnly && !job.mine) return false;
  if (q.sourceFilter.length && !q.sourceFilter.includes(job.sourceId)) return false;
  if (q.printerFilter.length && !q.printerFilter.includes(job.printer ?? '')) return false;
  if (q.stateFilter.length && !q.stateFilter.includes(job.state)) return false;
  if (q.stuckOnly && !job.stuck) return false;
  if (needle && !searchMatcher(needle)(job)) return false;
  return true;
}

/**
 * A changed job can replace its old version where it stands when it neither enters nor leaves
 * the list and keeps its sort value: the common case (progress, raw state, detail) then costs no
 * filtering or sorting of the whole queue.
 */
export function keepsPlace(before: Job, after: Job, q: QueryChoices, sourceNames: ReadonlyMap<string, string> = new Map()): boolean {
  const needle = q.search.trim().toLowerCase();
  const was = matchesChoices(before, q, needle);
  if (was !== matchesChoices(after, q, needle)) return false;
  return !was || sortValue(before, q.sort.key, sourceNames) === sortValue(after, q.sort.key, sourceNames);
}

/**
 * Filters and sorts. Missing values go last whatever the direction; ties break on the key. With
 * `limit`, only the first `limit` jobs of that order.
 */
export function selectJobs(jobs: Iterable<Job>, q: QueryChoices, sourceNames: ReadonlyMap<string, string> = new Map(), limit?: number): Job[] {
  return selectRows(jobs, q, sourceNames, limit).jobs;
}

/** selectJobs, and how many jobs the choices show in all (`matching`, however many `limit` keeps). */
function selectRows(jobs: Iterable<Job>, q: QueryChoices, sourceNames: ReadonlyMap<string, string>, limit: number | undefined): { jobs: Job[]; matching: number } {
  const needle = q.search.trim().toLowerCase();
  const matches = needle ? searchMatcher(needle) : null;
  const sources = q.sourceFilter.length ? new Set(q.sourceFilter) : null;
  const printers = q.printerFilter.length ? new Set(q.printerFilter) : null;
  const states = q.stateFilter.length ? new Set(q.stateFilter) : null;
  const rows: SortRow[] = [];
  const timeKey = q.sort.key === 'createdAt' || q.sort.key === 'updatedAt' ? q.sort.key : null;
  for (const job of jobs) {
    if (!inView(job, q.view)) continue;
    if (q.mineOnly && !job.mine) continue;
    if (sources && !sources.has(job.sourceId)) continue;
    if (printers && !printers.has(job.printer ?? '')) continue;
    if (states && !states.has(job.state)) continue;
    if (q.stuckOnly && !job.stuck) continue;
    if (matches && !matches(job)) continue;
    rows.push({ job, v: timeKey ? job[timeKey] : sortValue(job, q.sort.key, sourceNames) });
  }
  // Times sort as their text when all are in the one canonical UTC form (as the app writes them):
  // the same order as the instants, without parsing thousands of dates. Otherwise they are parsed.
  let textTimes = false;
  if (timeKey) {
    textTimes = rows.every((r) => r.v == null || isCanonicalUtc(r.v as string));
    if (!textTimes) for (const r of rows) r.v = r.v == null ? null : Date.parse(r.v as string);
  }
  const sign = q.sort.dir === 'asc' ? 1 : -1;
  let texts: Intl.Collator | null = null;
  const order = (a: SortRow, b: SortRow): number => {
    if (a.v == null || b.v == null) {
      const n = compareNullable(a.v, b.v, () => 0);
      if (n !== 0) return n;
    } else {
      const c =
        typeof a.v === 'number' && typeof b.v === 'number'
          ? a.v - b.v
          : textTimes
            ? a.v < b.v
              ? -1
              : a.v > b.v
                ? 1
                : 0
            : (texts ??= textCollator()).compare(String(a.v), String(b.v));
      if (c !== 0) return c * sign;
    }
    return a.job.key < b.job.key ? -1 : a.job.key > b.job.key ? 1 : 0;
  };
  const count = limit === undefined ? rows.length : Math.min(rows.length, Math.max(0, limit));
  const top = count < rows.length / 4 ? firstInOrder(rows, count, order) : rows.sort(order);
  const out = new Array<Job>(count);
  for (let i = 0; i < count; i++) out[i] = top[i]!.job;
  return { jobs: out, matching: rows.length };
}

type SortRow = { job: Job; v: string | number | null };

/**
 * The first `count` rows in `order`, without sorting them all: each row is compared with the last
 * of the best so far, and only a better one is placed among them (binary search).
 */
function firstInOrder<T>(rows: readonly T[], count: number, order: (a: T, b: T) => number): T[] {
  const best: T[] = [];
  if (count <= 0) return best;
  for (const row of rows) {
    if (best.length === count && order(row, best[count - 1]!) >= 0) continue;
    let lo = 0;
    let hi = best.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (order(row, best[mid]!) < 0) hi = mid;
      else lo = mid + 1;
    }
    best.splice(lo, 0, row);
    if (best.length > count) best.pop();
  }
  return best;
}

/** How many jobs are in each state, and how many are stuck (the window's summary strip). */
export interface StateCounts {
  byState: Partial<Record<JobState, number>>;
  stuck: number;
}

/** StateCounts of `jobs`, in one pass. */
export function countStates(jobs: Iterable<Job>): StateCounts {
  const byState: Partial<Record<JobState, number>> = {};
  let stuck = 0;
  for (const j of jobs) {
    byState[j.state] = (byState[j.state] ?? 0) + 1;
    if (j.stuck) stuck++;
  }
  return { byState, stuck };
}

/**
 * The answer to getSnapshot: the whole queue, or with `first`, only the first `first` jobs of the
 * queue as the window shows it under `choices` (the saved view choices), in that order, with what
 * the window says of the whole queue beside them: how many jobs it holds (`total`), how many the
 * choices show (`shown`), and how many are in each state (`states`).
 */
export function snapshotAnswer<S extends { jobs: Job[]; sources: readonly { id: string; name: string }[] }>(whole: S, choices: QueryChoices, first: number | undefined): S & { total?: number; shown?: number; states?: StateCounts } {
  if (first === undefined) return whole;
  const names = new Map(whole.sources.map((s) => [s.id, s.name]));
  const { jobs, matching } = selectRows(whole.jobs, choices, names, first);
  return { ...whole, jobs, total: whole.jobs.length, shown: matching, states: countStates(whole.jobs) };
}

/** `YYYY-MM-DDTHH:MM:SS.sssZ`, the form of Date.prototype.toISOString for years 0000-9999. */
function isCanonicalUtc(s: string): boolean {
  return s.length === 24 && s.charCodeAt(23) === 90 /* Z */ && s.charCodeAt(10) === 84 /* T */ && s.charCodeAt(4) === 45 && s.charCodeAt(19) === 46;
}

/** Active jobs of one printer (or one source when printer is undefined) that may be canceled. */
export function activeJobsOf(jobs: Iterable<Job>, where: { sourceId: string; printer?: string | null }): Job[] {
  const out: Job[] = [];
  for (const j of jobs) {
    if (j.sourceId !== where.sourceId || isFinal(j)) continue;
    if (where.printer !== undefined && j.printer !== where.printer) continue;
    out.push(j);
  }
  return out;
}
