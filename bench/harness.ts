/**
 * The real app core (settings file -> sources -> engine) against the simulators, for the freshness,
 * request-cost and memory benchmarks. Everything is the shipping code path; only the platform ports
 * are Node stand-ins (no dialogs) and secrets live in memory.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Job, JobPatch, PollingSettings, SecretName, SourceConfig } from '../preload/contract/model';
import type { Snapshot } from '../preload/contract/contract';
import { createAppCore } from '../main/core/app-core';
import type { AppCore } from '../main/core/app-core-types';
import { silentLogger, type TrackedJob } from '../main/ports/ports';
import { TRACKED_FILE_NAME } from '../main/state/tracked';
import { createMemorySecretStore } from '../test/helpers/memory-stores';

export interface BenchCore {
  core: AppCore;
  /** Every patch with its arrival time (ms, performance.now()); empty when started with `keepPatches: false`. */
  patches: { at: number; patch: JobPatch }[];
  /** Jobs added minus jobs removed by the patches so far. */
  jobCount(): number;
  /** Hands a job in by id, as `pqm track` does. */
  track(sourceId: string, id: string, kind?: 'html' | 'pdf'): Promise<Job>;
  /** The whole queue, or with `first` the first rows and the total. */
  snapshot(first?: number): Promise<Snapshot>;
  /** Asks every source (or one) to poll now. */
  refreshNow(sourceId?: string): Promise<void>;
  /** Runs one poll cycle of every source and resolves when it has ended. */
  pollOnce(): Promise<void>;
  close(): Promise<void>;
}

export interface BenchCoreOptions {
  /** Keep every patch in `patches` (default); off where the core's own memory is measured. */
  keepPatches?: boolean;
}

export async function startBenchCore(
  sources: SourceConfig[],
  secrets: Record<string, Partial<Record<SecretName, string>>>,
  polling: Partial<PollingSettings> = {},
  /** Jobs already tracked when the app starts (tracked.json next to the settings). */
  tracked: TrackedJob[] = [],
  opts: BenchCoreOptions = {},
): Promise<BenchCore> {
  const dir = await mkdtemp(join(tmpdir(), 'pqm-bench-'));
  const configPath = join(dir, 'settings.json');
  await writeFile(configPath, JSON.stringify({ version: 1, sources, polling }, null, 2));
  if (tracked.length > 0) await writeFile(join(dir, TRACKED_FILE_NAME), JSON.stringify({ version: 1, jobs: tracked }));
  const initial: Record<string, string> = {};
  for (const [sourceId, byName] of Object.entries(secrets)) {
    for (const [name, value] of Object.entries(byName)) if (value) initial[`${sourceId}.${name}`] = value;
  }
  const core = await createAppCore({
    configPath,
    secrets: createMemorySecretStore(initial),
    logger: silentLogger,
    platform: {
      pickFileToPrint: async () => null,
      pickSavePath: async () => null,
      openExternal: async () => {},
      versions: () => ({ node: process.versions.node }),
    },
  });
  const patches: BenchCore['patches'] = [];
  const keep = opts.keepPatches ?? true;
  let jobs = 0;
  const off = core.on('jobs:patch', (p) => {
    const at = performance.now();
    for (const patch of p.patches) {
      if (patch.type === 'added') jobs++;
      else if (patch.type === 'removed') jobs--;
      if (keep) patches.push({ at, patch });
    }
  });
  await core.handlers.setWindowVisible({ visible: true });
  core.start();
  return {
    core,
    patches,
    jobCount: () => jobs,
    track: (sourceId, id, kind) => core.handlers.trackJob({ sourceId, id, ...(kind ? { kind } : {}) }),
    snapshot: (first) => core.handlers.getSnapshot(first === undefined ? {} : { first }),
    refreshNow: async (sourceId) => {
      await core.handlers.refreshNow(sourceId === undefined ? {} : { sourceId });
    },
    pollOnce: () => core.pollOnce(),
    close: async () => {
      off();
      await core.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** The median of repeated runs (the 50th percentile as `percentile` takes it). */
export const median = (xs: number[]): number => percentile(xs, 50);

/** `runs` repetitions of a measurement at once, each its own (request counts and memory, not latency). */
export const sideBySide = <T>(runs: number, run: () => Promise<T>): Promise<T[]> => Promise.all(Array.from({ length: runs }, () => run()));

/**
 * How fast this machine runs script right now: a fixed piece of work like the app's (20,000 small
 * objects written to JSON, read back and sorted by key), the median of 5, in ms. The machines are
 * shared, and their speed moves by half or more within an hour without the load average showing it
 * (the neighbours are outside this machine): the same figure, measured beside a slower reference,
 * is not the same result.
 */
export function cpuReferenceMs(): number {
  const rows = Array.from({ length: 20_000 }, (_, i) => ({ key: `job-${(i * 7919) % 20_000}`, n: i, state: i % 3 ? 'printing' : 'queued', at: 1_780_000_000_000 + i * 7000 }));
  const runs: number[] = [];
  let sink = 0;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    const back = JSON.parse(JSON.stringify(rows)) as typeof rows;
    back.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    runs.push(performance.now() - t0);
    sink += back[0]!.n;
  }
  // The work's result is used, so that none of it can be left out.
  if (sink < 0) runs.push(0);
  return median(runs);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves when `pred` holds, polling every 5 ms; rejects after `timeoutMs`. */
export async function waitFor(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!pred()) {
    if (performance.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** The time a patch first reported `key` in `state`, or null. */
export function patchTime(patches: BenchCore['patches'], key: string, state: string, after = 0): number | null {
  for (const { at, patch } of patches) {
    if (at < after) continue;
    if (patch.type === 'added' && patch.job.key === key && patch.job.state === state) return at;
    if (patch.type === 'changed' && patch.key === key && patch.changes.state === state) return at;
  }
  return null;
}
