import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { existsSync, promises as fsPromises } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { createHistoryStore, historyToCsv, readHistoryText } from '../../../main/state/history';
import { csvCell } from '../../../preload/contract/csv';
import type { HistoryEntry, Job } from '../../../preload/contract/model';
import type { Clock } from '../../../main/ports/ports';
import { lockPathFor } from '../../../main/state/lock';
import { runKillTrials, startWaitingWriter } from '../../helpers/kill-trials';
import { STOP_STAGES } from '../../helpers/stop-in-write';

/** Every point of a write several times over, and as many kills spread over the write cycle. */
const KILL_ROUNDS = 24;

function job(key: string, over: Partial<Job> = {}): Job {
  return {
    key, sourceId: key.split(':')[0], sourceKind: 'scriptx', nativeId: key.split(':')[1], state: 'completed', rawState: 'Completed', detail: null,
    document: 'Report.pdf', owner: 'ann', printer: 'P1', mine: true, createdAt: null, updatedAt: null, lastSeenAt: null, progress: 1,
    stale: false, stuck: false, gone: false, cancel: { allowed: false }, extra: {}, ...over,
  };
}
const entry = (key: string, finishedAt: string, over: Partial<Job> = {}): HistoryEntry => ({ finishedAt, job: job(key, over), timeline: [] });

/** A fake clock: timers run only when the test advances time. */
function fakeClock(start: number): Clock & { advance(ms: number): void } {
  let now = start;
  let timers: { at: number; fn: () => void }[] = [];
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      const t = { at: now + ms, fn };
      timers.push(t);
      return t;
    },
    clearTimeout: (h) => {
      timers = timers.filter((t) => t !== h);
    },
    advance(ms) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      due.forEach((t) => t.fn());
    },
  };
}

