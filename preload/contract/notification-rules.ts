/**
 * Which notifications to show, decided from the queue's events and the notification settings:
 * switchable per event and per source, own jobs only by default, at most one per job transition,
 * coalesced when many arrive together ("12 jobs completed"), silent in do-not-disturb. The same
 * rules drive the desktop notifications (main/notifications.ts shows what they deliver) and the
 * window's notices of your jobs (renderer/src/state/job-notices.ts, from the patches it receives),
 * so both tell of the same jobs under the same settings.
 */
import { jobName } from './job-states';
import type { Handover, Job, JobPatch, JobState, NotificationEvent, NotificationSettings, SourceHealth } from './model';
import { parseJobKey } from './keys';

/** The queue's events the rules read (the engine's EngineEvent has these and others, which are ignored). */
export type RuleEvent =
  | { type: 'transition'; job: Job; from: JobState | null; to: JobState }
  | { type: 'stuck'; job: Job }
  | { type: 'health'; source: SourceHealth }
  | { type: 'patches'; patches: JobPatch[] }
  | { type: 'finished' | 'printers' };

/** The clock the rules coalesce on (main/ports' Clock, or the window's timers). */
export interface RulesClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The notifications about one job, which the window also shows as notices while it has the focus. */
export const JOB_EVENTS: readonly NotificationEvent[] = ['completed', 'failed', 'canceledByOther', 'stuck'];

/**
 * Whether the desktop shows this notification: a notification about jobs is left to the window
 * while the window has the focus (it shows the same one in its notices); everything else, and
 * everything while the window is hidden or in the background, goes to the desktop.
 */
export function desktopShows(spec: Pick<NotificationSpec, 'event'>, windowFocused: boolean): boolean {
  return !(windowFocused && JOB_EVENTS.includes(spec.event));
}

export interface NotificationSpec {
  event: NotificationEvent;
  title: string;
  body: string;
  /** Clicking opens the window on this job; absent: just the window. */
  key?: string;
  sourceId?: string;
  /** How many notifications this one stands for (coalesced). */
  count: number;
}

export interface NotificationRulesOptions {
  clock: RulesClock;
  settings(): NotificationSettings;
  deliver(spec: NotificationSpec): void;
  /** Notifications arriving within this window are shown together. */
  coalesceMs?: number;
  /** How long a cancel made in this app is remembered (so it is not reported as someone else's). */
  ownActionMemoryMs?: number;
  /** The name a source is shown by (a job without a printer is said to be on it); else the names its health events gave. */
  sourceName?: (sourceId: string) => string | undefined;
}

export interface NotificationRules {
  handle(event: RuleEvent): void;
  /** A cancel or abort the user made in this app (window, tray): its result is not a surprise. */
  noteOwnAction(key: string): void;
  /** Delivers what is pending now (on quit). */
  flush(): void;
  dispose(): void;
}

/** What a stuck job is still doing, in words. */
const STILL: Partial<Record<Job['state'], string>> = { queued: 'waiting in the queue', processing: 'being prepared', printing: 'printing', paused: 'paused', unknown: 'in an unknown state' };

export const DEFAULT_COALESCE_MS = 2000;
/** Days before a license expiry at which to warn, once each. */
export const LICENSE_WARN_DAYS = [30, 14, 7, 3, 1, 0] as const;
const MEMORY_MAX = 5000;

const SUMMARY: Record<NotificationEvent, (n: number) => string> = {
  completed: (n) => `${n} jobs completed`,
  failed: (n) => `${n} jobs failed`,
  canceledByOther: (n) => `${n} jobs were canceled outside this app`,
  stuck: (n) => `${n} jobs are stuck`,
  sourceProblem: (n) => `${n} sources need attention`,
  licenseExpiring: (n) => `${n} licenses expire soon`,
};

function docName(job: Job): string {
  const name = jobName(job);
  return name.length > 80 ? `${name.slice(0, 79)}…` : name;
}

/** Reads the days left on a license from a source's health detail (ScriptX reports it). */
export function licenseDaysLeft(health: SourceHealth): number | null {
  const d = health.detail;
  if (!d) return null;
  const direct = d.licenseExpiresInDays;
  if (typeof direct === 'number' && Number.isFinite(direct)) return direct;
  const lic = d.license;
  if (lic && typeof lic === 'object' && typeof (lic as { expiresInDays?: unknown }).expiresInDays === 'number') {
    return (lic as { expiresInDays: number }).expiresInDays;
  }
  return null;
}

