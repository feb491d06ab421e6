/**
 * The hand-over from ScriptX.Services on this PC to this PC's Windows print queue. A ScriptX job
 * that is "completed" has only been spooled: it now sits in the Windows queue of its printer,
 * where it can still wait, pause, jam or fail. This module links such a job to the spooler job it
 * became, by the rule below, and describes the link as the contract's `Handover`.
 *
 * The rule: a completed ScriptX job is linked to the spooler job
 * - on the same printer, compared as Windows compares printer names (without case, `/` and `\`
 *   alike, surrounding white space ignored; for a connection `\\server\queue` the server may be
 *   named by its short name or its full DNS name);
 * - with the same document name: ScriptX's job title as Win32_PrintJob.Document writes it,
 *   compared without case and with runs of white space as one space;
 * - submitted (TimeSubmitted) from HANDOVER_WINDOW_MS before the ScriptX job was first seen
 *   printing (else before it completed) to HANDOVER_WINDOW_MS after it completed;
 * - when that spooler job is its only candidate and it is the only ScriptX job claiming that
 *   spooler job. Several candidates either way: none is linked ("ambiguous").
 * A link, once made, is kept while both jobs are in the queue; a spooler job is linked to at most
 * one ScriptX job. Pure: time and jobs are given.
 */
import type { Handover, Job } from '../../preload/contract/model';
import { jsonEqual } from '../../preload/contract/json-equal';

/** How far apart the ScriptX job's printing / completion and the spooler's TimeSubmitted may be. */
export const HANDOVER_WINDOW_MS = 60_000;

