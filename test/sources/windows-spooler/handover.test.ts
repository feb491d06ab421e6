/**
 * The hand-over from ScriptX.Services on this PC to this PC's Windows print queue, with both real
 * sources in the real engine: the ScriptX source against the ScriptX simulator, the spooler source
 * against the PowerShell stand-in, and the notification rules on the engine's events. The spooler
 * job appears in the stand-in when the ScriptX job starts printing, as Windows spools it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createNotificationRules, type NotificationSpec } from '../../../preload/contract/notification-rules';
import { createQueueEngine } from '../../../main/queue/engine';
import type { QueueEngine } from '../../../main/queue/engine-types';
import { HANDOVER_WINDOW_MS } from '../../../main/queue/handover';
import { createWindowsSpoolerSource } from '../../../main/sources/windows-spooler/source';
import { NotificationSettings, PollingSettings, type Job } from '../../../preload/contract/model';
import { createStandIn, type StandIn, type StandInJob } from '../../simulators/windows-spooler/stand-in';
import { harness, type Harness } from '../scriptx/helpers';

const STEP = 2_000;
let h: Harness | null = null;
let standIn: StandIn | null = null;
let engine: QueueEngine | null = null;
afterEach(async () => {
  await engine?.stop();
  engine = null;
  standIn?.stop();
  standIn = null;
  await h?.close();
  h = null;
});

const OFFICE = { Name: 'Office Laser', PrinterStatus: 3, DetectedErrorState: 2, WorkOffline: false, ExtendedPrinterStatus: 2 };
const LABELS = { ...OFFICE, Name: 'Labels' };

async function rig() {
  h = await harness({ sim: { stepMs: STEP, printers: [{ name: 'Office Laser', isDefault: true, isLocal: true, isNetwork: false }, { name: 'Labels', isLocal: true, isNetwork: false }] } });
  standIn = createStandIn({ printers: [OFFICE, LABELS], jobs: [] });
  const spooler = createWindowsSpoolerSource({ id: 'pc', kind: 'windows-spooler' }, h.deps, { spawnHost: standIn.spawn, user: 'Alex', platform: 'linux' });
  engine = createQueueEngine({ sources: [h.source, spooler], polling: PollingSettings.parse({}), clock: h.clock, random: () => 0 });
  const told: NotificationSpec[] = [];
  const rules = createNotificationRules({ clock: h.clock, settings: () => NotificationSettings.parse({}), deliver: (s) => told.push(s), coalesceMs: 0 });
  engine.subscribe((e) => rules.handle(e));
  const hh = h;
  const eng = engine;
  /** One poll of both sources, a second of fake time later; notifications due are delivered. */
  const step = async (ms = 1_000): Promise<void> => {
    await hh.clock.advance(ms);
    const polled = eng.pollOnce();
    await hh.clock.advance(0);
    await polled;
    rules.flush();
  };
  const job = (key: string): Job => eng.getJob(key)!;
  /** A ScriptX job of this title on this printer, followed from its token; polled once. */
  const print = async (printer: string): Promise<string> => {
    const token = hh.sim.addJob();
    await eng.track('local', token, { title: 'Invoice 42.pdf', printer });
    await step();
    return `local:${token}`;
  };
  const until = async (key: string, state: Job['state']): Promise<void> => {
    while (job(key).state !== state) await step();
  };
  return { h: hh, standIn, engine: eng, told, step, job, print, until };
}

const spooled = (JobId: number, over: Partial<StandInJob> = {}): StandInJob => ({ printer: 'Office Laser', JobId, Document: 'Invoice 42.pdf', Owner: 'alex', StatusMask: 8, TotalPages: 7, PagesPrinted: 0, Size: 40_960, ...over });

