/**
 * Finished jobs (history.json next to the settings file), shared by the app and the CLI.
 *
 * - record() is cheap: entries are buffered and written after a short debounce.
 * - Every write is a read-merge-write under the cross-process lock, written atomically: two
 *   processes recording at once lose nothing, and a process killed mid-write leaves the previous
 *   complete file.
 * - Retention: entries older than retentionDays, and beyond the newest maxJobs, are dropped.
 * - A damaged file is moved aside (history.json.corrupt-<timestamp>) and logged, never dropped; the
 *   entries it still holds are kept (one damaged entry, or a file cut short, loses only those).
 */
import { z } from 'zod';
import { HistorySettings, type HistoryEntry } from '../../preload/contract/model';
import { csvLocalTime, csvUtcOffset, toCsv } from '../../preload/contract/csv';
import { FINAL_STATES } from '../../preload/contract/job-states';
import { systemClock, type Clock, type Logger } from '../ports/ports';
import { copyAside, readTextIfExists, removeLeftoverTempFiles, statIfExists, writeFileAtomic, writeFileAtomicSync } from './atomic-file';
import { readFileSync } from 'node:fs';
import { createMutex, withFileLock } from './lock';

export const HISTORY_FILE_NAME = 'history.json';
const DAY_MS = 86_400_000;

/** Loose on purpose: an entry written by a newer version keeps its extra fields. */
const StoredEntry = z.looseObject({
  finishedAt: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'finishedAt must be a date'),
  job: z.looseObject({ key: z.string().min(1) }),
  timeline: z.array(z.unknown()),
});
const HistoryFile = z.looseObject({ version: z.number().int(), entries: z.array(z.unknown()) });

export interface HistoryStore {
  /** Buffers a finished job; written after the debounce (or at flush/close). */
  record(entry: HistoryEntry): void;
  /** Writes buffered entries now. */
  flush(): Promise<void>;
  /**
   * Writes buffered entries before returning, merged with the file as it is now (for the end of a
   * Windows session, when the process may be ended as soon as the handler returns).
   */
  flushSync(): void;
  /** Newest first. `since`: ISO date/time; entries finished at or after it. */
  query(opts?: { since?: string; limit?: number }): Promise<HistoryEntry[]>;
  clear(): Promise<void>;
  exportCsv(opts?: { since?: string }): Promise<string>;
  exportJson(opts?: { since?: string }): Promise<string>;
  setRetention(retention: Partial<HistorySettings>): void;
  /** Flushes and stops the debounce timer. */
  close(): Promise<void>;
}

export interface HistoryStoreOptions {
  clock?: Clock;
  logger?: Logger;
  retention?: Partial<HistorySettings>;
  /** Wait after a record() before writing (default 1500 ms). */
  debounceMs?: number;
}

function identity(e: { job: { key: string } }): string {
  return e.job.key;
}

/**
 * Whether an entry knows how its job ended (completed, failed, canceled), rather than only that
 * the service stopped reporting it. Two processes watching one job (the app and `pqm`) can each
 * record it: ScriptX.Services answers a job's final status once, so the second sees it gone.
 */
const knowsOutcome = (e: HistoryEntry): boolean => FINAL_STATES.has(e.job.state);

/**
 * Merges entries by job key, applies retention, newest first. Of two entries of one job, one that
 * knows how the job ended wins over one that saw it gone; otherwise the later finishedAt wins.
 */
export function mergeHistory(lists: HistoryEntry[][], retention: HistorySettings, nowMs: number): HistoryEntry[] {
  // Each finishedAt is parsed once (a 5,000-entry file is merged on every write).
  const byKey = new Map<string, { e: HistoryEntry; t: number; known: boolean }>();
  for (const list of lists) {
    for (const e of list) {
      const t = Date.parse(e.finishedAt);
      const known = knowsOutcome(e);
      const prev = byKey.get(identity(e));
      if (!prev || (known && !prev.known) || (known === prev.known && t >= prev.t)) byKey.set(identity(e), { e, t, known });
    }
  }
  const cutoff = nowMs - retention.retentionDays * DAY_MS;
  return [...byKey.values()]
    .filter((x) => x.t >= cutoff)
    .sort((a, b) => b.t - a.t)
    .slice(0, retention.maxJobs)
    .map((x) => x.e);
}

/**
 * Where each entry of the file starts: the app writes every entry with its finishedAt first (with
 * whitespace between the tokens when the file was pretty-printed, by a person or a tool).
 */
