/** The hand-over rule: which Windows spooler job a completed ScriptX job became (main/queue/handover.ts). */
import { describe, expect, it } from 'vitest';
import { HANDOVER_WINDOW_MS, HandoverLinker, handedJobOf, handoverOf, matchHandovers, printerIdentity, sameDocument, samePrinter, type HandedJob, type SpooledJob } from '../../../main/queue/handover';
import type { Job } from '../../../preload/contract/model';
import { makeJob } from '../../helpers/fake-bridge';

const T = Date.UTC(2026, 0, 5, 9, 0, 0);
const handed = (key: string, over: Partial<HandedJob> = {}): HandedJob => ({ key, printer: 'Office Laser', document: 'Invoice 42.pdf', completedAt: T, printingAt: T - 5_000, ...over });
const spooled = (key: string, over: Partial<SpooledJob> = {}): SpooledJob => ({ key, printer: 'Office Laser', document: 'Invoice 42.pdf', submittedAt: T - 3_000, ...over });

describe('printer and document names, compared as Windows does', () => {
  it('ignores case, slashes and white space around; a server by its short or full name', () => {
    expect(samePrinter('Office Laser', ' office laser ')).toBe(true);
    expect(samePrinter('\\\\PRINT01\\Front desk', '\\\\print01\\front desk')).toBe(true);
    expect(samePrinter('//print01/Front desk', '\\\\print01\\Front desk')).toBe(true);
    expect(samePrinter('\\\\print01.corp.example.com\\Front desk', '\\\\print01\\Front desk')).toBe(true);
    expect(printerIdentity('\\\\10.0.0.5\\Labels')).toBe('\\\\10.0.0.5\\labels');
    expect(samePrinter('\\\\10.0.0.5\\Labels', '\\\\10.0.0.6\\Labels')).toBe(false);
    expect(samePrinter('\\\\print01\\Front desk', '\\\\print02\\Front desk')).toBe(false);
    expect(samePrinter('Office Laser', 'Office Laser 2')).toBe(false);
    expect(samePrinter(null, 'Office Laser')).toBe(false);
    expect(samePrinter('', '')).toBe(false);
  });

  it('compares documents without case and with runs of white space as one', () => {
    expect(sameDocument('Invoice  42.pdf', ' invoice 42.PDF')).toBe(true);
    expect(sameDocument('Cafe\u0301 menu', 'Café menu')).toBe(true);
    expect(sameDocument('Invoice 42.pdf', 'Invoice 43.pdf')).toBe(false);
    expect(sameDocument(null, null)).toBe(false);
    expect(sameDocument('', '')).toBe(false);
  });
});

describe('matching', () => {
  it('links the one spooler job on the printer, of the document, within the window', () => {
    const m = matchHandovers([handed('local:a')], [spooled('pc:Office%20Laser/1'), spooled('pc:Labels/2', { printer: 'Labels' }), spooled('pc:Office%20Laser/3', { document: 'Other.pdf' })]);
    expect(m.get('local:a')).toEqual({ status: 'linked', spooler: 'pc:Office%20Laser/1' });
  });

  it('holds to the window: from a minute before printing to a minute after completion', () => {
    const at = (submittedAt: number) => matchHandovers([handed('local:a')], [spooled('s', { submittedAt })]).get('local:a')!.status;
    expect(at(T - 5_000 - HANDOVER_WINDOW_MS)).toBe('linked');
    expect(at(T - 5_000 - HANDOVER_WINDOW_MS - 1)).toBe('none');
    expect(at(T + HANDOVER_WINDOW_MS)).toBe('linked');
    expect(at(T + HANDOVER_WINDOW_MS + 1)).toBe('none');
    // Never seen printing: the window opens a minute before completion.
    expect(matchHandovers([handed('local:a', { printingAt: null })], [spooled('s', { submittedAt: T - HANDOVER_WINDOW_MS - 1 })]).get('local:a')!.status).toBe('none');
    expect(matchHandovers([handed('local:a')], [spooled('s', { submittedAt: null })]).get('local:a')!.status).toBe('none');
  });

  it('links none when there are several candidates either way, and says how many', () => {
    const two = matchHandovers([handed('local:a')], [spooled('s1'), spooled('s2', { submittedAt: T })]);
    expect(two.get('local:a')).toEqual({ status: 'ambiguous', candidates: 2 });
    // Two ScriptX jobs of one name and one spooler job: neither is linked to it.
    const claimed = matchHandovers([handed('local:a'), handed('local:b', { completedAt: T + 2_000 })], [spooled('s1')]);
    expect(claimed.get('local:a')).toEqual({ status: 'ambiguous', candidates: 2 });
    expect(claimed.get('local:b')).toEqual({ status: 'ambiguous', candidates: 2 });
  });

  it('keeps a link once made, and its spooler job is nobody else\'s candidate', () => {
    const kept = new Map([['local:a', 's1']]);
    const m = matchHandovers([handed('local:a'), handed('local:b', { completedAt: T + 20_000, printingAt: T + 15_000 })], [spooled('s1'), spooled('s2', { submittedAt: T + 16_000 })], kept);
    expect(m.get('local:a')).toEqual({ status: 'linked', spooler: 's1' });
    expect(m.get('local:b')).toEqual({ status: 'linked', spooler: 's2' });
    // The same pair without the kept link would be ambiguous.
    expect(matchHandovers([handed('local:a'), handed('local:b', { completedAt: T + 20_000, printingAt: T + 15_000 })], [spooled('s1'), spooled('s2', { submittedAt: T + 16_000 })]).get('local:a')?.status).toBe('ambiguous');
    // A kept link whose spooler job is gone is matched afresh.
    expect(matchHandovers([handed('local:a')], [spooled('s3')], kept).get('local:a')).toEqual({ status: 'linked', spooler: 's3' });
  });
});

