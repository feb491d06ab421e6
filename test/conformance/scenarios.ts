/**
 * What the window relies on from the bridge, as scenarios that run against any PrintQueueBridge:
 * the component tests' fake bridge and the real app core over the browser preview's web transport.
 * Each scenario drives only the contract (requests and events); a target supplies the situations
 * (a job that can be canceled, an id to track, an upload held back) in its own way, and the
 * assertions are the same for every target.
 */
import { expect } from 'vitest';
import type { EventName, RequestName } from '../../preload/contract/channels';
import type { Events, PrintQueueBridge, RequestInput, RequestOutput } from '../../preload/contract/contract';
import { secretNamesFor, type Job, type JobPatch, type Result } from '../../preload/contract/model';

export interface ConformanceTarget {
  bridge: PrintQueueBridge;
  /** A Universal Print source that prints files and can stop an upload. */
  printSourceId: string;
  /** The share the scenarios print to. */
  printer: string;
  /** Makes the next upload wait (its bytes are held back) until it is stopped. */
  holdNextUpload(): void;
  /** Puts a job the user may cancel into the source; resolves with its key once the queue shows it. */
  cancellableJob(): Promise<string>;
  /** Puts a job into the source that the queue does not show until it is tracked; resolves with its id. */
  untrackedJobId(): Promise<string>;
  /** A source that signs in (Universal Print with a client id). */
  signInSourceId: string;
}

/** Records events in the order the bridge delivers them. */
export function recorder(bridge: PrintQueueBridge, names: EventName[]) {
  const seen: { event: EventName; payload: unknown }[] = [];
  const offs = names.map((event) => bridge.on(event, (payload: unknown) => seen.push({ event, payload })));
  return {
    seen,
    of<E extends EventName>(event: E): Events[E][] {
      return seen.filter((s) => s.event === event).map((s) => s.payload as Events[E]);
    },
    stop: () => offs.forEach((off) => off()),
  };
}

/** Resolves with the first event of `event` for which `match` holds. */
export function nextEvent<E extends EventName>(bridge: PrintQueueBridge, event: E, match: (p: Events[E]) => boolean = () => true): Promise<Events[E]> {
  return new Promise((resolve) => {
    const off = bridge.on(event, (p) => {
      if (!match(p)) return;
      off();
      resolve(p);
    });
  });
}

/** Resolves once a jobs:patch brings `key` into a state for which `match` holds. */
export function patchOf(bridge: PrintQueueBridge, key: string, match: (job: Partial<Job>) => boolean = () => true): Promise<Partial<Job>> {
  return new Promise((resolve) => {
    const off = bridge.on('jobs:patch', ({ patches }) => {
      for (const p of patches) {
        const seen = seenJob(p);
        if (seen && seen.key === key && match(seen)) {
          off();
          resolve(seen);
          return;
        }
      }
    });
  });
}

function seenJob(p: JobPatch): Partial<Job> | null {
  if (p.type === 'added') return p.job;
  if (p.type === 'changed') return { key: p.key, ...p.changes };
  return null;
}

async function call<K extends RequestName>(bridge: PrintQueueBridge, name: K, input: RequestInput<K>): Promise<Result<RequestOutput<K>>> {
  return bridge.request(name, input);
}

function valueOf<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected success, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

async function queueJob(bridge: PrintQueueBridge, key: string): Promise<Job | undefined> {
  const snap = valueOf(await call(bridge, 'getSnapshot', {}));
  return snap.jobs.find((j) => j.key === key);
}

/** Printing a file: upload progress arrives under the key of the job printed, whose row the window already has. */
export async function printWithProgress(t: ConformanceTarget): Promise<void> {
  const rec = recorder(t.bridge, ['print:progress', 'jobs:patch']);
  const printed = valueOf(await call(t.bridge, 'submitPrint', { sourceId: t.printSourceId, document: { type: 'file' }, printer: t.printer, title: 'Quarterly report' }));
  rec.stop();
  const progress = rec.of('print:progress');
  expect(progress.length).toBeGreaterThanOrEqual(2);
  expect(progress.map((p) => p.key)).toEqual(progress.map(() => printed.key));
  expect(progress[0]!.sentBytes).toBe(0);
  expect(progress.at(-1)!.sentBytes).toBe(progress.at(-1)!.totalBytes);
  expect(progress.at(-1)!.totalBytes).toBeGreaterThan(0);
  // The grid shows upload progress on the job's row: the row arrived before the first progress.
  const firstProgress = rec.seen.findIndex((s) => s.event === 'print:progress');
  const added = rec.seen.findIndex((s) => s.event === 'jobs:patch' && (s.payload as Events['jobs:patch']).patches.some((p) => p.type === 'added' && p.job.key === printed.key));
  expect(added).toBeGreaterThanOrEqual(0);
  expect(added).toBeLessThan(firstProgress);
  expect(printed).toMatchObject({ sourceId: t.printSourceId, document: 'report.pdf' });
  expect(await queueJob(t.bridge, printed.key)).toMatchObject({ key: printed.key });
}

