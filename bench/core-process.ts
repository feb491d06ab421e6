/**
 * The app core in a process of its own, for the memory figures: the bench process keeps the
 * simulators and the workload driver, and talks to this child over Node's IPC channel.
 *
 * The child is this file run through tsx with --expose-gc. It loads nothing of the app until it is
 * told to start, so the same child asked for its memory without starting is the empty child the
 * figures are stated beside (tsx's loader and this script only).
 *
 * Requests (parent -> child), each answered once with `{ id, ok, value | error }`:
 * - start { sources, secrets, polling, tracked }: the real app core (harness.ts: settings file,
 *   sources, engine, store, window visible), patches counted but not kept;
 * - track { sourceId, id, kind }: hands a job in, as `pqm track` does;
 * - waitForJobs { count, timeoutMs }: resolves once the queue holds at least `count` jobs, with
 *   the total the core's own snapshot names;
 * - jobs: the total the core's snapshot names now;
 * - memory: process.memoryUsage() after two forced garbage collections;
 * - stop: stops the core (the child then exits when the parent disconnects).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PollingSettings, SecretName, SourceConfig } from '../preload/contract/model';
import type { TrackedJob } from '../main/ports/ports';
import type { BenchCore } from './harness';

export interface CoreStart {
  sources: SourceConfig[];
  secrets: Record<string, Partial<Record<SecretName, string>>>;
  polling?: Partial<PollingSettings>;
  tracked?: TrackedJob[];
}

export interface CoreMemory {
  heapUsedMb: number;
  heapTotalMb: number;
  rssMb: number;
  externalMb: number;
  /** Whether gc() was available (the child runs with --expose-gc). */
  gc: boolean;
}

interface Requests {
  start: { args: CoreStart; value: null };
  track: { args: { sourceId: string; id: string; kind?: 'html' | 'pdf' }; value: null };
  waitForJobs: { args: { count: number; timeoutMs: number }; value: number };
  jobs: { args: Record<string, never>; value: number };
  memory: { args: Record<string, never>; value: CoreMemory };
  stop: { args: Record<string, never>; value: null };
}
type Op = keyof Requests;
type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

export interface CoreProcess {
  call<O extends Op>(op: O, args: Requests[O]['args']): Promise<Requests[O]['value']>;
  /** Stops the core if it was started, closes the channel and resolves when the child has exited. */
  close(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
const MB = 2 ** 20;

/** Starts the child (tsx, --expose-gc) and resolves once it listens. */
export async function forkCoreProcess(): Promise<CoreProcess> {
  const child: ChildProcess = fork(join(here, 'core-process.ts'), ['--child'], {
    cwd: join(here, '..'),
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 1;
  let started = false;
  const failAll = (why: string) => {
    for (const p of pending.values()) p.reject(new Error(why));
    pending.clear();
  };
  child.on('message', (m: Reply | { ready: true }) => {
    if ('ready' in m) return;
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) p.resolve(m.value);
    else p.reject(new Error(`app core process: ${m.error}`));
  });
  void exited.then((code) => failAll(`the app core process exited (code ${code}) before answering`));
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    void exited.then((code) => reject(new Error(`the app core process exited (code ${code}) while starting`)));
  });
  const call = <O extends Op>(op: O, args: Requests[O]['args']): Promise<Requests[O]['value']> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      if (op === 'start') started = true;
      child.send({ id, op, args });
    });
  return {
    call,
    close: async () => {
      if (child.connected) {
        if (started) await call('stop', {});
        child.disconnect();
      }
      const code = await exited;
      if (code !== 0 && code !== null) throw new Error(`the app core process exited with code ${code}`);
    },
  };
}

/** The child's side: one app core, driven by the parent's requests. */
async function serve(): Promise<void> {
  let bench: BenchCore | null = null;
  const need = (): BenchCore => {
    if (!bench) throw new Error('the core was not started');
    return bench;
  };
  const total = async (): Promise<number> => (await need().snapshot(1)).total ?? 0;
  const handlers: { [O in Op]: (args: Requests[O]['args']) => Promise<Requests[O]['value']> } = {
    start: async ({ sources, secrets, polling, tracked }) => {
      if (bench) throw new Error('the core is already started');
      const { startBenchCore } = await import('./harness');
      bench = await startBenchCore(sources, secrets, polling ?? {}, tracked ?? [], { keepPatches: false });
      return null;
    },
    track: async ({ sourceId, id, kind }) => {
      await need().track(sourceId, id, kind);
      return null;
    },
    waitForJobs: async ({ count, timeoutMs }) => {
      const b = need();
      const { waitFor } = await import('./harness');
      await waitFor(() => b.jobCount() >= count, timeoutMs, `${count} jobs in the app core (has ${b.jobCount()})`);
      return total();
    },
    jobs: () => total(),
    memory: async () => {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (gc) {
        gc();
        // Let finalizers and weak callbacks of the first collection run before the second.
        await new Promise<void>((r) => setImmediate(r));
        gc();
      }
      const m = process.memoryUsage();
      return { heapUsedMb: m.heapUsed / MB, heapTotalMb: m.heapTotal / MB, rssMb: m.rss / MB, externalMb: m.external / MB, gc: Boolean(gc) };
    },
    stop: async () => {
      const b = bench;
      bench = null;
      await b?.close();
      return null;
    },
  };
  process.on('message', (m: { id: number; op: Op; args: never }) => {
    void (async () => {
      let reply: Reply;
      try {
        reply = { id: m.id, ok: true, value: await handlers[m.op](m.args) };
      } catch (err) {
        reply = { id: m.id, ok: false, error: err instanceof Error ? err.message : String(err) };
      }
      process.send?.(reply);
    })();
  });
  process.on('disconnect', () => {
    void (async () => {
      await bench?.close();
      process.exit(0);
    })();
  });
  process.send?.({ ready: true });
}

if (process.argv.includes('--child') && process.send && fileURLToPath(import.meta.url) === process.argv[1]) {
  void serve();
}