describe('a ScriptX job followed into the Windows queue', () => {
  it('links the spooler job that appeared for it, follows it to paper, and tells only the outcome', async () => {
    const r = await rig();
    const key = await r.print('office laser');
    // Until it prints: the queue's other jobs of another name or printer are not it.
    await r.standIn.control({ type: 'job', job: spooled(3, { Document: 'Other.pdf', StatusMask: 0, submittedMs: r.h.clock.now() }) });
    await r.until(key, 'printing');
    await r.standIn.control({ type: 'job', job: spooled(12, { submittedMs: r.h.clock.now() }) });
    await r.standIn.control({ type: 'job', job: spooled(13, { printer: 'Labels', submittedMs: r.h.clock.now() }) });
    await r.until(key, 'completed');
    await r.step();
    expect(r.job(key).handover).toEqual({ status: 'linked', printer: 'Office Laser', key: 'pc:Office%20Laser/12', state: 'processing', reason: 'Spooling', pages: 7, pagesPrinted: 0, candidates: 0 });
    expect(r.job('pc:Office%20Laser/12').handedOverBy).toBe(key);
    expect(r.job('pc:Labels/13').handedOverBy ?? null).toBeNull();
    expect(r.job('pc:Office%20Laser/3').handedOverBy ?? null).toBeNull();
    // ScriptX's "completed" is only the hand-over: not told as printed.
    expect(r.told).toEqual([]);
    // The details of either job carry the other one with its own timeline.
    const both = await r.engine.details(key);
    expect(both.timeline.map((e) => e.state).slice(-2)).toEqual(['printing', 'completed']);
    expect(both.linked?.job.key).toBe('pc:Office%20Laser/12');
    expect(both.linked?.timeline.map((e) => e.rawState)).toEqual(['8 Spooling']);
    expect((await r.engine.details('pc:Office%20Laser/12')).linked?.job.key).toBe(key);

    await r.standIn.control({ type: 'job', job: spooled(12, { StatusMask: 16, PagesPrinted: 3 }) });
    await r.step();
    expect(r.job(key).handover).toMatchObject({ state: 'printing', pagesPrinted: 3, pages: 7 });
    await r.standIn.control({ type: 'job', job: spooled(12, { StatusMask: 16 | 64, PagesPrinted: 3 }) });
    await r.step();
    expect(r.job(key).handover).toMatchObject({ state: 'paused', reason: 'Out of paper' });
    expect(r.told).toEqual([expect.objectContaining({ event: 'stuck', title: 'Stuck: Invoice 42.pdf', body: 'Waiting in the Windows queue of Office Laser: Out of paper.', sourceId: 'local' })]);

    await r.standIn.control({ type: 'job', job: spooled(12, { StatusMask: 16, PagesPrinted: 6 }) });
    await r.step();
    await r.standIn.control({ type: 'remove', printer: 'Office Laser', jobId: 12 });
    await r.step();
    expect(r.job(key).handover).toMatchObject({ status: 'linked', state: 'completed', reason: 'Printed', pagesPrinted: 7 });
    expect(r.told.slice(1)).toEqual([expect.objectContaining({ event: 'completed', title: 'Printed: Invoice 42.pdf', body: 'Printed on Office Laser.', key: 'pc:Office%20Laser/12', sourceId: 'local' })]);
    // The link stays once the spooler job has left the queue.
    await r.step(HANDOVER_WINDOW_MS * 2);
    expect(r.job(key).handover).toMatchObject({ status: 'linked', state: 'completed' });
  });

  it('links none when two jobs of that name are in the queue, and says so once', async () => {
    const r = await rig();
    const key = await r.print('Office Laser');
    await r.until(key, 'printing');
    await r.standIn.control({ type: 'job', job: spooled(20, { submittedMs: r.h.clock.now() }) });
    await r.standIn.control({ type: 'job', job: spooled(21, { submittedMs: r.h.clock.now() }) });
    await r.until(key, 'completed');
    await r.step();
    expect(r.job(key).handover).toMatchObject({ status: 'ambiguous', candidates: 2, key: null });
    expect(r.job('pc:Office%20Laser/20').handedOverBy ?? null).toBeNull();
    expect(r.told).toEqual([expect.objectContaining({ event: 'completed', title: 'Sent to the printer: Invoice 42.pdf', body: expect.stringContaining('2 jobs of that name are in the Windows queue') })]);
  });

  it('waits a minute for the spooler job, then says none appeared', async () => {
    const r = await rig();
    const key = await r.print('Office Laser');
    await r.until(key, 'completed');
    expect(r.job(key).handover).toMatchObject({ status: 'waiting', printer: 'Office Laser' });
    expect(r.told).toEqual([]);
    await r.step(HANDOVER_WINDOW_MS + 1_000);
    expect(r.job(key).handover).toMatchObject({ status: 'unmatched' });
    expect(r.told).toEqual([expect.objectContaining({ event: 'completed', title: 'Sent to the printer: Invoice 42.pdf', body: expect.stringContaining('no job of that name appeared'), key })]);
  });

  it('leaves a job printed to a printer the spooler source does not watch as it was', async () => {
    const r = await rig();
    const key = await r.print('Microsoft Print to PDF');
    await r.until(key, 'completed');
    expect(r.job(key).handover ?? null).toBeNull();
    expect(r.told).toEqual([expect.objectContaining({ event: 'completed', title: 'Printed: Invoice 42.pdf' })]);
  });
});
