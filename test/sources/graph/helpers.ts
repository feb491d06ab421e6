/** Shared set-up for the Universal Print source tests: a simulator, deps in fake time, a source. */
import { HttpClient } from '../../../main/http/client';
import type { Logger, TrackedJob, TrackedStore } from '../../../main/ports/ports';
import type { SourceDeps } from '../../../main/sources/deps';
import { createGraphSource, type GraphSourceOptions } from '../../../main/sources/graph/source';
import { GraphSourceConfig, type Job } from '../../../preload/contract/model';
import type { PollResult, SourceJob } from '../../../main/queue/source';
import { FakeClock } from '../../helpers/fake-clock';
import { createMemorySecretStore, type MemorySecretStore } from '../../helpers/memory-stores';
import { makeJwt, startGraphSimulator, type GraphSimulator, type GraphSimulatorOptions } from '../../simulators/graph/server';

export const ANN = 'ann@contoso.com';
export const ANN_TOKEN = makeJwt({ upn: ANN, name: 'Ann' });

export class MemoryTracked implements TrackedStore {
  readonly items: TrackedJob[] = [];
  async list(sourceId?: string) {
    return this.items.filter((t) => !sourceId || t.sourceId === sourceId);
  }
  async add(job: TrackedJob) {
    const i = this.items.findIndex((x) => x.sourceId === job.sourceId && x.id === job.id);
    if (i >= 0) this.items[i] = { ...job };
    else this.items.push({ ...job });
  }
  async update(sourceId: string, id: string, patch: Partial<TrackedJob>) {
    const t = this.items.find((x) => x.sourceId === sourceId && x.id === id);
    if (t) Object.assign(t, patch);
  }
  async remove(sourceId: string, id: string) {
    const i = this.items.findIndex((x) => x.sourceId === sourceId && x.id === id);
    if (i >= 0) this.items.splice(i, 1);
  }
}

export class CapturingLogger implements Logger {
  readonly lines: string[] = [];
  private add(level: string, m: string, d?: Record<string, unknown>) {
    this.lines.push(`${level} ${m} ${d ? JSON.stringify(d) : ''}`);
  }
  debug(m: string, d?: Record<string, unknown>) {
    this.add('debug', m, d);
  }
  info(m: string, d?: Record<string, unknown>) {
    this.add('info', m, d);
  }
  warn(m: string, d?: Record<string, unknown>) {
    this.add('warn', m, d);
  }
  error(m: string, d?: Record<string, unknown>) {
    this.add('error', m, d);
  }
}

export interface Rig {
  sim: GraphSimulator;
  clock: FakeClock;
  secrets: MemorySecretStore;
  logger: CapturingLogger;
  deps: SourceDeps;
  tracked: MemoryTracked;
}

export async function rig(simOpts: GraphSimulatorOptions = {}): Promise<Rig> {
  const clock = new FakeClock();
  const sim = await startGraphSimulator({ now: () => clock.now(), tokens: { [ANN_TOKEN]: { kind: 'delegated', upn: ANN, displayName: 'Ann' } }, ...simOpts });
  const secrets = createMemorySecretStore({ 'up.TOKEN': ANN_TOKEN });
  const logger = new CapturingLogger();
  const tracked = new MemoryTracked();
  const deps: SourceDeps = { http: new HttpClient({ timeoutMs: 3000 }), secrets, tracked, clock, logger };
  return { sim, clock, secrets, logger, deps, tracked };
}

export function source(r: Rig, cfg: Record<string, unknown> = {}, opts: GraphSourceOptions = {}) {
  const config = GraphSourceConfig.parse({ id: 'up', kind: 'graph', baseUrl: r.sim.baseUrl, ...cfg });
  return createGraphSource(config, r.deps, opts);
}

export function ctx(mode: 'active' | 'full' = 'full') {
  return { mode, signal: new AbortController().signal, activeJobs: new Map<string, Job>() };
}

/** A SourceJob completed with the engine's flags, as the engine would hold it. */
export function asJob(j: SourceJob): Job {
  return { ...j, stale: false, stuck: false, gone: false, lastSeenAt: null };
}

export function byNative(res: PollResult, id: string): SourceJob {
  const j = res.jobs.find((x) => x.nativeId === id);
  if (!j) throw new Error(`job ${id} not in poll result: ${res.jobs.map((x) => x.nativeId).join(',')}`);
  return j;
}
