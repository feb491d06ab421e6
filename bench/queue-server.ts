/**
 * The queue window's server for the renderer benchmarks, in a process of its own as the app's core is
 * (Electron's main process beside the window's): the built renderer (out/renderer) over the real web
 * transport, its bridge answering a snapshot of synthetic jobs and pushing the patches the harness
 * asks for. Run beside the harness (Playwright's client) it would share that process's event loop,
 * which the app's core never does.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Job, JobPatch, SourceHealth } from '../preload/contract/model';
import { Settings, noCapabilities } from '../preload/contract/model';
import { snapshotAnswer } from '../preload/contract/queue-view';
import { startWebTransport } from '../main/web/server';
import { createFakeCore } from '../test/unit/web/fake-core';

const here = dirname(fileURLToPath(import.meta.url));

export function syntheticJobs(count: number, now = Date.now()): Job[] {
  const states: Job['state'][] = ['queued', 'processing', 'printing', 'paused', 'completed', 'failed', 'canceled'];
  const sources = [
    { id: 'local', kind: 'scriptx' as const },
    { id: 'up', kind: 'graph' as const },
    { id: 'ao', kind: 'aodocs' as const },
  ];
  return Array.from({ length: count }, (_, i) => {
    const src = sources[i % 3]!;
    const state = states[i % states.length]!;
    const at = new Date(now - i * 7_000).toISOString();
    return {
      key: `${src.id}:${src.kind === 'graph' ? `printer-${i % 45}/job-${i}` : `job-${i}`}`,
      sourceId: src.id,
      sourceKind: src.kind,
      nativeId: `job-${i}`,
      state,
      rawState: state,
      detail: i % 11 === 0 ? 'Waiting for the printer to come online' : null,
      document: `Document ${i}.pdf`,
      owner: `user${i % 17}@contoso.example`,
      printer: `Printer ${i % 45}`,
      mine: i % 4 === 0,
      createdAt: at,
      updatedAt: at,
      lastSeenAt: at,
      progress: state === 'printing' ? (i % 100) / 100 : null,
      stale: false,
      stuck: false,
      gone: false,
      cancel: { allowed: state === 'queued' || state === 'processing' },
      extra: {},
    } satisfies Job;
  });
}

export interface ServedQueue {
  url: string;
  jobs: Job[];
  /** When the jobs were made (syntheticJobs): another server made at the same time serves the same rows. */
  now: number;
  emitPatch(patch: JobPatch): void;
  close(): Promise<void>;
}

type ToChild = { type: 'start'; rendererDir: string; count: number; now: number } | { type: 'patch'; patch: JobPatch } | { type: 'close' };
type FromChild = { type: 'ready'; url: string } | { type: 'failed'; message: string };

/** Starts the server process with `count` jobs (made at `now`: see syntheticJobs) and resolves once it listens. */
export async function serveQueue(rendererDir: string, count: number, now = Date.now()): Promise<ServedQueue> {
  const child: ChildProcess = fork(join(here, 'queue-server.ts'), ['--child'], { cwd: join(here, '..'), execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const send = (m: ToChild) => child.send(m);
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: FromChild) => (m.type === 'ready' ? resolve(m.url) : reject(new Error(`The queue server did not start: ${m.message}`))));
    child.once('exit', (code) => reject(new Error(`The queue server exited with ${code} before it listened.`)));
    send({ type: 'start', rendererDir, count, now });
  });
  return {
    url,
    jobs: syntheticJobs(count, now),
    now,
    emitPatch: (patch) => send({ type: 'patch', patch }),
    close: async () => {
      if (child.connected) send({ type: 'close' });
      await exited;
    },
  };
}

/** In this process: the built renderer over the real web transport, its bridge answering with the jobs of `syntheticJobs(count, now)`. */
async function serveInProcess(rendererDir: string, count: number, now: number): Promise<{ url: string; emitPatch(patch: JobPatch): void; close(): Promise<void> }> {
  const jobs = syntheticJobs(count, now);
  const health: SourceHealth[] = [
    { id: 'local', kind: 'scriptx', name: 'ScriptX.Services on this PC', capabilities: noCapabilities(), status: 'ok', message: 'Connected.', lastSuccessAt: new Date().toISOString(), lastErrorAt: null },
    { id: 'up', kind: 'graph', name: 'Universal Print', capabilities: noCapabilities(), status: 'ok', message: 'Connected.', lastSuccessAt: new Date().toISOString(), lastErrorAt: null },
    { id: 'ao', kind: 'aodocs', name: 'AODocs', capabilities: noCapabilities(), status: 'ok', message: 'Connected.', lastSuccessAt: new Date().toISOString(), lastErrorAt: null },
  ];
  const settings = Settings.parse({
    version: 1,
    sources: [
      { id: 'local', kind: 'scriptx' },
      { id: 'up', kind: 'graph', shares: 'all' },
      { id: 'ao', kind: 'aodocs', libraryIds: ['lib'] },
    ],
    ui: { view: 'all' },
  });
  const core = createFakeCore({
    // As the app answers: `first` asks for the window's first rows under the saved view choices.
    getSnapshot: async ({ first }) => snapshotAnswer({ jobs, sources: health, paused: null }, settings.ui, first),
    getSettings: async () => ({ settings, problems: [], secrets: [], configPath: '/bench/settings.json' }),
  });
  const transport = await startWebTransport({ core, rendererDir, port: 0 });
  return { url: transport.url, emitPatch: (patch) => core.emit('jobs:patch', { patches: [patch] }), close: () => transport.close() };
}

if (process.argv.includes('--child') && process.send) {
  let served: Awaited<ReturnType<typeof serveInProcess>> | null = null;
  process.on('message', (m: ToChild) => {
    if (m.type === 'start') {
      serveInProcess(m.rendererDir, m.count, m.now).then(
        (s) => {
          served = s;
          process.send!({ type: 'ready', url: s.url } satisfies FromChild);
        },
        (err: unknown) => process.send!({ type: 'failed', message: err instanceof Error ? err.message : String(err) } satisfies FromChild),
      );
    } else if (m.type === 'patch') served?.emitPatch(m.patch);
    else if (m.type === 'close') void (served?.close() ?? Promise.resolve()).then(() => process.exit(0));
  });
}
