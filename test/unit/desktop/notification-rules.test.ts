import { describe, expect, it } from 'vitest';
import { createNotificationRules, type NotificationSpec } from '../../../preload/contract/notification-rules';
import { NotificationSettings, type Job, type JobState } from '../../../preload/contract/model';
import { FakeClock } from '../../helpers/fake-clock';
import { makeHealth, makeJob } from '../../helpers/fake-bridge';

function setup(over: Partial<NotificationSettings> = {}) {
  const clock = new FakeClock();
  const shown: NotificationSpec[] = [];
  let settings = NotificationSettings.parse(over);
  const rules = createNotificationRules({ clock, settings: () => settings, deliver: (s) => shown.push(s), coalesceMs: 2000 });
  const transition = (job: Job, from: JobState | null, to: JobState) => rules.handle({ type: 'transition', job: { ...job, state: to }, from, to });
  const settle = () => clock.advance(2000);
  return { clock, shown, rules, transition, settle, set: (s: Partial<NotificationSettings>) => (settings = NotificationSettings.parse(s)) };
}

describe('notification rules', () => {
  it('a completed own job: one notification after the coalescing window, click opens the job', async () => {
    const s = setup();
    const job = makeJob({ key: 'local:1', document: 'Invoice.pdf', printer: 'HP 1' });
    s.transition(job, 'printing', 'completed');
    expect(s.shown).toEqual([]);
    await s.settle();
    expect(s.shown).toEqual([{ event: 'completed', title: 'Printed: Invoice.pdf', body: 'Completed on HP 1.', key: 'local:1', sourceId: 'local', count: 1 }]);
  });

  it('a job without a printer is said to be on its source by name, never by the source\'s id', async () => {
    const s = setup();
    // Learned from the source's health, as the app's events give it.
    s.rules.handle({ type: 'health', source: makeHealth({ id: 'local', name: 'ScriptX.Services on this PC', status: 'ok' }) });
    s.transition(makeJob({ key: 'local:74', document: null, printer: null }), 'printing', 'completed');
    s.rules.handle({ type: 'stuck', job: makeJob({ key: 'local:75', document: 'Slow.pdf', printer: null, detail: 'The PDF engine is printing the content.', stuck: true }) });
    await s.settle();
    expect(s.shown.map((n) => n.body)).toEqual(['Completed on ScriptX.Services on this PC.', 'No progress on ScriptX.Services on this PC: The PDF engine is printing the content.']);
    // Without the service's words, the state in words, not its code ("3 pending (none)").
    s.rules.handle({ type: 'stuck', job: makeJob({ key: 'cups:office/3', sourceId: 'cups', sourceKind: 'ipp', document: 'Memo', printer: 'Office', detail: null, state: 'queued', rawState: '3 pending (none)', stuck: true }) });
    await s.settle();
    expect(s.shown.at(-1)?.body).toBe('No progress on Office for a while; it is still waiting in the queue.');
    s.shown.length = 2;
    // A name given by the window's own list of sources wins; without any, no id is shown.
    const named = createNotificationRules({ clock: s.clock, settings: () => NotificationSettings.parse({}), deliver: (spec) => s.shown.push(spec), coalesceMs: 0, sourceName: (id) => (id === 'up' ? 'Universal Print' : undefined) });
    named.handle({ type: 'transition', job: makeJob({ key: 'up:s1/9', sourceId: 'up', sourceKind: 'graph', document: 'A.pdf', printer: null, state: 'completed' }), from: 'printing', to: 'completed' });
    await s.clock.advance(0);
    named.handle({ type: 'transition', job: makeJob({ key: 'x:9', sourceId: 'x', document: 'B.pdf', printer: null, state: 'completed' }), from: 'printing', to: 'completed' });
    await s.clock.advance(0);
    expect(s.shown.slice(2).map((n) => n.body)).toEqual(['Completed on Universal Print.', 'Completed on its print service.']);
  });

  it('at most one per job transition, and none for a first sighting', async () => {
    const s = setup();
    const job = makeJob({ key: 'local:1' });
    s.transition(job, null, 'completed');
    s.transition(job, 'printing', 'failed');
    s.transition(job, 'printing', 'failed');
    await s.settle();
    s.transition(job, 'printing', 'failed');
    await s.settle();
    expect(s.shown.map((n) => n.event)).toEqual(['failed']);
  });

  it('own jobs only by default; everyone\'s when switched', async () => {
    const s = setup();
    s.transition(makeJob({ mine: false }), 'printing', 'completed');
    await s.settle();
    expect(s.shown).toHaveLength(0);
    s.set({ ownJobsOnly: false });
    s.transition(makeJob({ mine: false }), 'printing', 'completed');
    await s.settle();
    expect(s.shown).toHaveLength(1);
  });

  it('switchable per event, per source, and silenced by do-not-disturb', async () => {
    const s = setup({ events: { completed: false, failed: true, canceledByOther: true, stuck: true, sourceProblem: true, licenseExpiring: true }, sources: { ao: false } });
    s.transition(makeJob(), 'printing', 'completed');
    s.transition(makeJob({ sourceId: 'ao' }), 'printing', 'failed');
    await s.settle();
    expect(s.shown).toHaveLength(0);
    s.transition(makeJob(), 'printing', 'failed');
    await s.settle();
    expect(s.shown).toHaveLength(1);
    s.set({ doNotDisturb: true });
    s.transition(makeJob(), 'printing', 'failed');
    await s.settle();
    expect(s.shown).toHaveLength(1);
  });

  it('coalesces many arriving together: "12 jobs completed"', async () => {
    const s = setup();
    for (let i = 0; i < 12; i++) s.transition(makeJob({ document: `Doc ${i}` }), 'printing', 'completed');
    s.transition(makeJob({ document: 'Bad' }), 'printing', 'failed');
    await s.settle();
    expect(s.shown).toHaveLength(2);
    expect(s.shown[0]).toMatchObject({ event: 'completed', title: '12 jobs completed', body: 'Doc 0, Doc 1, Doc 2, and 9 more', count: 12, sourceId: 'local' });
    expect(s.shown[0].key).toBeUndefined();
    expect(s.shown[1]).toMatchObject({ event: 'failed', count: 1 });
  });

  it('a cancel made in this app is not reported as someone else\'s', async () => {
    const s = setup();
    const mineCancelled = makeJob({ key: 'local:own' });
    s.rules.noteOwnAction('local:own');
    s.transition(mineCancelled, 'queued', 'canceled');
    s.transition(makeJob({ key: 'local:other', document: 'Other' }), 'queued', 'canceled');
    await s.settle();
    expect(s.shown).toEqual([expect.objectContaining({ event: 'canceledByOther', title: 'Canceled: Other', key: 'local:other' })]);
  });

  it('stuck once per stall; a source going down or needing sign-in once per change', async () => {
    const s = setup();
    const job = makeJob({ key: 'local:s', updatedAt: '2026-01-05T09:00:00.000Z' });
    s.rules.handle({ type: 'stuck', job });
    s.rules.handle({ type: 'stuck', job });
    const down = makeHealth({ id: 'up', name: 'Universal Print', status: 'down', message: 'The service could not be reached.' });
    s.rules.handle({ type: 'health', source: down });
    s.rules.handle({ type: 'health', source: down });
    await s.settle();
    expect(s.shown.map((n) => n.title)).toEqual(['Stuck: Document ' + job.document!.replace('Document ', ''), 'Universal Print is unreachable']);
    s.rules.handle({ type: 'health', source: { ...down, status: 'ok' } });
    s.rules.handle({ type: 'health', source: { ...down, status: 'auth-required' } });
    await s.settle();
    expect(s.shown.at(-1)).toMatchObject({ event: 'sourceProblem', title: 'Universal Print needs sign-in' });
  });

  it('warns about an expiring license once per threshold', async () => {
    const s = setup();
    const h = (days: number) => makeHealth({ id: 'local', name: 'ScriptX', detail: { license: { expiresInDays: days } } });
    s.rules.handle({ type: 'health', source: h(45) });
    s.rules.handle({ type: 'health', source: h(29) });
    s.rules.handle({ type: 'health', source: h(28) });
    await s.settle();
    s.rules.handle({ type: 'health', source: h(6) });
    await s.settle();
    expect(s.shown.map((n) => n.title)).toEqual(['The ScriptX license expires in 29 days', 'The ScriptX license expires in 6 days']);
  });
});

