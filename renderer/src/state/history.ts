/**
 * The History view's state, beside the queue's store (one per store): whether the view is open,
 * the stored history it shows (queryHistory), the range and bucket size, which bar was clicked,
 * and whether the charts are shown as tables. The charts' numbers are computed once per change of
 * the entries, range, bucket or the queue's source/printer filters, never on other changes.
 */
import { batch, computed, signal } from '@preact/signals';
import type { AppError, HistoryEntry } from '../../../preload/contract/model';
import { aggregateHistory, periodStart, pickEntries, type BucketSize, type HistoryPick, type HistoryRange } from '../history/aggregate';
import type { Store } from './store';

function createHistoryState(store: Store) {
  const open = signal(false);
  const range = signal<HistoryRange>('7d');
  /** The period the entries read cover (the charts show it until the next period is read). */
  const readRange = signal<HistoryRange>('7d');
  const bucket = signal<BucketSize>('hour');
  const entries = signal<HistoryEntry[]>([]);
  /** When the entries were read: the charts end there. */
  const readAt = signal(Date.now());
  /** The start of the period the entries were read from (ms): the start of its first bar. */
  let readSince = Infinity;
  const status = signal<'idle' | 'loading' | 'ready' | 'error'>('idle');
  const error = signal<AppError | null>(null);
  const pick = signal<HistoryPick | null>(null);
  const tables = signal(false);
  const readOnce = signal(false);

  // Only the two filters the charts use: other view choices (search, sort) do not recompute them.
  const sourceKey = computed(() => store.ui.value.sourceFilter.join('\n'));
  const printerKey = computed(() => store.ui.value.printerFilter.join('\n'));
  const stats = computed(() => {
    const sources = sourceKey.value;
    const printers = printerKey.value;
    return aggregateHistory(entries.value, {
      now: readAt.value,
      range: readRange.value,
      bucket: bucket.value,
      filter: { sources: sources ? sources.split('\n') : [], printers: printers ? printers.split('\n') : [] },
    });
  });
  /** Whether there is a period read to draw: after the first answer, until a read fails. */
  const shown = computed(() => status.value === 'ready' || (status.value === 'loading' && readOnce.value));
  const picked = computed(() => (pick.value ? pickEntries(stats.value, pick.value) : stats.value.entries));

  let asked = 0;
  /**
   * Whether a bar size was chosen since the period was: the period's usual size (hours for 24
   * hours, days for 30 days) is then not applied, and a read's answer never undoes the choice.
   */
  let bucketChosen = false;
  /** Reads the stored history of the chosen range (the newest read wins). */
  async function load(): Promise<void> {
    const id = ++asked;
    status.value = 'loading';
    const now = Date.now();
    const period = range.value;
    // 30 days of hours is 720 bars: days read better; a day is one bar.
    const size: BucketSize = period === readRange.value || bucketChosen ? bucket.value : period === '30d' ? 'day' : period === '24h' ? 'hour' : bucket.value;
    // From the start of the first bar (a whole day or hour), as the charts count it.
    const since = periodStart(now, period, size);
    // Without timelines: the view never shows them, and they are most of each entry's size.
    const r = await store.queryHistory({ since: new Date(since).toISOString(), timelines: false });
    if (id !== asked) return;
    batch(() => {
      if (r.ok) {
        readAt.value = now;
        readSince = since;
        if (period !== readRange.value) {
          if (!bucketChosen) bucket.value = size;
          readRange.value = period;
          pick.value = null;
        }
        entries.value = r.value;
        readOnce.value = true;
        error.value = null;
        status.value = 'ready';
      } else {
        error.value = r.error;
        status.value = 'error';
      }
    });
    // A size chosen while the read was on its way can start the period earlier than what was read
    // (days at midnight, before the hour 24 hours of hours start at): the hours between are read.
    if (r.ok && periodStart(now, period, bucket.value) < since) void load();
  }

  function setOpen(next: boolean): void {
    open.value = next;
    if (next) void load();
  }

  function setRange(next: HistoryRange): void {
    range.value = next;
    bucketChosen = false;
    void load();
  }

  function setBucket(next: BucketSize): void {
    bucketChosen = true;
    batch(() => {
      bucket.value = next;
      pick.value = null;
    });
    // Days start at midnight, before the hour the period of hours starts at: the hours between are read.
    if (periodStart(readAt.value, readRange.value, next) < readSince) void load();
  }

  return { open, range, bucket, entries, status, error, pick, tables, stats, picked, shown, load, setOpen, setRange, setBucket };
}

export type HistoryState = ReturnType<typeof createHistoryState>;

const states = new WeakMap<Store, HistoryState>();

/** The History view's state of this window's store. */
export function historyOf(store: Store): HistoryState {
  let s = states.get(store);
  if (!s) states.set(store, (s = createHistoryState(store)));
  return s;
}
