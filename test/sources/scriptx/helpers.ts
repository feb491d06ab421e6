/** Wiring for the ScriptX source tests: the simulator on 127.0.0.1, in-memory ports, a fake clock. */
import net from 'node:net';
import { HttpClient } from '../../../main/http/client';
import { silentLogger } from '../../../main/ports/ports';
import type { JobSource, PollResult } from '../../../main/queue/source';
import type { SourceDeps } from '../../../main/sources/deps';
import { createScriptxSource, type ScriptxSourceOptions } from '../../../main/sources/scriptx/source';
import type { ScriptxSourceConfig } from '../../../preload/contract/model';
import { FakeClock } from '../../helpers/fake-clock';
import { createMemorySecretStore, createMemoryTrackedStore, type MemorySecretStore, type MemoryTrackedStore } from '../../helpers/memory-stores';
import { startScriptxSimulator, type ScriptxSimulator, type ScriptxSimulatorOptions } from '../../simulators/scriptx/server';

export const LICENSE = '{5091E665-8916-4D21-996E-00A2DE5DE416}';

/** A loopback port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export interface Harness {
  sim: ScriptxSimulator;
  clock: FakeClock;
  secrets: MemorySecretStore;
  tracked: MemoryTrackedStore;
  deps: SourceDeps;
  source: JobSource;
  config: ScriptxSourceConfig;
  /** A new source instance on the same stores (an app restart). */
  restart(): JobSource;
  poll(mode?: 'active' | 'full'): Promise<PollResult>;
  /** Status requests the simulator saw for a token. */
  statusRequests(token: string): number;
  close(): Promise<void>;
}

export async function harness(
  o: { sim?: ScriptxSimulatorOptions; config?: Partial<ScriptxSourceConfig>; source?: ScriptxSourceOptions; license?: string | null; discover?: boolean } = {},
): Promise<Harness> {
  const clock = new FakeClock();
  const sim = await startScriptxSimulator({ license: LICENSE, now: () => clock.now(), ...o.sim });
  const secrets = createMemorySecretStore(o.license === null ? {} : { 'local.LICENSE': o.license ?? LICENSE });
  const tracked = createMemoryTrackedStore();
  const deps: SourceDeps = { http: new HttpClient({ timeoutMs: 2000 }), secrets, tracked, clock, logger: silentLogger };
  const config: ScriptxSourceConfig = { id: 'local', kind: 'scriptx', ...(o.discover ? {} : { baseUrl: sim.url }), ...o.config };
  const make = () => createScriptxSource(config, deps, { livenessAttempts: 3, livenessIntervalMs: 100, ...o.source });
  const h: Harness = {
    sim,
    clock,
    secrets,
    tracked,
    deps,
    config,
    source: make(),
    restart: () => (h.source = make()),
    poll: (mode = 'active') => h.source.poll({ mode, signal: new AbortController().signal, activeJobs: new Map() }),
    statusRequests: (token) => sim.requests.filter((r) => /\/status\//.test(r.path) && r.path.endsWith(`/${token}`)).length,
    close: () => sim.close(),
  };
  return h;
}

export const signal = () => new AbortController().signal;
