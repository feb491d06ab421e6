/**
 * Finished jobs (history.json next to the settings file), shared by the app and the CLI.
 *
 * - record() is cheap: entries are buffered and written after a short debounce.
 * - Every write is a read-merge-write under the cross-process lock, written atomically: two
 *   processes recording at once lose nothing, and a process killed mid-write leaves the previous
 *   complete file.
 * - Retention: entries older than retentionDays, and beyond the newest maxJobs, are dropped.
 * - A corrupt file is moved aside (history.json.corrupt-<timestamp>) and logged, never dropped.
 */
import { z } from 'zod';
import { HistorySettings, type HistoryEntry } from '../../preload/contract/model';
import { toCsv } from '../../preload/contract/csv';
import { FINAL_STATES } from '../../preload/contract/job-states';
import { systemClock, type Clock, type Logger } from '../ports/ports';
import { asidePath, copyAside, moveAside, readTextIfExists, removeLeftoverTempFiles, statIfExists, writeFileAtomic, writeFileAtomicSync } from './atomic-file';
import { readFileSync, renameSync } from 'node:fs';
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

export function createHistoryStore(path: string, opts: HistoryStoreOptions = {}): HistoryStore {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger;
  const debounceMs = opts.debounceMs ?? 1500;
  let retention = HistorySettings.parse(opts.retention ?? {});
  const local = createMutex();
  let pending: HistoryEntry[] = [];
  let timer: unknown = null;
  let cache: { mtimeMs: number; size: number; ino: number; entries: HistoryEntry[] } | null = null;
  let sweptTemps = false;

  /** Reads the file. A corrupt file is moved aside when `repair` (under the lock), else ignored. */
  const readDisk = async (repair: boolean): Promise<HistoryEntry[]> => {
    const st = await statIfExists(path);
    if (!st) return [];
    if (cache && cache.mtimeMs === st.mtimeMs && cache.size === st.size && cache.ino === st.ino) return cache.entries;
    const text = await readTextIfExists(path);
    if (text === null) return [];
    let file: z.infer<typeof HistoryFile> | null = null;
    try {
      const p = HistoryFile.safeParse(JSON.parse(text));
      if (p.success) file = p.data;
    } catch {
      file = null;
    }
    if (!file) {
      if (repair) {
        const aside = await moveAside(path, 'corrupt', clock.now());
        logger?.error('history file was corrupt and has been moved aside; a new one is started', { path, movedTo: aside });
        cache = null;
      }
      return [];
    }
    const entries: HistoryEntry[] = [];
    let bad = 0;
    for (const e of file.entries) {
      const p = StoredEntry.safeParse(e);
      if (p.success) entries.push(p.data as unknown as HistoryEntry);
      else bad++;
    }
    if (bad && repair) {
      // The valid entries are kept; the whole file is kept aside so the others are not lost.
      const aside = await copyAside(path, 'corrupt', clock.now());
      logger?.warn('history file had entries that are not valid; they were skipped and the file copied aside', { path, skipped: bad, copiedTo: aside });
    }
    cache = { ...st, entries };
    return entries;
  };

  /** Called under the lock only: no other writer can change the file between the write and the stat. */
  const write = async (entries: HistoryEntry[]): Promise<void> => {
    cache = null;
    await writeFileAtomic(path, `${JSON.stringify({ version: 1, entries })}\n`);
    // What was just written is what the file holds: the next read need not parse it again.
    const st = await statIfExists(path);
    if (st) cache = { ...st, entries };
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
          await write(mergeHistory([disk, batch], retention, clock.now()));
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
    let entries = mergeHistory([disk, pending], retention, clock.now());
    if (q.since !== undefined) {
      const since = Date.parse(q.since);
      if (Number.isNaN(since)) throw new Error(`"${q.since}" is not a date`);
      entries = entries.filter((e) => Date.parse(e.finishedAt) >= since);
    }
    return q.limit !== undefined ? entries.slice(0, q.limit) : entries;
  };

  /** The file's entries, read synchronously; a corrupt file is moved aside (never dropped). */
  const readDiskSync = (): HistoryEntry[] => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return [];
    }
    try {
      const file = HistoryFile.safeParse(JSON.parse(text));
      if (file.success) return file.data.entries.filter((e) => StoredEntry.safeParse(e).success) as HistoryEntry[];
    } catch {
      // corrupt: below
    }
    renameSync(path, asidePath(path, 'corrupt', clock.now()));
    return [];
  };

  const flushSync = (): void => {
    const batch = takePending();
    if (!batch) return;
    try {
      // No cross-process lock can be waited for here; the merge with the file as it is now keeps
      // what another process wrote before.
      const entries = mergeHistory([readDiskSync(), batch], retention, clock.now());
      cache = null;
      writeFileAtomicSync(path, `${JSON.stringify({ version: 1, entries })}\n`);
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

export const HISTORY_CSV_COLUMNS = ['finishedAt', 'key', 'sourceId', 'sourceKind', 'nativeId', 'state', 'rawState', 'detail', 'document', 'owner', 'printer', 'createdAt', 'updatedAt', 'gone'] as const;

export function historyToCsv(entries: readonly HistoryEntry[]): string {
  return toCsv(
    HISTORY_CSV_COLUMNS,
    entries.map((e) => {
      const j = e.job as unknown as Record<string, unknown>;
      return HISTORY_CSV_COLUMNS.map((c) => (c === 'finishedAt' ? e.finishedAt : j[c]));
    }),
  );
}
