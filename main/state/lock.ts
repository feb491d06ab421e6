/**
 * A cross-process lock for the files the app and the CLI share (settings, tracked ids, history).
 *
 * The lock is a file `<target>.lock` created with O_EXCL (exactly one process can create it) that
 * holds the owner's pid, host and time. A lock whose owner process is dead (same host), or that is
 * older than `staleMs`, is recovered: critical sections here last milliseconds, so an old lock can
 * only be the leftover of a crash. Recovery re-reads the lock just before removing it and only
 * removes the exact lock it judged stale, so two recovering processes cannot remove each other's
 * fresh lock except in a microsecond window that would also need a crash to have happened.
 */
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AppFailure } from '../../preload/contract/model';

export interface LockOptions {
  /** A lock older than this is considered abandoned (default 10 s). */
  staleMs?: number;
  /** Give up waiting after this long (default 15 s): the operation fails with `conflict`. */
  timeoutMs?: number;
  /** Wait between attempts (default 15 ms, with jitter). */
  retryMs?: number;
}

interface LockContent {
  pid: number;
  host: string;
  at: number;
  nonce: string;
}

export function lockPathFor(target: string): string {
  return `${target}.lock`;
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseLock(text: string): LockContent | null {
  try {
    const v = JSON.parse(text) as Partial<LockContent>;
    if (typeof v.pid === 'number' && typeof v.at === 'number' && typeof v.host === 'string') {
      return { pid: v.pid, at: v.at, host: v.host, nonce: String(v.nonce ?? '') };
    }
  } catch {
    // Written by a process killed between create and write: judged by the file's age below.
  }
  return null;
}

async function tryCreate(lockPath: string, content: LockContent): Promise<boolean> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(lockPath, 'wx');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // Windows reports a file pending deletion as EPERM: treat it as taken and retry.
    if (code === 'EPERM' && process.platform === 'win32') return false;
    throw err;
  }
  try {
    await handle.writeFile(JSON.stringify(content));
  } finally {
    await handle.close();
  }
  return true;
}

/** True when the lock on disk is abandoned; removes it (only that exact lock) and says so. */
async function recoverIfStale(lockPath: string, staleMs: number, now: number): Promise<boolean> {
  let text: string;
  let mtimeMs: number;
  try {
    text = await fs.readFile(lockPath, 'utf8');
    mtimeMs = (await fs.stat(lockPath)).mtimeMs;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
  const owner = parseLock(text);
  let stale: boolean;
  if (owner) {
    stale = now - owner.at > staleMs || (owner.host === hostname() && !processAlive(owner.pid));
  } else {
    // Empty or unreadable: its owner died between creating and writing it, or is writing right now.
    stale = now - mtimeMs > Math.min(staleMs, 2_000);
  }
  if (!stale) return false;
  try {
    const again = await fs.readFile(lockPath, 'utf8');
    if (again !== text) return false;
    await fs.rm(lockPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return true;
}

/** Holds the lock of `target` while `fn` runs. Not reentrant within one process: never nest. */
export async function withFileLock<T>(target: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const staleMs = opts.staleMs ?? 10_000;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const retryMs = opts.retryMs ?? 15;
  const lockPath = lockPathFor(target);
  await fs.mkdir(dirname(lockPath), { recursive: true });
  const content: LockContent = { pid: process.pid, host: hostname(), at: 0, nonce: randomBytes(8).toString('hex') };
  const started = Date.now();
  for (;;) {
    content.at = Date.now();
    if (await tryCreate(lockPath, content)) break;
    if (await recoverIfStale(lockPath, staleMs, Date.now())) continue;
    if (Date.now() - started > timeoutMs) {
      throw new AppFailure('conflict', `Another Print Queue Monitor process has held the lock ${lockPath} for more than ${Math.round(timeoutMs / 1000)} s; try again, or delete that file if no other copy of the app or the pqm command is running.`);
    }
    await new Promise((r) => setTimeout(r, retryMs + Math.floor(Math.random() * retryMs)));
  }
  try {
    return await fn();
  } finally {
    // Release only our own lock (it may have been recovered by another process after a long stall).
    try {
      const text = await fs.readFile(lockPath, 'utf8');
      if (parseLock(text)?.nonce === content.nonce) await fs.rm(lockPath, { force: true });
    } catch {
      // Already gone.
    }
  }
}

/** Serializes callers inside one process (the lock file serializes processes). */
export function createMutex(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}