/** "Stop upload" with the key the progress came under stops it: the job is canceled, the print fails saying so. */
export async function stopUpload(t: ConformanceTarget): Promise<void> {
  t.holdNextUpload();
  const first = nextEvent(t.bridge, 'print:progress');
  const printing = call(t.bridge, 'submitPrint', { sourceId: t.printSourceId, document: { type: 'file' }, printer: t.printer });
  const { key } = await first;
  const stopped = await call(t.bridge, 'cancelUpload', { key });
  expect(stopped).toMatchObject({ ok: true, value: { key, state: 'canceled' } });
  const printed = await printing;
  expect(printed).toMatchObject({ ok: false, error: { code: 'conflict', message: 'The upload of "report.pdf" was canceled; the job was not printed.' } });
  expect(await queueJob(t.bridge, key)).toMatchObject({ key, state: 'canceled' });
  const unknown = await call(t.bridge, 'cancelUpload', { key: `${t.printSourceId}:nothing-here` });
  expect(unknown).toMatchObject({ ok: false, error: { code: 'not-found', field: 'key' } });
}

/** Cancel answers the canceled job and the queue hears of it as a patch; an unknown key is not-found on `key`. */
export async function cancel(t: ConformanceTarget): Promise<void> {
  const key = await t.cancellableJob();
  const patched = patchOf(t.bridge, key, (j) => j.state === 'canceled');
  const r = await call(t.bridge, 'cancelJob', { key });
  expect(r).toMatchObject({ ok: true, value: { key, state: 'canceled' } });
  expect(await patched).toMatchObject({ key, state: 'canceled' });
  expect(await queueJob(t.bridge, key)).toMatchObject({ key, state: 'canceled' });
  expect(await call(t.bridge, 'cancelJob', { key: `${t.printSourceId}:nothing-here` })).toMatchObject({ ok: false, error: { code: 'not-found', field: 'key' } });
}

/** Tracking an id adds its job to the queue (as a patch too); an unknown source is not-found on `sourceId`. */
export async function track(t: ConformanceTarget): Promise<void> {
  const id = await t.untrackedJobId();
  const r = await call(t.bridge, 'trackJob', { sourceId: t.printSourceId, id });
  const job = valueOf(r);
  expect(job).toMatchObject({ sourceId: t.printSourceId });
  expect(job.key.startsWith(`${t.printSourceId}:`)).toBe(true);
  expect(job.key.endsWith(id)).toBe(true);
  expect(await queueJob(t.bridge, job.key)).toMatchObject({ key: job.key });
  expect(await call(t.bridge, 'trackJob', { sourceId: 'nosuch', id })).toMatchObject({ ok: false, error: { code: 'not-found', field: 'sourceId' } });
}

/** A saved setting is announced, answered and read back; two sources with one id are refused naming the field. */
export async function settingsSave(t: ConformanceTarget): Promise<void> {
  const before = valueOf(await call(t.bridge, 'getSettings', {}));
  // Every secret each source uses is listed, stored or not (the dialog shows which).
  expect(before.secrets.map((x) => `${x.sourceId}.${x.name}`)).toEqual(before.settings.sources.flatMap((c) => secretNamesFor(c).map((n) => `${c.id}.${n}`)));
  expect(before.secrets.find((x) => x.sourceId === t.printSourceId && x.name === 'TOKEN')?.present).toBe(true);
  const settings = { ...before.settings, history: { ...before.settings.history, retentionDays: 12 } };
  const rec = recorder(t.bridge, ['settings:changed']);
  const saved = valueOf(await call(t.bridge, 'saveSettings', { settings }));
  expect(saved.settings.history.retentionDays).toBe(12);
  // A save is announced once, with the settings now in effect, before its answer arrives.
  expect(rec.of('settings:changed')).toEqual([{ settings: saved.settings, problems: saved.problems }]);
  expect(saved.settings.sources.map((s) => s.id)).toEqual(before.settings.sources.map((s) => s.id));
  expect(valueOf(await call(t.bridge, 'getSettings', {})).settings.history.retentionDays).toBe(12);
  const twice = { ...settings, sources: [...settings.sources, settings.sources[0]!] };
  const refused = await call(t.bridge, 'saveSettings', { settings: twice });
  expect(refused).toMatchObject({ ok: false, error: { field: `settings.sources.${settings.sources.length}.id` } });
  rec.stop();
  // A refused save changed nothing, so nothing is announced.
  expect(rec.of('settings:changed')).toHaveLength(1);
  expect(valueOf(await call(t.bridge, 'getSettings', {})).settings.sources).toHaveLength(settings.sources.length);
}

