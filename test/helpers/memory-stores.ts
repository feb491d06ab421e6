/**
 * In-memory SecretStore and TrackedStore with the same semantics as the real ones, for tests.
 */
import type { SecretStore, TrackedJob, TrackedStore } from '../../main/ports/ports';
import type { SecretName } from '../../preload/contract/model';

export interface MemorySecretStore extends SecretStore {
  /** The stored values, keyed `<sourceId>.<name>` (tests inspect it). */
  readonly values: Map<string, string>;
}

export function createMemorySecretStore(initial: Record<string, string> = {}): MemorySecretStore {
  const values = new Map<string, string>(Object.entries(initial));
  const k = (sourceId: string, name: SecretName) => `${sourceId}.${name}`;
  return {
    values,
    get: async (sourceId, name) => values.get(k(sourceId, name)),
    has: async (sourceId, name) => values.has(k(sourceId, name)),
    set: async (sourceId, name, value) => {
      values.set(k(sourceId, name), value);
    },
    delete: async (sourceId, name) => {
      values.delete(k(sourceId, name));
    },
  };
}

export interface MemoryTrackedStore extends TrackedStore {
  readonly jobs: TrackedJob[];
}

export function createMemoryTrackedStore(initial: TrackedJob[] = []): MemoryTrackedStore {
  const jobs: TrackedJob[] = initial.map((j) => ({ ...j }));
  const find = (sourceId: string, id: string) => jobs.findIndex((j) => j.sourceId === sourceId && j.id === id);
  return {
    jobs,
    list: async (sourceId) => jobs.filter((j) => !sourceId || j.sourceId === sourceId).map((j) => ({ ...j })),
    add: async (job) => {
      const i = find(job.sourceId, job.id);
      if (i >= 0) jobs.splice(i, 1);
      jobs.push({ ...job });
    },
    update: async (sourceId, id, patch) => {
      const i = find(sourceId, id);
      if (i < 0) return;
      const merged = { ...jobs[i], ...patch, sourceId, id };
      for (const key of Object.keys(merged) as (keyof TrackedJob)[]) if (merged[key] === undefined) delete merged[key];
      jobs[i] = merged;
    },
    remove: async (sourceId, id) => {
      const i = find(sourceId, id);
      if (i >= 0) jobs.splice(i, 1);
    },
  };
}