export function createNotificationRules(opts: NotificationRulesOptions): NotificationRules {
  const coalesceMs = opts.coalesceMs ?? DEFAULT_COALESCE_MS;
  const ownMemoryMs = opts.ownActionMemoryMs ?? 10 * 60_000;
  const delivered = new Set<string>();
  const ownActions = new Map<string, number>();
  const lastStatus = new Map<string, SourceHealth['status']>();
  const licenseWarned = new Map<string, number>();
  /** Source names as their health events gave them. */
  const names = new Map<string, string>();
  /** Where a job is, in words: its printer, else its source by name (never its id). */
  const where = (job: Job): string => job.printer ?? opts.sourceName?.(job.sourceId) ?? names.get(job.sourceId) ?? 'its print service';
  let pending: NotificationSpec[] = [];
  let timer: unknown = null;

  const remember = (id: string): boolean => {
    if (delivered.has(id)) return false;
    delivered.add(id);
    if (delivered.size > MEMORY_MAX) delivered.delete(delivered.values().next().value as string);
    return true;
  };

  function allowed(event: NotificationEvent, sourceId: string, job?: Job): boolean {
    const s = opts.settings();
    if (!s.enabled || s.doNotDisturb) return false;
    if (!s.events[event]) return false;
    if (s.sources[sourceId] === false) return false;
    if (job && s.ownJobsOnly && !job.mine) return false;
    return true;
  }

  function queue(spec: NotificationSpec, dedupeId: string): void {
    if (!allowed(spec.event, spec.sourceId ?? '', undefined)) return;
    if (!remember(dedupeId)) return;
    pending.push(spec);
    if (timer === null) timer = opts.clock.setTimeout(flush, coalesceMs);
  }

  function flush(): void {
    if (timer !== null) opts.clock.clearTimeout(timer);
    timer = null;
    const batch = pending;
    pending = [];
    const groups = new Map<NotificationEvent, NotificationSpec[]>();
    for (const spec of batch) {
      const g = groups.get(spec.event) ?? [];
      g.push(spec);
      groups.set(spec.event, g);
    }
    for (const [event, specs] of groups) {
      if (specs.length === 1) {
        opts.deliver(specs[0]);
        continue;
      }
      const names = specs.map((s) => s.title.replace(/^[^:]*:\s*/, '')).slice(0, 3);
      const more = specs.length > 3 ? `, and ${specs.length - 3} more` : '';
      const sources = new Set(specs.map((s) => s.sourceId));
      const out: NotificationSpec = { event, title: SUMMARY[event](specs.length), body: `${names.join(', ')}${more}`, count: specs.length };
      if (sources.size === 1 && specs[0].sourceId !== undefined) out.sourceId = specs[0].sourceId;
      opts.deliver(out);
    }
  }

  /**
   * ScriptX jobs whose "completed" was only the hand-over to this PC's Windows queue: the outcome
   * is told when the spooler job it was linked to ends or stops, or when no job could be linked.
   */
  const handedOver = new Map<string, Job>();

  /** A spooler job linked to a ScriptX job speaks for it: that source's settings, the user's job. */
  function asTold(job: Job): Job {
    const by = job.handedOverBy ? parseJobKey(job.handedOverBy) : null;
    return by ? { ...job, sourceId: by.sourceId, mine: true } : job;
  }

  function handoverSpec(job: Job, from: Job['state'], to: Job['state']): NotificationSpec | null | undefined {
    const h = job.handover;
    if (to === 'completed' && h) {
      if (h.status === 'linked') return null;
      if (h.status !== 'waiting') return sentSpec(job, h);
      handedOver.set(job.key, job);
      if (handedOver.size > MEMORY_MAX) handedOver.delete(handedOver.keys().next().value as string);
      return null;
    }
    if (!job.handedOverBy) return undefined;
    const printer = where(job);
    if (to === 'completed') return { event: 'completed', title: `Printed: ${docName(job)}`, body: `Printed on ${printer}.`, count: 1 };
    // Stopped in the queue by the printer (out of paper, offline...), not paused by someone.
    if (to === 'paused' && job.reason && job.reason !== 'Paused' && from !== 'paused') {
      return { event: 'stuck', title: `Stuck: ${docName(job)}`, body: `Waiting in the Windows queue of ${printer}: ${job.reason}.`, count: 1 };
    }
    return undefined;
  }

  /** A hand-over waited for: linked (the spooler job tells the outcome), or said once as sent to the printer. */
  function onHandoverPatches(patches: JobPatch[]): void {
    if (handedOver.size === 0) return;
    for (const p of patches) {
      if (p.type !== 'changed' || !p.changes.handover) continue;
      const job = handedOver.get(p.key);
      if (!job) continue;
      const h = p.changes.handover;
      if (h.status === 'waiting') continue;
      handedOver.delete(p.key);
      if (h.status === 'linked' || !allowed('completed', job.sourceId, job)) continue;
      queue({ ...sentSpec(job, h), key: job.key, sourceId: job.sourceId }, `${job.key}|completed`);
    }
  }

  /** A hand-over whose spooler job cannot be told: said as sent to the printer. */
  function sentSpec(job: Job, h: Handover): NotificationSpec {
    const body =
      h.status === 'ambiguous'
        ? `ScriptX handed it to ${h.printer}, where ${h.candidates} jobs of that name are in the Windows queue; which one is it cannot be told.`
        : `ScriptX handed it to ${h.printer}; no job of that name appeared in the Windows queue there, so whether it printed is not known.`;
    return { event: 'completed', title: `Sent to the printer: ${docName(job)}`, body, count: 1 };
  }

  /** What a job's transition says in general (a hand-over aside). */
  function transitionSpec(job: Job, to: Job['state']): NotificationSpec | null {
    if (to === 'completed') return { event: 'completed', title: `Printed: ${docName(job)}`, body: `Completed on ${where(job)}.`, count: 1 };
    if (to === 'failed') return { event: 'failed', title: `Print failed: ${docName(job)}`, body: job.detail ?? `The job failed on ${where(job)} (${job.rawState}).`, count: 1 };
    if (to !== 'canceled') return null;
    const at = ownActions.get(job.key);
    if (at !== undefined && opts.clock.now() - at <= ownMemoryMs) return null;
    return { event: 'canceledByOther', title: `Canceled: ${docName(job)}`, body: job.detail ?? `The job on ${where(job)} was canceled outside this app.`, count: 1 };
  }

  function onTransition(reported: Job, from: Job['state'] | null, to: Job['state']): void {
    // The first sighting of a job (startup, a new listing) is not news.
    if (from === null || from === to) return;
    const handover = handoverSpec(reported, from, to);
    if (handover === null) return;
    const job = asTold(reported);
    const spec = handover ?? transitionSpec(job, to);
    if (!spec || !allowed(spec.event, job.sourceId, job)) return;
    spec.key = job.key;
    spec.sourceId = job.sourceId;
    queue(spec, spec.event === 'stuck' ? `${job.key}|stuck|${job.reason ?? ''}` : `${job.key}|${spec.event}`);
  }

  function onStuck(reported: Job): void {
    const job = asTold(reported);
    if (!allowed('stuck', job.sourceId, job)) return;
    queue(
      {
        event: 'stuck',
        title: `Stuck: ${docName(job)}`,
        // The service's own code ("3 pending (none)") is for the details panel, not a notification.
        body: job.detail ? `No progress on ${where(job)}: ${job.detail}` : `No progress on ${where(job)} for a while; it is still ${STILL[job.state] ?? 'waiting'}.`,
        key: job.key,
        sourceId: job.sourceId,
        count: 1,
      },
      // A job may get stuck again after it moved on; the same stall is reported once.
      `${job.key}|stuck|${job.updatedAt ?? ''}`,
    );
  }

  function onHealth(h: SourceHealth): void {
    names.set(h.id, h.name);
    const before = lastStatus.get(h.id);
    lastStatus.set(h.id, h.status);
    if (h.status !== before && (h.status === 'down' || h.status === 'auth-required')) {
      queue(
        {
          event: 'sourceProblem',
          title: h.status === 'down' ? `${h.name} is unreachable` : `${h.name} needs sign-in`,
          body: h.message,
          sourceId: h.id,
          count: 1,
        },
        `${h.id}|health|${h.status}|${opts.clock.now()}`,
      );
    }
    const days = licenseDaysLeft(h);
    if (days !== null && days <= LICENSE_WARN_DAYS[0]) {
      const threshold = LICENSE_WARN_DAYS.filter((t) => days <= t).at(-1)!;
      const warned = licenseWarned.get(h.id);
      if (warned === undefined || threshold < warned) {
        licenseWarned.set(h.id, threshold);
        queue(
          {
            event: 'licenseExpiring',
            title: days < 0 ? `The ${h.name} license has expired` : days === 0 ? `The ${h.name} license expires today` : `The ${h.name} license expires in ${days} day${days === 1 ? '' : 's'}`,
            body: 'Printing through this service stops when the license expires. Renew it in Service settings.',
            sourceId: h.id,
            count: 1,
          },
          `${h.id}|license|${threshold}`,
        );
      }
    }
  }

  return {
    handle(event) {
      if (event.type === 'transition') onTransition(event.job, event.from, event.to);
      else if (event.type === 'patches') onHandoverPatches(event.patches);
      else if (event.type === 'stuck') onStuck(event.job);
      else if (event.type === 'health') onHealth(event.source);
    },
    noteOwnAction(key) {
      const now = opts.clock.now();
      ownActions.set(key, now);
      for (const [k, at] of ownActions) if (now - at > ownMemoryMs) ownActions.delete(k);
    },
    flush,
    dispose() {
      if (timer !== null) opts.clock.clearTimeout(timer);
      timer = null;
      pending = [];
    },
  };
}
