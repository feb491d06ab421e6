/**
 * Crash-safe file replacement: the new content is written to a temporary file in the same folder,
 * flushed to disk, then renamed over the target. A rename within one folder is atomic on NTFS and
 * POSIX file systems, so a reader (or a process killed mid-write) only ever sees the old file or
 * the new one, never a half-written mix.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, promises as fs, renameSync, rmSync, writeSync, constants as fsConstants } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { AppFailure } from '../../preload/contract/model';

const TEMP_MARK = '.pqm-tmp-';

function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}${TEMP_MARK}${process.pid}-${randomBytes(6).toString('hex')}`);
}

/**
 * Where the file being replaced goes when it is to be kept (a damaged file, moved aside under a
 * fresh `<target>.<label>-<timestamp>` name): it is moved only once the new content is complete on
 * disk, and moved back when the new file cannot be put in its place, so a failed write (a full
 * disk) never leaves the target missing.
 */
export interface KeepOld {
  label: string;
  nowMs: number;
}

/**
 * Writes `data` to `target` atomically, creating the folder when needed. With `keepOld`, the file
 * it replaces is moved aside (see KeepOld); the aside path is returned (undefined: there was none).
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array, opts: { mode?: number; keepOld?: KeepOld } = {}): Promise<string | undefined> {
  await fs.mkdir(dirname(target), { recursive: true });
  const temp = tempPathFor(target);
  const handle = await fs.open(temp, fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_WRONLY, opts.mode ?? 0o600);
  let aside: string | undefined;
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (opts.keepOld && (await statIfExists(target))) aside = await moveAside(target, opts.keepOld.label, opts.keepOld.nowMs);
    await renameWithRetry(temp, target);
  } catch (err) {
    if (aside !== undefined) await renameWithRetry(aside, target).catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
  await syncFolder(dirname(target));
  return aside;
}

/**
 * writeFileAtomic for when nothing may wait (the Windows session is ending: the process may be
 * ended as soon as the event handler returns). Same temporary file, flush and rename, and keepOld.
 */
export function writeFileAtomicSync(target: string, data: string | Uint8Array, opts: { mode?: number; keepOld?: KeepOld } = {}): string | undefined {
  mkdirSync(dirname(target), { recursive: true });
  const temp = tempPathFor(target);
  const fd = openSync(temp, fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_WRONLY, opts.mode ?? 0o600);
  let aside: string | undefined;
  try {
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (opts.keepOld && existsSync(target)) {
      const dest = freshAsidePath(target, opts.keepOld.label, opts.keepOld.nowMs, existsSync);
      renameSync(target, dest);
      aside = dest;
    }
    renameSync(temp, target);
  } catch (err) {
    if (aside !== undefined) {
      try {
        renameSync(aside, target);
      } catch {
        // The damaged file stays under its aside name; the error below is what the caller reports.
      }
    }
    rmSync(temp, { force: true });
    throw err;
  }
  return aside;
}

/**
 * On Windows a rename fails with EPERM/EBUSY/EACCES for a moment while another process (or an
 * antivirus scanner) has the target open; a few short retries cover that.
 */
async function renameWithRetry(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.rename(from, to);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (attempt >= 8 || !(code === 'EPERM' || code === 'EBUSY' || code === 'EACCES')) throw err;
      await new Promise((r) => setTimeout(r, 15 * (attempt + 1)));
    }
  }
}

/** Makes the rename itself durable (POSIX). Folders cannot be opened for sync on Windows: ignored. */
async function syncFolder(folder: string): Promise<void> {
  if (process.platform === 'win32') return;
  try {
    const h = await fs.open(folder, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    // Best effort: some file systems refuse fsync on a folder.
  }
}

/** The file's text, or null when it does not exist. Other errors (permissions) are thrown. */
export async function readTextIfExists(path: string): Promise<string | null> {
  try {
    return await fs.readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Which file it is (dev, ino), its size and modification time, or null when the file does not exist. */
export async function statIfExists(path: string): Promise<{ mtimeMs: number; size: number; ino: number; dev: number } | null> {
  try {
    const s = await fs.stat(path);
    return { mtimeMs: s.mtimeMs, size: s.size, ino: s.ino, dev: s.dev };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Removes temporary files a killed process left next to `target` (older than `olderThanMs`, so a
 * write in progress in another process is never touched).
 */
export async function removeLeftoverTempFiles(target: string, olderThanMs = 60_000, now = Date.now()): Promise<number> {
  const folder = dirname(target);
  const prefix = `.${basename(target)}${TEMP_MARK}`;
  let names: string[];
  try {
    names = await fs.readdir(folder);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const p = join(folder, name);
    try {
      const s = await fs.stat(p);
      if (now - s.mtimeMs >= olderThanMs) {
        await fs.rm(p, { force: true });
        removed++;
      }
    } catch {
      // Raced with its owner or another cleaner: nothing to do.
    }
  }
  return removed;
}

/** A name for a file moved aside: `<target>.<label>-<timestamp>` with a filesystem-safe timestamp. */
export function asidePath(target: string, label: string, nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/[:.]/g, '-');
  return `${target}.${label}-${stamp}`;
}

/** An aside name for `target` that `taken` says is free (`-1`, `-2`… after the timestamp when needed). */
function freshAsidePath(target: string, label: string, nowMs: number, taken: (p: string) => boolean): string {
  let dest = asidePath(target, label, nowMs);
  for (let i = 1; taken(dest); i++) dest = `${asidePath(target, label, nowMs)}-${i}`;
  return dest;
}

/** Moves a file aside under a fresh name (never overwriting an earlier one); returns the new path. */
export async function moveAside(target: string, label: string, nowMs: number): Promise<string> {
  const dest = freshAsidePath(target, label, nowMs, existsSync);
  await renameWithRetry(target, dest);
  return dest;
}

/** Copies a file aside under a fresh name; returns the new path. */
export async function copyAside(target: string, label: string, nowMs: number): Promise<string> {
  let dest = asidePath(target, label, nowMs);
  for (let i = 1; ; i++) {
    try {
      await fs.copyFile(target, dest, fsConstants.COPYFILE_EXCL);
      return dest;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      dest = `${asidePath(target, label, nowMs)}-${i}`;
    }
  }
}

const WRITE_FAILURES: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a folder',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the drive is read-only',
  ENOENT: 'its folder cannot be found',
  ENOTDIR: 'a part of its path is a file, not a folder',
  // Making the folders of the path: one of them is there as a file.
  EEXIST: 'a part of its path is a file, not a folder',
  EBUSY: 'another program holds it',
};

/**
 * A file the user asked for (an export, a diagnostics bundle, a job's output) that could not be
 * written, in words: its path and why, never the name of the temporary file the write went through.
 */
export function writeFailure(path: string, err: unknown): AppFailure {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const known = code ? WRITE_FAILURES[code] : undefined;
  const why = known ? `${known} (${code})` : code ? `error ${code}` : 'it could not be written';
  // A path that cannot be a file is the user's to change; a refusal or a full disk, the system's.
  const kind = code === 'EISDIR' || code === 'ENOTDIR' || code === 'EEXIST' || code === 'ENOENT' ? 'invalid-input' : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'not-allowed' : 'conflict';
  return new AppFailure(kind, `Could not write ${path}: ${why}.`);
}