/** Sign-in by device code: the code and where to enter it, then done, then the source's health. */
export async function signInEvents(t: ConformanceTarget): Promise<void> {
  const rec = recorder(t.bridge, ['signin:progress']);
  const r = await call(t.bridge, 'signIn', { sourceId: t.signInSourceId });
  rec.stop();
  expect(valueOf(r)).toMatchObject({ id: t.signInSourceId });
  // Where the browser cannot be used, the page it would have opened may be announced first.
  const all = rec.of('signin:progress');
  const opened = all.filter((s) => s.stage === 'browser');
  expect(all.slice(0, opened.length)).toEqual(opened);
  for (const b of opened) expect(b.stage === 'browser' && new URL(b.url).protocol).toBe('https:');
  const stages = all.slice(opened.length);
  expect(stages.map((s) => s.stage)).toEqual(['device-code', 'done']);
  const code = stages[0]!;
  if (code.stage !== 'device-code') throw new Error('unreachable');
  expect(code.sourceId).toBe(t.signInSourceId);
  expect(code.message).toContain(code.userCode);
  expect(code.message).toContain(code.verificationUri);
  expect(Date.parse(code.expiresAt)).toBeGreaterThan(Date.now());
  expect(stages[1]).toEqual({ sourceId: t.signInSourceId, stage: 'done' });
  expect(await call(t.bridge, 'signIn', { sourceId: 'nosuch' })).toMatchObject({ ok: false, error: { code: 'not-found', field: 'sourceId' } });
}

/**
 * What a source can do comes with its health, as the source declares it: Universal Print tracks,
 * prints, stops uploads, prints again, signs in and out and has details on demand, and has no
 * service panel; an action a source cannot do is refused as unsupported, naming the source.
 */
export async function capabilities(t: ConformanceTarget): Promise<void> {
  const snap = valueOf(await call(t.bridge, 'getSnapshot', {}));
  const health = snap.sources.find((s) => s.id === t.printSourceId);
  expect(health?.capabilities).toEqual({
    track: true,
    print: true,
    cancelUpload: true,
    retry: true,
    saveOutput: false,
    servicePanel: false,
    serviceControl: false,
    signIn: true,
    signOut: true,
    details: true,
  });
  expect(await call(t.bridge, 'getServiceInfo', { sourceId: t.printSourceId })).toMatchObject({ ok: false, error: { code: 'unsupported', message: `${health!.name} cannot show service details.` } });
}

/**
 * A job that ends is in the stored history with its timeline, newest first; `timelines: false`
 * answers the same entries with empty timelines, `limit` the newest; a malformed option is refused
 * naming it.
 */
export async function history(t: ConformanceTarget): Promise<void> {
  const key = await t.cancellableJob();
  const patched = patchOf(t.bridge, key, (j) => j.state === 'canceled');
  valueOf(await call(t.bridge, 'cancelJob', { key }));
  await patched;
  const full = valueOf(await call(t.bridge, 'queryHistory', {}));
  const entry = full.find((e) => e.job.key === key);
  expect(entry?.job.state).toBe('canceled');
  expect(entry!.timeline.at(-1)).toMatchObject({ state: 'canceled' });
  const bare = valueOf(await call(t.bridge, 'queryHistory', { timelines: false }));
  expect(bare).toEqual(full.map((e) => ({ finishedAt: e.finishedAt, job: e.job, timeline: [] })));
  expect(valueOf(await call(t.bridge, 'queryHistory', { limit: 1, timelines: false }))).toEqual(bare.slice(0, 1));
  expect(valueOf(await call(t.bridge, 'queryHistory', { since: entry!.finishedAt, timelines: false })).map((e) => e.job.key)).toContain(key);
  const refused = await call(t.bridge, 'queryHistory', { timelines: 'no' } as unknown as { timelines: boolean });
  expect(refused).toMatchObject({ ok: false, error: { code: 'invalid-input', field: 'timelines' } });
}

export const SCENARIOS = { printWithProgress, stopUpload, cancel, track, settingsSave, signInEvents, capabilities, history } as const;
