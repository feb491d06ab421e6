/**
 * What the History view draws, computed from the stored history in one pass: jobs per hour or per
 * day stacked by outcome, failures by printer and by reason, and time to print (submitted ->
 * completed) p50/p95 per printer. Pure: the view memoises it and recomputes only when the entries,
 * the range, the bucket size or the source/printer filters change.
 */
import type { HistoryEntry, Job } from '../../../preload/contract/model';
import { canonicalTime } from './times';

export const OUTCOMES = ['completed', 'failed', 'canceled', 'other'] as const;
/** How a finished job ended; `other`: found gone, or ended in a state the service did not name. */
export type Outcome = (typeof OUTCOMES)[number];

export const RANGES = { '24h': 24 * 3600_000, '7d': 7 * 24 * 3600_000, '30d': 30 * 24 * 3600_000 } as const;
export type HistoryRange = keyof typeof RANGES;
export type BucketSize = 'hour' | 'day';

/** The queue's source and printer filters (empty: everything). */
export interface HistoryFilter {
  sources: readonly string[];
  printers: readonly string[];
}

export interface OutcomeCounts {
  completed: number;
  failed: number;
  canceled: number;
  other: number;
}

export interface Bucket {
  /** Local start of the hour or day, and the start of the next one (ms since the epoch). */
  start: number;
  end: number;
  counts: OutcomeCounts;
}

export interface PrinterCount {
  /** `<sourceId>\u0000<printer>`: what a click on the bar picks. */
  id: string;
  sourceId: string;
  printer: string | null;
  count: number;
}

export interface ReasonCount {
  reason: string | null;
  count: number;
}

export interface TimeToPrint {
  id: string;
  sourceId: string;
  printer: string | null;
  /** Completed jobs with a known submission time. */
  count: number;
  p50Ms: number;
  p95Ms: number;
}

export interface HistoryStats {
  from: number;
  to: number;
  bucket: BucketSize;
  buckets: Bucket[];
  totals: OutcomeCounts;
  /** Most first; ties by printer name. */
  failuresByPrinter: PrinterCount[];
  failuresByReason: ReasonCount[];
  /** Slowest p95 first. */
  timeToPrint: TimeToPrint[];
  /** The entries in range that pass the filters, newest first (as stored). */
  entries: HistoryEntry[];
}

/** What a click on a chart picks: the list below the charts shows those jobs. */
export type HistoryPick =
  | { kind: 'bucket'; start: number; end: number; outcome?: Outcome }
  | { kind: 'failed-printer'; id: string }
  | { kind: 'failed-reason'; reason: string | null }
  | { kind: 'printer-completed'; id: string };

export function outcomeOf(job: Pick<Job, 'state'>): Outcome {
  return job.state === 'completed' || job.state === 'failed' || job.state === 'canceled' ? job.state : 'other';
}

/** Why a failed job failed, in the service's plain words; null when it gave none. */
export function failureReason(job: Pick<Job, 'reason' | 'detail'>): string | null {
  return job.reason?.trim() || job.detail?.trim() || null;
}

export function printerId(job: Pick<Job, 'sourceId' | 'printer'>): string {
  return `${job.sourceId}\u0000${job.printer ?? ''}`;
}

/** A stored time in ms: the app's own form read by hand (twice as fast as Date.parse), any other by Date.parse. */
function timeOf(iso: string): number {
  return canonicalTime(iso) ?? Date.parse(iso);
}

/** The local start of the hour or day holding `ms`. */
export function bucketStart(ms: number, size: BucketSize): number {
  const d = new Date(ms);
  // An hour is counted back from the instant itself: setMinutes(0) on the hour a clock change
  // repeats would land on its first pass, an hour early.
  if (size === 'hour') return ms - ((d.getMinutes() * 60 + d.getSeconds()) * 1000 + d.getMilliseconds());
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

function nextBucket(start: number, size: BucketSize): number {
  const d = new Date(start);
  if (size === 'hour') {
    // An hour bar is never longer than an hour: when the clocks go back, the hour they repeat is a
    // bar of its own (setHours would step over it and the bar before would count both).
    d.setHours(d.getHours() + 1);
    return d.getTime() > start && d.getTime() < start + 3600_000 ? d.getTime() : start + 3600_000;
  }
  // The local midnight of the next date, from the date and not from the instant: where the clocks
  // go forward at midnight (America/Santiago, Asia/Beirut) that day starts at 01:00, and a day
  // counted on from its start would make every later day start at 01:00 too.
  const next = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
  // A day that does not move (a clock change folding it) still advances.
  return next > start ? next : start + 3600_000;
}

/** The index of the last start at or before `at` (starts ascending); -1 when before the first. */
function bucketIndex(starts: readonly number[], at: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]! <= at) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Nearest-rank percentile of ascending values (p in 0..100); NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

