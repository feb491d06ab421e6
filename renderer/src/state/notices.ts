/**
 * The window's notices: the outcome of every action and what main has to say. Identical notices
 * coalesce into one, counted; information and warnings close by themselves unless the notice area
 * is hovered or focused, errors stay.
 */
import { signal } from '@preact/signals';

export interface Notice {
  id: number;
  level: 'info' | 'warning' | 'error';
  message: string;
  /** One line per job, shown under "Details" (a bulk action's outcome per document). */
  details?: string[];
  /** How many identical notices arrived (they coalesce into one). */
  count: number;
  /** What the user can do about it (a notice of a job: Details, Print again, the printer's jobs). */
  actions?: NoticeAction[];
}
export interface NoticeAction {
  label: string;
  run: () => void;
}

/** Info and warning notices close by themselves after this long, unless hovered or focused; errors stay. */
export const NOTICE_CLOSE_MS: Readonly<Record<Notice['level'], number | null>> = { info: 8000, warning: 15000, error: null };
/** At most this many notices are shown at once; the rest are counted ("and N more"). */
export const MAX_VISIBLE_NOTICES = 3;
/** Notices kept (the oldest go first). */
const MAX_NOTICES = 20;

export type Notify = (level: Notice['level'], message: string, details?: string[], actions?: NoticeAction[]) => void;

export function createNotices() {
  const notices = signal<Notice[]>([]);
  let noticeId = 0;
  const noticeTimers = new Map<number, ReturnType<typeof setTimeout>>();
  /** The notice area is hovered or holds the focus: nothing closes by itself meanwhile. */
  let noticesHeld = false;

  function scheduleClose(n: Notice): void {
    const ms = NOTICE_CLOSE_MS[n.level];
    if (ms === null) return;
    clearTimeout(noticeTimers.get(n.id));
    noticeTimers.set(
      n.id,
      setTimeout(() => {
        noticeTimers.delete(n.id);
        // Held: closed after a full period once the pointer or focus leaves.
        if (!noticesHeld) dismissNotice(n.id);
      }, ms),
    );
  }
  const notify: Notify = (level, message, details, actions) => {
    const same = notices.value.find((n) => n.level === level && n.message === message && (n.details ?? []).join('\n') === (details ?? []).join('\n'));
    if (same) {
      // Identical notices coalesce: one entry, counted, its close timer restarted.
      const bumped = { ...same, count: same.count + 1 };
      notices.value = [...notices.value.filter((n) => n !== same), bumped];
      scheduleClose(bumped);
      return;
    }
    const n: Notice = { id: ++noticeId, level, message, count: 1 };
    if (details?.length) n.details = details;
    if (actions?.length) n.actions = actions;
    const kept = notices.value.slice(-(MAX_NOTICES - 1));
    for (const old of notices.value) if (!kept.includes(old)) clearTimeout(noticeTimers.get(old.id));
    notices.value = [...kept, n];
    scheduleClose(n);
  };
  function dismissNotice(id: number): void {
    clearTimeout(noticeTimers.get(id));
    noticeTimers.delete(id);
    notices.value = notices.value.filter((n) => n.id !== id);
  }
  function dismissAllNotices(): void {
    for (const n of notices.value) clearTimeout(noticeTimers.get(n.id));
    noticeTimers.clear();
    notices.value = [];
  }
  function holdNotices(held: boolean): void {
    noticesHeld = held;
    if (!held) for (const n of notices.value) if (!noticeTimers.has(n.id)) scheduleClose(n);
  }

  return { notices, notify, dismissNotice, dismissAllNotices, holdNotices };
}

export type Notices = ReturnType<typeof createNotices>;