describe('notification rules: the hand-over to this PC\'s Windows queue', () => {
  const handover = { status: 'waiting' as const, printer: 'Office Laser', key: null, state: null, reason: null, pages: null, pagesPrinted: null, candidates: 0 };
  const sx = makeJob({ key: 'local:t1', document: 'Invoice.pdf', printer: 'Office Laser', handover });
  const sp = makeJob({ key: 'pc:Office%20Laser/12', sourceId: 'pc', sourceKind: 'windows-spooler', document: 'Invoice.pdf', printer: 'Office Laser', mine: false, handedOverBy: 'local:t1' });

  it('tells the spooler job\'s outcome under the ScriptX source\'s settings, the user\'s job', async () => {
    const s = setup({ sources: { pc: false } });
    s.transition(sx, 'printing', 'completed');
    s.transition({ ...sp, reason: 'Paused' }, 'printing', 'paused');
    s.transition({ ...sp, reason: 'Out of paper' }, 'printing', 'paused');
    s.transition(sp, 'paused', 'completed');
    await s.settle();
    expect(s.shown).toEqual([
      { event: 'stuck', title: 'Stuck: Invoice.pdf', body: 'Waiting in the Windows queue of Office Laser: Out of paper.', key: 'pc:Office%20Laser/12', sourceId: 'local', count: 1 },
      { event: 'completed', title: 'Printed: Invoice.pdf', body: 'Printed on Office Laser.', key: 'pc:Office%20Laser/12', sourceId: 'local', count: 1 },
    ]);
    s.set({ sources: { local: false } });
    s.transition({ ...sp, key: 'pc:Office%20Laser/13' }, 'printing', 'completed');
    await s.settle();
    expect(s.shown).toHaveLength(2);
  });

  it('a hand-over no spooler job could be linked to is told once, as sent to the printer', async () => {
    const s = setup();
    s.transition(sx, 'printing', 'completed');
    await s.settle();
    expect(s.shown).toEqual([]);
    s.rules.handle({ type: 'patches', patches: [{ type: 'changed', key: 'local:t1', changes: { handover: { ...handover, status: 'unmatched' } } }] });
    s.rules.handle({ type: 'patches', patches: [{ type: 'changed', key: 'local:t1', changes: { handover: { ...handover, status: 'unmatched' } } }] });
    await s.settle();
    expect(s.shown).toEqual([expect.objectContaining({ event: 'completed', title: 'Sent to the printer: Invoice.pdf', key: 'local:t1', body: expect.stringContaining('whether it printed is not known') })]);
    // Ambiguous already at completion: told at once.
    s.transition({ ...sx, key: 'local:t2', handover: { ...handover, status: 'ambiguous', candidates: 2 } }, 'printing', 'completed');
    await s.settle();
    expect(s.shown[1]).toMatchObject({ title: 'Sent to the printer: Invoice.pdf', body: expect.stringContaining('2 jobs of that name') });
  });
});