let dir: string;
let file: string;
const NOW = Date.UTC(2026, 5, 15, 12);
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pqm-history-'));
  file = join(dir, 'history.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('history store', () => {
  it('flushSync writes what is buffered before it returns (the session is ending: nothing may wait), keeping what the file held', async () => {
    const clock = fakeClock(NOW);
    const first = createHistoryStore(file, { clock, debounceMs: 1500 });
    first.record(entry('a:1', '2026-06-15T09:00:00.000Z'));
    await first.flush();
    const h = createHistoryStore(file, { clock, debounceMs: 1500 });
    h.record(entry('a:2', '2026-06-15T11:00:00.000Z'));
    h.flushSync();
    const { readFileSync } = await import('node:fs');
    expect(JSON.parse(readFileSync(file, 'utf8')).entries.map((e: HistoryEntry) => e.job.key)).toEqual(['a:2', 'a:1']);
    // Nothing left to write, and no temporary file left behind.
    clock.advance(1500);
    await h.flush();
    expect((await readdir(dir)).sort()).toEqual(['history.json']);
  });

  it('debounces writes, then persists; newest first; since and limit', async () => {
    const clock = fakeClock(NOW);
    const h = createHistoryStore(file, { clock, debounceMs: 1000 });
    h.record(entry('a:1', '2026-06-15T10:00:00.000Z'));
    h.record(entry('a:2', '2026-06-15T11:00:00.000Z'));
    expect(await readdir(dir)).toEqual([]);
    // Visible to queries before the write.
    expect((await h.query()).map((e) => e.job.key)).toEqual(['a:2', 'a:1']);
    clock.advance(1000);
    await h.flush();
    const disk = JSON.parse(await readFile(file, 'utf8'));
    expect(disk.entries.map((e: HistoryEntry) => e.job.key)).toEqual(['a:2', 'a:1']);
    const other = createHistoryStore(file, { clock });
    expect((await other.query({ since: '2026-06-15T10:30:00Z' })).map((e) => e.job.key)).toEqual(['a:2']);
    expect((await other.query({ limit: 1 })).map((e) => e.job.key)).toEqual(['a:2']);
  });

  it('applies retention by age and by count', async () => {
    const clock = fakeClock(NOW);
    const h = createHistoryStore(file, { clock, retention: { retentionDays: 2, maxJobs: 10 } });
    h.record(entry('a:old', '2026-06-10T00:00:00Z'));
    for (let i = 0; i < 12; i++) h.record(entry(`a:${i}`, new Date(NOW - i * 60_000).toISOString()));
    await h.flush();
    const keys = (await h.query()).map((e) => e.job.key);
    expect(keys).toHaveLength(10);
    expect(keys).not.toContain('a:old');
    expect(keys[0]).toBe('a:0');
    expect(keys).not.toContain('a:10');
  });

  it('a job seen ending by one process and gone by another keeps how it ended, whichever writes last', async () => {
    // ScriptX.Services answers a job's final status once: of the app and a pqm run watching one job,
    // the second to ask sees it gone, after the first recorded it completed.
    for (const order of [['knows', 'gone'], ['gone', 'knows']] as const) {
      await rm(file, { force: true });
      const clock = fakeClock(NOW);
      const stores = { knows: createHistoryStore(file, { clock }), gone: createHistoryStore(file, { clock }) };
      stores.knows.record(entry('local:107', new Date(NOW - 2000).toISOString(), { state: 'completed' }));
      stores.gone.record(entry('local:107', new Date(NOW - 1000).toISOString(), { state: 'queued', rawState: '0 NotStarted, then no longer reported', gone: true }));
      for (const which of order) await stores[which].flush();
      const kept = await createHistoryStore(file, { clock }).query();
      expect(kept.map((e) => [e.job.key, e.job.state, e.job.gone]), order.join(' then ')).toEqual([['local:107', 'completed', false]]);
    }
    // Two entries that both know how the job ended: the later one wins, as before.
    const clock = fakeClock(NOW);
    const h = createHistoryStore(file, { clock });
    h.record(entry('local:108', new Date(NOW - 2000).toISOString(), { state: 'failed' }));
    h.record(entry('local:108', new Date(NOW - 1000).toISOString(), { state: 'canceled' }));
    h.record(entry('local:109', new Date(NOW - 2000).toISOString(), { state: 'printing', gone: true }));
    h.record(entry('local:109', new Date(NOW - 1000).toISOString(), { state: 'unknown', gone: true }));
    await h.flush();
    const states = Object.fromEntries((await h.query()).map((e) => [e.job.key, e.job.state]));
    expect(states).toMatchObject({ 'local:108': 'canceled', 'local:109': 'unknown' });
  });

  it('clear empties the file', async () => {
    const h = createHistoryStore(file, { clock: fakeClock(NOW) });
    h.record(entry('a:1', '2026-06-15T10:00:00Z'));
    await h.flush();
    await h.clear();
    expect(await h.query()).toEqual([]);
    expect(JSON.parse(await readFile(file, 'utf8')).entries).toEqual([]);
  });

  it('moves a corrupt file aside, logs it, and starts afresh', async () => {
    await writeFile(file, '{"version":1,"entries":[{"finishedAt":"2026-06-15T');
    const logs: string[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (m: string) => logs.push(m) };
    const h = createHistoryStore(file, { clock: fakeClock(NOW), logger });
    expect(await h.query()).toEqual([]);
    h.record(entry('a:1', '2026-06-15T10:00:00Z'));
    await h.flush();
    const names = (await readdir(dir)).sort();
    expect(names).toEqual(['history.json', 'history.json.corrupt-2026-06-15T12-00-00-000Z']);
    expect(await readFile(join(dir, names[1]), 'utf8')).toMatch(/^\{"version":1,"entries":\[\{"finishedAt":"2026-06-15T$/);
    expect(logs[0]).toMatch(/corrupt.*moved aside/);
    expect((await h.query()).map((e) => e.job.key)).toEqual(['a:1']);
  });

  it('a damaged file is salvaged once, not on every read, and the next write still moves it aside', async () => {
    const whole = JSON.stringify({ version: 1, entries: [entry('a:2', '2026-06-15T10:00:00.000Z'), entry('a:1', '2026-06-15T09:00:00.000Z')] });
    const damaged = whole.slice(0, whole.length - 30);
    await writeFile(file, damaged);
    // Each salvage reads the file's text first: counting the reads of history.json counts them.
    const reads = vi.spyOn(fsPromises, 'readFile');
    onTestFinished(() => reads.mockRestore());
    const readsOfFile = () => reads.mock.calls.filter(([p]) => p === file).length;
    const logs: string[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (m: string) => logs.push(m) };
    const h = createHistoryStore(file, { clock: fakeClock(NOW), logger });
    expect((await h.query()).map((e) => e.job.key)).toEqual(['a:2']);
    expect((await h.query()).map((e) => e.job.key)).toEqual(['a:2']);
    expect(await h.exportJson()).toContain('"a:2"');
    expect(readsOfFile()).toBe(1);

    // The next write (under the lock) still finds it damaged: the new file keeps what it held, and it is moved aside.
    h.record(entry('a:3', '2026-06-15T11:00:00.000Z'));
    await h.flush();
    expect(JSON.parse(await readFile(file, 'utf8')).entries.map((e: HistoryEntry) => e.job.key)).toEqual(['a:3', 'a:2']);
    const aside = (await readdir(dir)).filter((n) => n.startsWith('history.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(await readFile(join(dir, aside[0]!), 'utf8')).toBe(damaged);
    expect(logs).toEqual([expect.stringMatching(/corrupt.*moved aside/)]);

    // Damaged again by another hand (another size): read afresh, not taken for the file last seen.
    const before = readsOfFile();
    await writeFile(file, whole.slice(0, whole.length - 2));
    expect((await h.query()).map((e) => e.job.key)).toEqual(['a:2', 'a:1']);
    expect(readsOfFile()).toBe(before + 1);
  });

  it('a file cut short, or damaged in the middle, keeps every entry that can still be read', async () => {
    const logs: { m: string; f: unknown }[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (m: string, f?: unknown) => logs.push({ m, f }) };
    const whole = JSON.stringify({ version: 1, entries: [entry('a:3', '2026-06-15T11:00:00.000Z', { document: '{"finishedAt":"x"} Ünïcödé, "quoted"' }), entry('a:2', '2026-06-15T10:00:00.000Z'), entry('a:1', '2026-06-15T09:00:00.000Z')] });
    // Cut short in the middle of the last entry (a crash, a full disk).
    await writeFile(file, whole.slice(0, whole.length - 40));
    const h = createHistoryStore(file, { clock: fakeClock(NOW), logger });
    expect((await h.query()).map((e) => e.job.key)).toEqual(['a:3', 'a:2']);
    expect((await h.query())[0]!.job.document).toBe('{"finishedAt":"x"} Ünïcödé, "quoted"');
    h.record(entry('a:4', '2026-06-15T11:30:00.000Z'));
    await h.flush();
    expect(JSON.parse(await readFile(file, 'utf8')).entries.map((e: HistoryEntry) => e.job.key)).toEqual(['a:4', 'a:3', 'a:2']);
    const aside = (await readdir(dir)).filter((n) => n.startsWith('history.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(await readFile(join(dir, aside[0]!), 'utf8')).toBe(whole.slice(0, whole.length - 40));
    expect(logs).toEqual([{ m: expect.stringMatching(/corrupt.*moved aside.*kept/), f: expect.objectContaining({ recovered: 2 }) }]);

    // Bytes of the middle entry overwritten (zeros, as a power cut can leave): the ones around it stay.
    await rm(join(dir, aside[0]!));
    const middle = whole.indexOf('"a:2"');
    await writeFile(file, `${whole.slice(0, middle)}${'\u0000'.repeat(30)}${whole.slice(middle + 30)}`);
    const again = createHistoryStore(file, { clock: fakeClock(NOW) });
    expect((await again.query()).map((e) => e.job.key)).toEqual(['a:3', 'a:1']);
    // The session's end reads it the same way.
    again.record(entry('a:5', '2026-06-15T11:45:00.000Z'));
    again.flushSync();
    expect(JSON.parse(await readFile(file, 'utf8')).entries.map((e: HistoryEntry) => e.job.key)).toEqual(['a:5', 'a:3', 'a:1']);
    expect((await readdir(dir)).filter((n) => n.startsWith('history.json.corrupt-'))).toHaveLength(1);

    // Cut right after the last entry, or after the end of the list: the last entry is whole.
    const salvaged = (text: string) => {
      const read = readHistoryText(text);
      expect(read.damaged).toBe(true);
      return read.entries.map((e) => e.job.key);
    };
    const end = whole.lastIndexOf(']}');
    expect(salvaged(whole.slice(0, end))).toEqual(['a:3', 'a:2', 'a:1']);
    expect(salvaged(whole.slice(0, end + 1))).toEqual(['a:3', 'a:2', 'a:1']);
    expect(salvaged(`${whole.slice(0, end + 1)}\n  `)).toEqual(['a:3', 'a:2', 'a:1']);
    // A pretty-printed file (edited by hand, or by a tool) reads the same way, whole entries and all.
    const pretty = JSON.stringify(JSON.parse(whole) as unknown, null, 2);
    expect(salvaged(pretty.slice(0, pretty.length - 40))).toEqual(['a:3', 'a:2']);
    expect(salvaged(pretty.slice(0, pretty.lastIndexOf(']')))).toEqual(['a:3', 'a:2', 'a:1']);
    expect(salvaged(pretty.slice(0, pretty.lastIndexOf(']') + 1))).toEqual(['a:3', 'a:2', 'a:1']);
    // A start written inside a text, spaced or not, is never taken for an entry's.
    const spaced = JSON.stringify({ version: 1, entries: [entry('a:7', '2026-06-15T11:00:00.000Z', { document: '{ "finishedAt" : "x", "job": {"key": "z:9"}, "timeline": []}' }), entry('a:6', '2026-06-15T10:00:00.000Z')] }, null, 2);
    const cut = readHistoryText(spaced.slice(0, spaced.length - 20)).entries;
    expect(cut.map((e) => [e.job.key, e.job.document])).toEqual([['a:7', '{ "finishedAt" : "x", "job": {"key": "z:9"}, "timeline": []}']]);
  });

  it('keeps the valid entries of a partly invalid file and copies the file aside', async () => {
    await writeFile(file, JSON.stringify({ version: 1, entries: [entry('a:1', '2026-06-15T10:00:00Z'), { nope: true }] }));
    const h = createHistoryStore(file, { clock: fakeClock(NOW) });
    h.record(entry('a:2', '2026-06-15T11:00:00Z'));
    await h.flush();
    expect((await h.query()).map((e) => e.job.key)).toEqual(['a:2', 'a:1']);
    expect((await readdir(dir)).some((n) => n.startsWith('history.json.corrupt-'))).toBe(true);
  });

  it('exports CSV (RFC 4180, formula-injection safe, local times beside UTC) and JSON', async () => {
    const tz = process.env.TZ;
    process.env.TZ = 'America/New_York';
    onTestFinished(() => {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    });
    const h = createHistoryStore(file, { clock: fakeClock(NOW) });
    h.record(entry('a:1', '2026-06-15T10:00:00.000Z', { document: '=HYPERLINK("http://evil","x")', owner: 'Doe, "Jo"', detail: 'line1\nline2', printer: '@SUM(A1)' }));
    h.record(entry('a:2', '2026-06-15T11:00:00.000Z', { document: '-2+3', owner: '+cmd', detail: '\tTab', printer: 'Plain', createdAt: '2026-06-15T10:59:00.000Z' }));
    const csv = await h.exportCsv();
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('finishedAt,finishedLocal,utcOffset,key,sourceId,sourceKind,nativeId,state,rawState,detail,document,owner,printer,createdAt,createdLocal,updatedAt,updatedLocal,gone');
    expect(lines[1]).toBe("2026-06-15T11:00:00.000Z,2026-06-15 07:00:00,UTC-04:00,a:2,a,scriptx,2,completed,Completed,'\tTab,'-2+3,'+cmd,Plain,2026-06-15T10:59:00.000Z,2026-06-15 06:59:00,,,false");
    expect(csv).toContain(`"line1\nline2","'=HYPERLINK(""http://evil"",""x"")","Doe, ""Jo""",'@SUM(A1)`);
    expect(csv.endsWith('\r\n')).toBe(true);
    const json = JSON.parse(await h.exportJson({ since: '2026-06-15T10:30:00Z' }));
    expect(json.map((e: HistoryEntry) => e.job.key)).toEqual(['a:2']);
    expect(historyToCsv([]).split('\r\n')).toHaveLength(2);
  });

  it('csvCell neutralises every formula trigger', () => {
    for (const s of ['=1+1', '+1', '-1', '@x', '\tx', '\rx']) expect(csvCell(s).replace(/^"/, '').startsWith("'")).toBe(true);
    expect(csvCell('a "b"')).toBe('"a ""b"""');
    expect(csvCell(null)).toBe('');
    expect(csvCell(3)).toBe('3');
  });
});

describe('history across processes', () => {
  let writer: string;
  let buildDir: string;
  beforeAll(async () => {
    buildDir = await mkdtemp(join(tmpdir(), 'pqm-writer-'));
    writer = join(buildDir, 'writer.mjs');
    // Bundled once so each child starts in plain node in tens of milliseconds.
    buildSync({ entryPoints: [join(__dirname, 'fixtures/history-writer.ts')], bundle: true, platform: 'node', format: 'esm', outfile: writer, logLevel: 'silent' });
  });
  afterAll(async () => {
    await rm(buildDir, { recursive: true, force: true });
  });

  const runWriter = (prefix: string, count: string, onLine?: (line: string, kill: () => void) => void) =>
    new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [writer, file, prefix, count], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.stdout.on('data', (d: Buffer) => {
        for (const line of d.toString().split('\n').filter(Boolean)) onLine?.(line, () => child.kill('SIGKILL'));
      });
      // 'close', not 'exit': its stderr is then read to the end.
      child.on('close', (code, signal) => resolve({ code, signal, stderr }));
    });

  it('two processes writing at once lose nothing', async () => {
    const [a, b] = await Promise.all([runWriter('pa', '40'), runWriter('pb', '40')]);
    expect(a.stderr + b.stderr).toBe('');
    expect([a.code, b.code]).toEqual([0, 0]);
    const keys = JSON.parse(await readFile(file, 'utf8')).entries.map((e: HistoryEntry) => e.job.key);
    expect(keys).toHaveLength(80);
    for (let i = 0; i < 40; i++) {
      expect(keys).toContain(`pa:${i}`);
      expect(keys).toContain(`pb:${i}`);
    }
  });

  const tempFiles = async () => (await readdir(dir)).filter((n) => n.startsWith('.history.json.pqm-tmp-'));

  it(`kill -9 at every point of a write, ${KILL_ROUNDS} times, always leaves a readable file`, async () => {
    // A file big enough that every write takes a few milliseconds to write and flush.
    const big = Array.from({ length: 1500 }, (_, i) => entry(`seed:${i}`, new Date(Date.now() - i * 1000).toISOString(), { detail: 'y'.repeat(300) }));
    await writeFile(file, JSON.stringify({ version: 1, entries: big }));
    let tempsBefore = new Set<string>();
    // Three rounds in four stop the writer at a point of its second write (half the temporary file
    // written; the temporary file complete, not renamed; renamed with the lock held) and kill it
    // there, however loaded the machine is; the fourth kills at a point spread over the write cycle.
    const results = await runKillTrials({
      rounds: KILL_ROUNDS,
      firstWrite: 'flushed 1',
      start: (round, stage) => startWaitingWriter(writer, [file, `k${round}`, 'forever', 'wait', ...(stage ? [stage] : [])]),
      check: async ({ round, stage, signal }) => {
        expect(signal).toBe('SIGKILL');
        const temps = await tempFiles();
        // A temporary file left behind proves the kill landed inside a write.
        if (stage === 'temp-half' || stage === 'temp-done') expect(temps.some((n) => !tempsBefore.has(n)), `round ${round}`).toBe(true);
        if (stage === 'renamed') expect(existsSync(lockPathFor(file)), `round ${round}: no lock left`).toBe(true);
        tempsBefore = new Set(temps);
        const parsed = JSON.parse(await readFile(file, 'utf8')) as { entries: HistoryEntry[] };
        expect(parsed.entries.length).toBeGreaterThanOrEqual(1500);
        // Each round's first entry was flushed before the kill and must have survived; the second
        // is there exactly when the kill came after its rename.
        expect(parsed.entries.some((e) => e.job.key === `k${round}:0`)).toBe(true);
        if (stage) expect(parsed.entries.some((e) => e.job.key === `k${round}:1`), `round ${round} (${stage})`).toBe(stage === 'renamed');
      },
    });
    for (const stage of STOP_STAGES) expect(results.filter((r) => r.stage === stage).length).toBeGreaterThanOrEqual(KILL_ROUNDS / 4);
    const names = await readdir(dir);
    expect(names.filter((n) => n.includes('corrupt'))).toEqual([]);
  }, 120_000);
});