const ENTRY_START = /\{\s*"finishedAt"\s*:/g;

/**
 * The entries of a file that is not JSON any more (cut short by a crash or a full disk, or with
 * bytes damaged in the middle): each entry that still reads on its own, in file order. An entry's
 * start cannot occur inside a text of the file (its quotes would be escaped, and whitespace stands
 * unescaped only between tokens), so each start is tried up to the next few (an entry's own fields
 * may hold one more start); one that reads nowhere is damaged and skipped, and the entries after
 * it are read all the same.
 */
export function salvageHistoryEntries(text: string): unknown[] {
  const starts = [...text.matchAll(ENTRY_START)].map((m) => m.index);
  starts.push(text.length);
  const found: unknown[] = [];
  for (let i = 0; i < starts.length - 1; ) {
    let next = i + 1;
    for (let j = i + 1; j < Math.min(starts.length, i + 5); j++) {
      const entry = entryIn(text.slice(starts[i], starts[j]));
      if (entry !== undefined) {
        found.push(entry);
        next = j;
        break;
      }
    }
    i = next;
  }
  return found;
}

/**
 * The one entry a piece of the file holds, else undefined: the piece as it is (the file cut right
 * after the entry), else without what follows an entry (the separator, or the end of the list and
 * of the file, whole or cut short).
 */
function entryIn(piece: string): unknown {
  const s = piece.replace(/[\s\u0000]+$/, '');
  for (const candidate of [s, s.replace(/\s*(?:,|\]\s*\}?)$/, '')]) {
    try {
      return JSON.parse(candidate) as unknown;
    } catch {
      // Not this way.
    }
  }
  return undefined;
}

/**
 * The valid entries of a history file's text. `damaged`: the text is not a history file (the
 * entries are then those salvageHistoryEntries finds); `skipped`: entries that are not valid.
 */
export function readHistoryText(text: string): { entries: HistoryEntry[]; skipped: number; damaged: boolean } {
  let raw: unknown[] | null = null;
  try {
    const p = HistoryFile.safeParse(JSON.parse(text));
    if (p.success) raw = p.data.entries;
  } catch {
    raw = null;
  }
  const damaged = raw === null;
  const entries: HistoryEntry[] = [];
  let skipped = 0;
  for (const e of raw ?? salvageHistoryEntries(text)) {
    const p = StoredEntry.safeParse(e);
    if (p.success) entries.push(p.data as unknown as HistoryEntry);
    else skipped++;
  }
  return { entries, skipped, damaged };
}