describe('the Handover a ScriptX job shows', () => {
  const sp = (over: Partial<Job> = {}): Job => makeJob({ key: 's1', sourceId: 'pc', sourceKind: 'windows-spooler', printer: 'Office Laser', state: 'printing', reason: null, pages: 7, pagesPrinted: 3, ...over });

  it('follows the linked spooler job: state, reason, pages; a job gone before it printed says so', () => {
    expect(handoverOf(handed('local:a'), { status: 'linked', spooler: 's1' }, sp(), T)).toEqual({ status: 'linked', printer: 'Office Laser', key: 's1', state: 'printing', reason: null, pages: 7, pagesPrinted: 3, candidates: 0 });
    expect(handoverOf(handed('local:a'), { status: 'linked', spooler: 's1' }, sp({ state: 'paused', reason: 'Out of paper' }), T)).toMatchObject({ state: 'paused', reason: 'Out of paper' });
    expect(handoverOf(handed('local:a'), { status: 'linked', spooler: 's1' }, sp({ state: 'queued', gone: true }), T)).toMatchObject({ state: 'queued', reason: 'No longer in the Windows queue' });
  });

  it('waits for a minute after completion, then says none appeared', () => {
    expect(handoverOf(handed('local:a'), { status: 'none' }, undefined, T + HANDOVER_WINDOW_MS)).toMatchObject({ status: 'waiting', key: null, printer: 'Office Laser' });
    expect(handoverOf(handed('local:a'), { status: 'none' }, undefined, T + HANDOVER_WINDOW_MS + 1)).toMatchObject({ status: 'unmatched', key: null });
    expect(handoverOf(handed('local:a'), { status: 'ambiguous', candidates: 3 }, undefined, T)).toMatchObject({ status: 'ambiguous', candidates: 3 });
  });

  it('takes the times from the timeline: first seen printing, last seen completed', () => {
    const job = makeJob({ key: 'local:a', state: 'completed', updatedAt: new Date(T + 99_000).toISOString() });
    const iso = (ms: number) => new Date(ms).toISOString();
    expect(handedJobOf(job, [{ at: iso(T - 9_000), state: 'queued' }, { at: iso(T - 5_000), state: 'printing' }, { at: iso(T - 4_000), state: 'printing' }, { at: iso(T), state: 'completed' }])).toMatchObject({ printingAt: T - 5_000, completedAt: T });
    expect(handedJobOf(job, [])).toMatchObject({ printingAt: null, completedAt: T + 99_000 });
  });
});

describe('the linker', () => {
  const sx = (over: Partial<Job> = {}) => makeJob({ key: 'local:a', sourceId: 'local', state: 'completed', document: 'Invoice 42.pdf', printer: 'office laser', updatedAt: new Date(T).toISOString(), ...over });
  const sp = (over: Partial<Job> = {}) => makeJob({ key: 'pc:Office%20Laser/1', sourceId: 'pc', sourceKind: 'windows-spooler', printer: 'Office Laser', document: 'Invoice 42.pdf', createdAt: new Date(T - 1_000).toISOString(), state: 'printing', pages: 7, pagesPrinted: 3, ...over });
  const input = (scriptx: Job[], spooler: Job[], nowMs = T, printers = ['Office Laser']) => ({ nowMs, scriptx, spooler, printers, timelineOf: () => [] });

  it('says which fields change on both jobs, and nothing when nothing changed', () => {
    const linker = new HandoverLinker();
    const updates = linker.run(input([sx()], [sp()]));
    expect(updates).toEqual([
      { key: 'local:a', changes: { handover: expect.objectContaining({ status: 'linked', key: 'pc:Office%20Laser/1', pagesPrinted: 3 }) } },
      { key: 'pc:Office%20Laser/1', changes: { handedOverBy: 'local:a' } },
    ]);
    const linked = sx({ handover: updates[0].changes.handover });
    expect(linker.run(input([linked], [sp({ handedOverBy: 'local:a' })]))).toEqual([]);
    expect(linker.run(input([linked], [sp({ handedOverBy: 'local:a', pagesPrinted: 4 })]))).toEqual([{ key: 'local:a', changes: { handover: expect.objectContaining({ pagesPrinted: 4 }) } }]);
  });

  it('leaves jobs on printers no spooler source watches, and jobs not completed, without a hand-over', () => {
    const linker = new HandoverLinker();
    expect(linker.run(input([sx({ printer: 'Elsewhere' }), sx({ key: 'local:b', state: 'printing' }), sx({ key: 'local:c', extra: { toFile: true } })], [sp({ document: 'x' })]))).toEqual([]);
    // A hand-over shown before is taken back when it no longer applies.
    expect(linker.run(input([sx({ printer: 'Elsewhere', handover: handoverOf(handed('local:a'), { status: 'none' }, undefined, T) })], []))).toEqual([{ key: 'local:a', changes: { handover: null } }]);
  });

  it('keeps the last word of a linked spooler job that has left the queue', () => {
    const linker = new HandoverLinker();
    const [first] = linker.run(input([sx()], [sp({ state: 'completed' })]));
    expect(linker.run(input([sx({ handover: first.changes.handover })], []))).toEqual([]);
  });
});
