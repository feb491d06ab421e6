/** In-memory ports for the AODocs source tests: secrets, tracked ids, a capturing logger, a clock. */
import type { Clock, Logger, SecretStore, TrackedJob, TrackedStore } from '../../../main/ports/ports';
import type { SecretName } from '../../../preload/contract/model';
import { HttpClient } from '../../../main/http/client';
import type { SourceDeps } from '../../../main/sources/deps';

export class MemorySecrets implements SecretStore {
  readonly values = new Map<string, string>();
  async get(sourceId: string, name: SecretName) {
    return this.values.get(`${sourceId}.${name}`);
  }
  async set(sourceId: string, name: SecretName, value: string) {
    this.values.set(`${sourceId}.${name}`, value);
  }
  async delete(sourceId: string, name: SecretName) {
    this.values.delete(`${sourceId}.${name}`);
  }
  async has(sourceId: string, name: SecretName) {
    return this.values.has(`${sourceId}.${name}`);
  }
}

export class MemoryTracked implements TrackedStore {
  readonly items: TrackedJob[] = [];
  async list(sourceId?: string) {
    return this.items.filter((t) => !sourceId || t.sourceId === sourceId).map((t) => ({ ...t }));
  }
  async add(job: TrackedJob) {
    const i = this.items.findIndex((t) => t.sourceId === job.sourceId && t.id === job.id);
    if (i >= 0) this.items[i] = { ...job };
    else this.items.push({ ...job });
  }
  async update(sourceId: string, id: string, patch: Partial<Omit<TrackedJob, 'sourceId' | 'id'>>) {
    const t = this.items.find((x) => x.sourceId === sourceId && x.id === id);
    if (t) Object.assign(t, patch);
  }
  async remove(sourceId: string, id: string) {
    const i = this.items.findIndex((t) => t.sourceId === sourceId && t.id === id);
    if (i >= 0) this.items.splice(i, 1);
  }
}

export interface LogLine {
  level: string;
  message: string;
  data?: Record<string, unknown>;
}

export function capturingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: string) => (message: string, data?: Record<string, unknown>) => void lines.push({ level, message, data });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/**
 * A clock whose timers fire on the next turn of the event loop instead of after their delay, so
 * backoff runs without real waiting against a real server; it records each requested delay.
 */
export function instantClock(start = Date.UTC(2026, 0, 5, 9, 0, 0)): Clock & { delays: number[]; t: number } {
  const c = {
    t: start,
    delays: [] as number[],
    now: () => c.t,
    setTimeout(fn: () => void, ms: number) {
      c.delays.push(ms);
      return setImmediate(() => {
        c.t += ms;
        fn();
      });
    },
    clearTimeout(h: unknown) {
      clearImmediate(h as ReturnType<typeof setImmediate>);
    },
  };
  return c;
}

export function makeDeps(opts: { timeoutMs?: number } = {}) {
  const secrets = new MemorySecrets();
  const tracked = new MemoryTracked();
  const logger = capturingLogger();
  const clock = instantClock();
  const deps: SourceDeps = { http: new HttpClient({ timeoutMs: opts.timeoutMs ?? 3000 }), secrets, tracked, clock, logger };
  return { deps, secrets, tracked, logger, clock };
}