export function createHistoryStore(path: string, opts: HistoryStoreOptions = {}): HistoryStore {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger;
  const debounceMs = opts.debounceMs ?? 1500;
  let retention = HistorySettings.parse(opts.retention ?? {});
  const local = createMutex();
  let pending: HistoryEntry[] = [];
  let timer: unknown = null;
  /**
   * The file as last read or written, by which file it is and its size and time: a file that did
   * not change is not parsed again. A damaged one is kept with `damaged`, so it is not salvaged on
   * every read (seconds for a large file) and the next write still moves it aside.
   */
  let cache: { dev: number; ino: number; size: number; mtimeMs: number; entries: HistoryEntry[]; damaged: boolean } | null = null;
  let sweptTemps = false;

  /**
   * Reads the file; either way what it still holds is read. `damaged`: the file is not a history
   * file any more (it is moved aside by the write that replaces it, never before: a write that
   * fails leaves it where it is, and what it holds is read again). With `repair` (under the lock),
   * a file with entries that are not valid is copied aside.
   */
  const readDisk = async (repair: boolean): Promise<{ entries: HistoryEntry[]; damaged: boolean }> => {
    const st = await statIfExists(path);
    if (!st) return { entries: [], damaged: false };
    if (cache && cache.dev === st.dev && cache.ino === st.ino && cache.size === st.size && cache.mtimeMs === st.mtimeMs) return { entries: cache.entries, damaged: cache.damaged };
    const text = await readTextIfExists(path);
    if (text === null) return { entries: [], damaged: false };
    const read = readHistoryText(text);
    if (read.damaged) {
      // Kept as damaged: the next write under the lock still moves it aside.
      cache = { ...st, entries: read.entries, damaged: true };
      return { entries: read.entries, damaged: true };
    }
    if (read.skipped && repair) {
      // The valid entries are kept; the whole file is kept aside so the others are not lost.
      const aside = await copyAside(path, 'corrupt', clock.now());
      logger?.warn('history file had entries that are not valid; they were skipped and the file copied aside', { path, skipped: read.skipped, copiedTo: aside });
    }
    cache = { ...st, entries: read.entries, damaged: false };
    return { entries: read.entries, damaged: false };
  };

  const fileText = (entries: HistoryEntry[]): string => `${JSON.stringify({ version: 1, entries })}\n`;

  const loggedAside = (aside: string | undefined, recovered: number): void => {
    if (aside !== undefined) logger?.error('history file was corrupt and has been moved aside; the entries that could still be read are kept in a new one', { path, movedTo: aside, recovered });
  };

  /**
   * Called under the lock only: no other writer can change the file between the write and the
   * stat. `damaged`: the file it replaces is moved aside, once the new one is complete.
   */
  const write = async (entries: HistoryEntry[], damaged?: { recovered: number }): Promise<void> => {
    cache = null;
    const aside = await writeFileAtomic(path, fileText(entries), damaged ? { keepOld: { label: 'corrupt', nowMs: clock.now() } } : {});
    if (damaged) loggedAside(aside, damaged.recovered);
    // What was just written is what the file holds: the next read need not parse it again.
    const st = await statIfExists(path);
    if (st) cache = { ...st, entries, damaged: false };
  };

  /** Stops the debounce and takes what is buffered (null: nothing). */
  const takePending = (): HistoryEntry[] | null => {
    if (timer !== null) {
      clock.clearTimeout(timer);
      timer = null;
    }
    if (!pending.length) return null;
    const batch = pending;
    pending = [];
    return batch;
  };

  const flushNow = (): Promise<void> =>
    local(async () => {
      const batch = takePending();
      if (!batch) return;
      try {
        await withFileLock(path, async () => {
          if (!sweptTemps) {
            sweptTemps = true;
            await removeLeftoverTempFiles(path);
          }
          const disk = await readDisk(true);
          await write(mergeHistory([disk.entries, batch], retention, clock.now()), disk.damaged ? { recovered: disk.entries.length } : undefined);
        });
      } catch (err) {
        // Kept for the next attempt: nothing recorded is lost because a write failed once.
        pending = [...batch, ...pending];
        logger?.error('could not write the history file', { path, error: (err as Error).message });
        throw err;
      }
    });

  const schedule = (): void => {
    if (timer !== null) return;
    timer = clock.setTimeout(() => {
      timer = null;
      flushNow().catch(() => {
        // Logged in flushNow; retried with the next record or flush.
      });
    }, debounceMs);
  };

  const query = async (q: { since?: string; limit?: number } = {}): Promise<HistoryEntry[]> => {
    const disk = await local(() => readDisk(false));
    let entries = mergeHistory([disk.entries, pending], retention, clock.now());
    if (q.since !== undefined) {
      const since = Date.parse(q.since);
      if (Number.isNaN(since)) throw new Error(`"${q.since}" is not a date`);
      entries = entries.filter((e) => Date.parse(e.finishedAt) >= since);
    }
    return q.limit !== undefined ? entries.slice(0, q.limit) : entries;
  };

  /** The file's entries, read synchronously (what a damaged file still holds, and whether it is damaged). */
  const readDiskSync = (): { entries: HistoryEntry[]; damaged: boolean } => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return { entries: [], damaged: false };
    }
    const read = readHistoryText(text);
    return { entries: read.entries, damaged: read.damaged };
  };

  const flushSync = (): void => {
    const batch = takePending();
    if (!batch) return;
    try {
      // No cross-process lock can be waited for here; the merge with the file as it is now keeps
      // what another process wrote before. A damaged file is moved aside once the new one is written.
      const disk = readDiskSync();
      const entries = mergeHistory([disk.entries, batch], retention, clock.now());
      cache = null;
      const aside = writeFileAtomicSync(path, fileText(entries), disk.damaged ? { keepOld: { label: 'corrupt', nowMs: clock.now() } } : {});
      loggedAside(aside, disk.entries.length);
    } catch (err) {
      pending = [...batch, ...pending];
      logger?.error('could not write the history file', { path, error: (err as Error).message });
    }
  };

  return {
    record(entry) {
      pending.push(entry);
      schedule();
    },
    flush: flushNow,
    flushSync,
    query,
    clear: () =>
      local(async () => {
        pending = [];
        await withFileLock(path, () => write([]));
        logger?.info('history cleared', { path });
      }),
    async exportCsv(q = {}) {
      return historyToCsv(await query(q));
    },
    async exportJson(q = {}) {
      return `${JSON.stringify(await query(q), null, 2)}\n`;
    },
    setRetention(r) {
      retention = HistorySettings.parse({ ...retention, ...r });
    },
    close: flushNow,
  };
}

// ---------------------------------------------------------------------------------------------
// CSV (RFC 4180, safe to open in a spreadsheet)
// ---------------------------------------------------------------------------------------------

/**
 * The columns of the CSV. The times the app stores (finishedAt, createdAt, updatedAt) stay exact,
 * in UTC ISO 8601 as in the JSON, for scripts; each has a local twin (finishedLocal, createdLocal,
 * updatedLocal: "2026-06-15 12:00:00" in the PC's time zone, which Excel reads as a date), and
 * utcOffset says how far finishedLocal is from UTC ("UTC+02:00").
 */
export const HISTORY_CSV_COLUMNS = [
  'finishedAt',
  'finishedLocal',
  'utcOffset',
  'key',
  'sourceId',
  'sourceKind',
  'nativeId',
  'state',
  'rawState',
  'detail',
  'document',
  'owner',
  'printer',
  'createdAt',
  'createdLocal',
  'updatedAt',
  'updatedLocal',
  'gone',
] as const;

export function historyToCsv(entries: readonly HistoryEntry[]): string {
  return toCsv(
    HISTORY_CSV_COLUMNS,
    entries.map((e) => {
      const j = e.job as unknown as Record<string, unknown>;
      return HISTORY_CSV_COLUMNS.map((c) => {
        switch (c) {
          case 'finishedAt':
            return e.finishedAt;
          case 'finishedLocal':
            return csvLocalTime(e.finishedAt);
          case 'utcOffset':
            return csvUtcOffset(e.finishedAt);
          case 'createdLocal':
            return csvLocalTime(e.job.createdAt);
          case 'updatedLocal':
            return csvLocalTime(e.job.updatedAt);
          default:
            return j[c];
        }
      });
    }),
  );
}