const zero = (): OutcomeCounts => ({ completed: 0, failed: 0, canceled: 0, other: 0 });

export function passes(job: Pick<Job, 'sourceId' | 'printer'>, filter: HistoryFilter): boolean {
  if (filter.sources.length && !filter.sources.includes(job.sourceId)) return false;
  if (filter.printers.length && !filter.printers.includes(job.printer ?? '')) return false;
  return true;
}

/**
 * Where a period drawn in bars of `bucket` starts: the start of the bar holding `now - range` (the
 * local midnight, or the hour). The first bar is a whole day or hour like the others, so its count
 * is that date's (or hour's) count in an export, and the view asks for the history from there.
 */
export function periodStart(now: number, range: HistoryRange, bucket: BucketSize): number {
  return bucketStart(now - RANGES[range], bucket);
}

/** The charts' numbers from the start of the period's first bar (periodStart) to `now`, in one pass over the entries. */
export function aggregateHistory(entries: readonly HistoryEntry[], opts: { now: number; range: HistoryRange; bucket: BucketSize; filter: HistoryFilter }): HistoryStats {
  const to = opts.now;
  const from = periodStart(to, opts.range, opts.bucket);
  const buckets: Bucket[] = [];
  for (let s = from; s <= to; s = nextBucket(s, opts.bucket)) buckets.push({ start: s, end: nextBucket(s, opts.bucket), counts: zero() });
  const starts = buckets.map((b) => b.start);
  const totals = zero();
  const byPrinter = new Map<string, PrinterCount>();
  const byReason = new Map<string | null, ReasonCount>();
  const durations = new Map<string, { sourceId: string; printer: string | null; ms: number[] }>();
  const kept: HistoryEntry[] = [];
  for (const e of entries) {
    const at = timeOf(e.finishedAt);
    if (!(at >= from && at <= to) || !passes(e.job, opts.filter)) continue;
    kept.push(e);
    const outcome = outcomeOf(e.job);
    totals[outcome]++;
    const b = bucketIndex(starts, at);
    if (b >= 0) buckets[b]!.counts[outcome]++;
    const id = printerId(e.job);
    if (outcome === 'failed') {
      const p = byPrinter.get(id) ?? { id, sourceId: e.job.sourceId, printer: e.job.printer, count: 0 };
      p.count++;
      byPrinter.set(id, p);
      const reason = failureReason(e.job);
      const r = byReason.get(reason) ?? { reason, count: 0 };
      r.count++;
      byReason.set(reason, r);
    } else if (outcome === 'completed') {
      const submitted = timeOf(e.job.createdAt ?? '');
      if (Number.isFinite(submitted) && at >= submitted) {
        const d = durations.get(id) ?? { sourceId: e.job.sourceId, printer: e.job.printer, ms: [] };
        d.ms.push(at - submitted);
        durations.set(id, d);
      }
    }
  }
  const byCount = <T extends { count: number }>(name: (x: T) => string) => (a: T, b: T) => b.count - a.count || name(a).localeCompare(name(b));
  const timeToPrint = [...durations.entries()].map(([id, d]) => {
    const ms = d.ms.sort((a, b) => a - b);
    return { id, sourceId: d.sourceId, printer: d.printer, count: ms.length, p50Ms: percentile(ms, 50), p95Ms: percentile(ms, 95) };
  });
  return {
    from,
    to,
    bucket: opts.bucket,
    buckets,
    totals,
    failuresByPrinter: [...byPrinter.values()].sort(byCount((p) => p.printer ?? '')),
    failuresByReason: [...byReason.values()].sort(byCount((r) => r.reason ?? '')),
    timeToPrint: timeToPrint.sort((a, b) => b.p95Ms - a.p95Ms || (a.printer ?? '').localeCompare(b.printer ?? '')),
    entries: kept,
  };
}

/** The entries a click picked (newest first). */
export function pickEntries(stats: HistoryStats, pick: HistoryPick): HistoryEntry[] {
  return stats.entries.filter((e) => {
    switch (pick.kind) {
      case 'bucket': {
        const at = timeOf(e.finishedAt);
        return at >= pick.start && at < pick.end && (!pick.outcome || outcomeOf(e.job) === pick.outcome);
      }
      case 'failed-printer':
        return outcomeOf(e.job) === 'failed' && printerId(e.job) === pick.id;
      case 'failed-reason':
        return outcomeOf(e.job) === 'failed' && failureReason(e.job) === pick.reason;
      case 'printer-completed':
        return outcomeOf(e.job) === 'completed' && printerId(e.job) === pick.id;
    }
  });
}
