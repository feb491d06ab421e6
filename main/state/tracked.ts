/**
 * The persisted list of tracked job ids (tracked.json next to the settings file), shared by the app
 * and the CLI. Every change is a read-modify-write under the cross-process lock, written
 * atomically, so neither process loses the other's additions. Reads are cached by the file's
 * mtime/size, so polling the list every cycle costs one stat.
 */
import { z } from 'zod';
import { AppFailure, invalidInput } from '../../preload/contract/model';
import type { Logger, TrackedJob, TrackedStore } from '../ports/ports';
import { moveAside, readTextIfExists, statIfExists, writeFileAtomic } from './atomic-file';
import { createMutex, withFileLock } from './lock';

export const TRACKED_FILE_NAME = 'tracked.json';

const TrackedJobSchema = z.object({
  sourceId: z.string().min(1).max(64),
  id: z.string().min(1).max(512),
  kind: z.enum(['html', 'pdf']).optional(),
  addedAt: z.string(),
  submission: z.record(z.string(), z.unknown()).optional(),
  finishedAt: z.string().optional(),
  lastStatus: z.number().int().optional(),
});
const TrackedFile = z.object({ version: z.literal(1), jobs: z.array(z.unknown()) });

/** At most this many entries are kept; the oldest finished ones go first. */
export const MAX_TRACKED = 5000;

export interface FileTrackedStoreOptions {
  logger?: Logger;
  now?: () => number;
}

export function createFileTrackedStore(path: string, opts: FileTrackedStoreOptions = {}): TrackedStore {
  const now = opts.now ?? Date.now;
  const local = createMutex();
  let cache: { mtimeMs: number; size: number; ino: number; jobs: TrackedJob[] } | null = null;

  /** Reads the file (cached by mtime/size); a corrupt file is moved aside, never dropped. */
  const read = async (allowRepair: boolean): Promise<TrackedJob[]> => {
    const st = await statIfExists(path);
    if (!st) {
      cache = null;
      return [];
    }
    if (cache && cache.mtimeMs === st.mtimeMs && cache.size === st.size && cache.ino === st.ino) return cache.jobs;
    const text = await readTextIfExists(path);
    if (text === null) return [];
    let jobs: TrackedJob[] | null = null;
    let bad = 0;
    try {
      const file = TrackedFile.safeParse(JSON.parse(text));
      if (file.success) {
        jobs = [];
        for (const j of file.data.jobs) {
          const p = TrackedJobSchema.safeParse(j);
          if (p.success) jobs.push(p.data as TrackedJob);
          else bad++;
        }
      }
    } catch {
      jobs = null;
    }
    if (jobs === null) {
      if (!allowRepair) return [];
      const aside = await moveAside(path, 'corrupt', now());
      opts.logger?.error('tracked ids file was corrupt and has been moved aside', { path, movedTo: aside });
      cache = null;
      return [];
    }
    if (bad) opts.logger?.warn('tracked ids file had entries that are not valid; they are ignored', { path, ignored: bad });
    cache = { ...st, jobs };
    return jobs;
  };

  const modify = (change: (jobs: TrackedJob[]) => TrackedJob[] | null): Promise<void> =>
    local(() =>
      withFileLock(path, async () => {
        const current = await read(true);
        const next = change(current.map((j) => ({ ...j })));
        if (next === null) return;
        const trimmed = trim(next);
        await writeFileAtomic(path, `${JSON.stringify({ version: 1, jobs: trimmed }, null, 1)}\n`);
        cache = null;
      }),
    );

  return {
    async list(sourceId) {
      const jobs = await local(() => read(false));
      return (sourceId ? jobs.filter((j) => j.sourceId === sourceId) : jobs).map((j) => ({ ...j }));
    },
    async add(job) {
      const checked = TrackedJobSchema.safeParse(job);
      if (!checked.success) {
        const e = invalidInput(checked.error, 'tracked');
        throw new AppFailure('invalid-input', `A tracked job id cannot be kept: ${e.message}`, { field: e.field ?? 'id', sourceId: job.sourceId });
      }
      const parsed = checked.data as TrackedJob;
      return modify((jobs) => [...jobs.filter((j) => !(j.sourceId === job.sourceId && j.id === job.id)), parsed]);
    },
    update(sourceId, id, patch) {
      return modify((jobs) => {
        const i = jobs.findIndex((j) => j.sourceId === sourceId && j.id === id);
        if (i < 0) return null;
        const merged = { ...jobs[i], ...patch, sourceId, id };
        for (const k of Object.keys(merged) as (keyof TrackedJob)[]) if (merged[k] === undefined) delete merged[k];
        jobs[i] = merged;
        return jobs;
      });
    },
    remove(sourceId, id) {
      return modify((jobs) => {
        const next = jobs.filter((j) => !(j.sourceId === sourceId && j.id === id));
        return next.length === jobs.length ? null : next;
      });
    },
  };
}

function trim(jobs: TrackedJob[]): TrackedJob[] {
  if (jobs.length <= MAX_TRACKED) return jobs;
  const active = jobs.filter((j) => !j.finishedAt);
  const finished = jobs.filter((j) => j.finishedAt).sort((a, b) => (a.finishedAt! < b.finishedAt! ? 1 : -1));
  return [...active, ...finished].slice(0, MAX_TRACKED);
}