/** A printer name as Windows compares it; `\\server.domain\queue` as `\\server\queue`. */
export function printerIdentity(name: string): string {
  const n = name.trim().replace(/\//g, '\\').toLowerCase();
  const m = /^\\\\([^\\]+)\\(.+)$/.exec(n);
  if (!m) return n;
  const host = /^\d+(\.\d+){3}$/.test(m[1]) ? m[1] : m[1].split('.')[0];
  return `\\\\${host}\\${m[2].trim()}`;
}

export function samePrinter(a: string | null, b: string | null): boolean {
  return a !== null && b !== null && a.trim() !== '' && printerIdentity(a) === printerIdentity(b);
}

function documentIdentity(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

export function sameDocument(a: string | null, b: string | null): boolean {
  return a !== null && b !== null && a.trim() !== '' && documentIdentity(a) === documentIdentity(b);
}

/** A completed ScriptX job, as the rule sees it. */
export interface HandedJob {
  key: string;
  printer: string | null;
  document: string | null;
  /** When it was seen completed (epoch ms). */
  completedAt: number;
  /** When it was first seen printing (epoch ms), if it was. */
  printingAt: number | null;
}

/** A spooler job, as the rule sees it. */
export interface SpooledJob {
  key: string;
  printer: string | null;
  document: string | null;
  /** TimeSubmitted (epoch ms); a job without it is never linked. */
  submittedAt: number | null;
}

export function withinWindow(handed: HandedJob, spooled: SpooledJob, windowMs = HANDOVER_WINDOW_MS): boolean {
  if (spooled.submittedAt === null) return false;
  const from = Math.min(handed.printingAt ?? handed.completedAt, handed.completedAt) - windowMs;
  return spooled.submittedAt >= from && spooled.submittedAt <= handed.completedAt + windowMs;
}

export function isCandidate(handed: HandedJob, spooled: SpooledJob, windowMs = HANDOVER_WINDOW_MS): boolean {
  return samePrinter(handed.printer, spooled.printer) && sameDocument(handed.document, spooled.document) && withinWindow(handed, spooled, windowMs);
}

export type Match = { status: 'linked'; spooler: string } | { status: 'ambiguous'; candidates: number } | { status: 'none' };

/**
 * Matches completed ScriptX jobs to spooler jobs. `kept`: links made before (ScriptX key ->
 * spooler key), kept when both jobs are still given; their spooler jobs are nobody else's candidates.
 */
export function matchHandovers(handed: readonly HandedJob[], spooled: readonly SpooledJob[], kept: ReadonlyMap<string, string> = new Map(), windowMs = HANDOVER_WINDOW_MS): Map<string, Match> {
  const out = new Map<string, Match>();
  const spooledKeys = new Set(spooled.map((s) => s.key));
  const taken = new Set<string>();
  for (const h of handed) {
    const k = kept.get(h.key);
    if (k !== undefined && spooledKeys.has(k) && !taken.has(k)) {
      out.set(h.key, { status: 'linked', spooler: k });
      taken.add(k);
    }
  }
  const free = spooled.filter((s) => !taken.has(s.key));
  const candidates = new Map<string, SpooledJob[]>();
  const claimants = new Map<string, number>();
  for (const h of handed) {
    if (out.has(h.key)) continue;
    const list = free.filter((s) => isCandidate(h, s, windowMs));
    candidates.set(h.key, list);
    for (const s of list) claimants.set(s.key, (claimants.get(s.key) ?? 0) + 1);
  }
  for (const [key, list] of candidates) {
    if (list.length === 0) out.set(key, { status: 'none' });
    else if (list.length === 1 && claimants.get(list[0].key) === 1) out.set(key, { status: 'linked', spooler: list[0].key });
    else out.set(key, { status: 'ambiguous', candidates: Math.max(list.length, ...list.map((s) => claimants.get(s.key) ?? 0)) });
  }
  return out;
}

/** The spooler job's reason when it is gone from the queue without a final state. */
const LEFT_THE_QUEUE = 'No longer in the Windows queue';

/** The contract's Handover of a ScriptX job, from its match and (linked) the spooler job. */
export function handoverOf(handed: HandedJob, match: Match, spooler: Job | undefined, nowMs: number, windowMs = HANDOVER_WINDOW_MS): Handover {
  const base: Handover = { status: 'waiting', printer: handed.printer ?? '', key: null, state: null, reason: null, pages: null, pagesPrinted: null, candidates: 0 };
  if (match.status === 'linked' && spooler) {
    return {
      ...base,
      status: 'linked',
      printer: spooler.printer ?? base.printer,
      key: spooler.key,
      state: spooler.state,
      reason: spooler.gone && spooler.state !== 'completed' ? LEFT_THE_QUEUE : (spooler.reason ?? null),
      pages: spooler.pages ?? null,
      pagesPrinted: spooler.pagesPrinted ?? null,
    };
  }
  if (match.status === 'ambiguous') return { ...base, status: 'ambiguous', candidates: match.candidates };
  return { ...base, status: nowMs > handed.completedAt + windowMs ? 'unmatched' : 'waiting' };
}

/** The ScriptX job as the rule sees it, its times from its timeline (when the monitor saw them). */
export function handedJobOf(job: Job, timeline: readonly { at: string; state: Job['state'] }[]): HandedJob {
  let printingAt: number | null = null;
  let completedAt: number | null = null;
  for (const t of timeline) {
    const at = Date.parse(t.at);
    if (Number.isNaN(at)) continue;
    if (t.state === 'printing' && printingAt === null) printingAt = at;
    if (t.state === 'completed') completedAt = at;
  }
  completedAt ??= Date.parse(job.updatedAt ?? job.lastSeenAt ?? '') || 0;
  return { key: job.key, printer: job.printer, document: job.document, completedAt, printingAt };
}

export function spooledJobOf(job: Job): SpooledJob {
  const at = job.createdAt === null ? NaN : Date.parse(job.createdAt);
  return { key: job.key, printer: job.printer, document: job.document, submittedAt: Number.isNaN(at) ? null : at };
}

/** A change of the link fields of one job. */
export interface LinkUpdate {
  key: string;
  changes: Pick<Partial<Job>, 'handover' | 'handedOverBy'>;
}

export interface LinkInput {
  nowMs: number;
  /** The jobs of the ScriptX sources on this PC (any state). */
  scriptx: Iterable<Job>;
  timelineOf(key: string): readonly { at: string; state: Job['state'] }[];
  /** The jobs of the Windows spooler sources (any state). */
  spooler: readonly Job[];
  /** The printers the spooler sources watch. */
  printers: readonly string[];
}

/** Keeps the links between runs (sticky), and says which jobs' link fields change. */
export class HandoverLinker {
  private links = new Map<string, string>();

  get size(): number {
    return this.links.size;
  }

  run(input: LinkInput): LinkUpdate[] {
    const spoolerByKey = new Map(input.spooler.map((j) => [j.key, j]));
    const watched = (printer: string | null) => input.printers.some((p) => samePrinter(printer, p)) || input.spooler.some((s) => samePrinter(printer, s.printer));
    const updates: LinkUpdate[] = [];
    const next = new Map<string, string>();
    const handed: { job: Job; h: HandedJob }[] = [];
    for (const job of input.scriptx) {
      // Printed to a file, it never reached a print queue.
      const considered = job.state === 'completed' && !job.gone && job.extra.toFile !== true && watched(job.printer);
      if (!considered) {
        if (job.handover != null) updates.push({ key: job.key, changes: { handover: null } });
        continue;
      }
      const was = job.handover;
      // Linked to a spooler job that has left the monitor's queue: its last word stands.
      if (was?.status === 'linked' && was.key !== null && !spoolerByKey.has(was.key)) continue;
      handed.push({ job, h: handedJobOf(job, input.timelineOf(job.key)) });
    }
    const matches = matchHandovers(
      handed.map((x) => x.h),
      input.spooler.map(spooledJobOf),
      this.links,
    );
    for (const { job, h } of handed) {
      const m = matches.get(h.key) ?? { status: 'none' as const };
      if (m.status === 'linked') next.set(h.key, m.spooler);
      const value = handoverOf(h, m, m.status === 'linked' ? spoolerByKey.get(m.spooler) : undefined, input.nowMs);
      if (!jsonEqual(job.handover, value)) updates.push({ key: job.key, changes: { handover: value } });
    }
    const by = new Map([...next].map(([sx, sp]) => [sp, sx]));
    for (const s of input.spooler) {
      const want = by.get(s.key) ?? null;
      if ((s.handedOverBy ?? null) !== want) updates.push({ key: s.key, changes: { handedOverBy: want } });
    }
    this.links = next;
    return updates;
  }
}
