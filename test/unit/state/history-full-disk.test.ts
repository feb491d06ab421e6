/**
 * A damaged history file replaced on a full disk: the write of the new file fails (ENOSPC), or its
 * rename into place does. The entries the damaged file still holds must stay readable (the file is
 * where it was, untouched), and the next write that succeeds moves it aside then, once.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HistoryEntry, Job } from '../../../preload/contract/model';

/** What fails next: writing the content of a temporary history file, or renaming one over history.json. */
const failing = { write: false, rename: false };
const isTemp = (p: unknown) => basename(String(p)).startsWith('.history.json.pqm-tmp-');
const isHistory = (p: unknown) => basename(String(p)) === 'history.json';
const noSpace = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
const refused = () => Object.assign(new Error('EPERM: operation not permitted, rename'), { code: 'EPERM' });

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const tempFds = new Set<number>();
  const openSync = ((p: Parameters<typeof fs.openSync>[0], ...rest: unknown[]) => {
    const fd = (fs.openSync as (...a: unknown[]) => number)(p, ...rest);
    if (isTemp(p)) tempFds.add(fd);
    return fd;
  }) as typeof fs.openSync;
  const writeSync = ((fd: number, ...rest: unknown[]) => {
    if (failing.write && tempFds.has(fd)) throw noSpace();
    return (fs.writeSync as (...a: unknown[]) => number)(fd, ...rest);
  }) as typeof fs.writeSync;
  const closeSync = ((fd: number) => {
    tempFds.delete(fd);
    fs.closeSync(fd);
  }) as typeof fs.closeSync;
  const renameSync = ((from: string, to: string) => {
    if (failing.rename && isTemp(from) && isHistory(to)) throw refused();
    fs.renameSync(from, to);
  }) as typeof fs.renameSync;
  const open = (async (p: Parameters<typeof fs.promises.open>[0], ...rest: unknown[]) => {
    const handle = await (fs.promises.open as (...a: unknown[]) => ReturnType<typeof fs.promises.open>)(p, ...rest);
    if (isTemp(p)) {
      const writeFile = handle.writeFile.bind(handle);
      handle.writeFile = (async (...a: Parameters<typeof writeFile>) => {
        if (failing.write) throw noSpace();
        return writeFile(...a);
      }) as typeof handle.writeFile;
    }
    return handle;
  }) as typeof fs.promises.open;
  const rename = (async (from: string, to: string) => {
    if (failing.rename && isTemp(from) && isHistory(to)) throw refused();
    return fs.promises.rename(from, to);
  }) as typeof fs.promises.rename;
  const promises = { ...fs.promises, open, rename };
  const mocked = { ...fs, openSync, writeSync, closeSync, renameSync, promises };
  return { ...mocked, default: mocked };
});

const { createHistoryStore } = await import('../../../main/state/history');

function job(key: string): Job {
  return {
    key, sourceId: 'a', sourceKind: 'scriptx', nativeId: key.slice(2), state: 'completed', rawState: 'Completed', detail: null,
    document: 'Report.pdf', owner: 'ann', printer: 'P1', mine: true, createdAt: null, updatedAt: null, lastSeenAt: null, progress: 1,
    stale: false, stuck: false, gone: false, cancel: { allowed: false }, extra: {},
  };
}
const entry = (key: string, finishedAt: string): HistoryEntry => ({ finishedAt, job: job(key), timeline: [] });
const clock = { now: () => Date.UTC(2026, 5, 15, 12), setTimeout: () => ({}), clearTimeout: () => undefined };
const silent = { debug() {}, info() {}, warn() {}, error() {} };

let dir: string;
let file: string;
/** A file cut short after two whole entries. */
let damaged: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pqm-history-full-'));
  file = join(dir, 'history.json');
  const whole = JSON.stringify({ version: 1, entries: [entry('a:3', '2026-06-15T11:00:00.000Z'), entry('a:2', '2026-06-15T10:00:00.000Z'), entry('a:1', '2026-06-15T09:00:00.000Z')] });
  damaged = whole.slice(0, whole.length - 40);
  writeFileSync(file, damaged);
  failing.write = false;
  failing.rename = false;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const names = () => readdirSync(dir).sort();
const keys = (entries: HistoryEntry[]) => entries.map((e) => e.job.key);

describe('a damaged history file and a write that fails', () => {
  for (const what of ['write', 'rename'] as const) {
    it(`keeps the recovered entries when the new file's ${what} fails (flush), and moves the file aside once a write succeeds`, async () => {
      const h = createHistoryStore(file, { clock, logger: silent });
      h.record(entry('a:4', '2026-06-15T11:30:00.000Z'));
      failing[what] = true;
      await expect(h.flush()).rejects.toThrow(what === 'write' ? /ENOSPC/ : /EPERM/);
      // The damaged file is where it was, as it was, and nothing else is left beside it.
      expect(names()).toEqual(['history.json']);
      expect(readFileSync(file, 'utf8')).toBe(damaged);
      expect(keys(await createHistoryStore(file, { clock }).query())).toEqual(['a:3', 'a:2']);
      expect(keys(await h.query())).toEqual(['a:4', 'a:3', 'a:2']);

      failing[what] = false;
      await h.flush();
      expect(names()).toEqual(['history.json', 'history.json.corrupt-2026-06-15T12-00-00-000Z']);
      expect(readFileSync(join(dir, names()[1]!), 'utf8')).toBe(damaged);
      expect(keys(await createHistoryStore(file, { clock }).query())).toEqual(['a:4', 'a:3', 'a:2']);
    });

    it(`keeps the recovered entries when the new file's ${what} fails (flushSync), and moves the file aside once a write succeeds`, async () => {
      const h = createHistoryStore(file, { clock, logger: silent });
      h.record(entry('a:4', '2026-06-15T11:30:00.000Z'));
      failing[what] = true;
      h.flushSync();
      expect(names()).toEqual(['history.json']);
      expect(readFileSync(file, 'utf8')).toBe(damaged);
      expect(keys(await createHistoryStore(file, { clock }).query())).toEqual(['a:3', 'a:2']);

      failing[what] = false;
      h.flushSync();
      expect(names()).toEqual(['history.json', 'history.json.corrupt-2026-06-15T12-00-00-000Z']);
      expect(readFileSync(join(dir, names()[1]!), 'utf8')).toBe(damaged);
      expect(keys(await createHistoryStore(file, { clock }).query())).toEqual(['a:4', 'a:3', 'a:2']);
    });
  }
});
