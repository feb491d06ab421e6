/**
 * The job table and the text form of answers and events (preload/contract/wire.ts), which both
 * transports carry to the window: any list of JSON objects reads back exactly as JSON would carry
 * it, a malformed table or text is refused with the part that is wrong.
 */
import { describe, expect, it } from 'vitest';
import { answerText, answerTextInSteps, compactAnswer, decodeTable, encodeTable, encodeTableSteps, eventText, expandAnswer, isWireTable, readAnswer, readEvent, WireError, type WireTable } from '../../../preload/contract/wire';
import { seededRandom } from '../../helpers/seeded-random';
import { sampleJob } from '../web/fake-core';

/** What a list becomes when it travels as plain JSON. */
const viaJson = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
/** What it becomes as a table. */
const viaTable = (rows: object[]): unknown => decodeTable(JSON.parse(JSON.stringify(encodeTable(rows))));

describe('encodeTable and decodeTable', () => {
  it('carries a snapshot of jobs in a third of the JSON, and reads it back exactly', () => {
    const states = ['queued', 'printing', 'completed'] as const;
    const jobs = Array.from({ length: 3000 }, (_, i) =>
      sampleJob({
        key: `local:j-${i}`,
        nativeId: `j-${i}`,
        document: `Report ${i}.pdf`,
        state: states[i % 3],
        rawState: states[i % 3],
        owner: `user${i % 7}`,
        printer: `Printer ${i % 12}`,
        progress: i % 3 === 1 ? (i % 100) / 100 : null,
        createdAt: new Date(Date.UTC(2026, 0, 5) + i * 7000).toISOString(),
        updatedAt: new Date(Date.UTC(2026, 0, 5) + i * 9000).toISOString(),
        lastSeenAt: '2026-01-06T00:00:00.000Z',
        cancel: i % 3 === 0 ? { allowed: true } : { allowed: false, reason: 'The job is finished.' },
        ...(i % 5 === 0 ? { abort: { allowed: true } } : {}),
        extra: i % 10 === 0 ? { tasks: [{ id: `t${i}`, state: 'completed' }] } : {},
      }),
    );
    const table = encodeTable(jobs);
    expect(JSON.stringify(table).length).toBeLessThan(JSON.stringify(jobs).length / 2.5);
    // Timestamps travel as their text: as many values, or one value shared by every row.
    expect(table.cols.find((c) => c.k === 'createdAt')).toMatchObject({ v: jobs.map((j) => j.createdAt) });
    expect(table.cols.find((c) => c.k === 'lastSeenAt')).toMatchObject({ d: ['2026-01-06T00:00:00.000Z'] });
    expect(table.cols.find((c) => c.k === 'state')).toMatchObject({ d: ['queued', 'printing', 'completed'] });
    expect(table.cols.find((c) => c.k === 'abort')?.a).toHaveLength(2400);
    const back = viaTable(jobs) as typeof jobs;
    expect(back).toEqual(viaJson(jobs));
    // Rows with the same fields keep them in the same order.
    expect(Object.keys(back[3]!)).toEqual(Object.keys(viaJson(jobs[3]) as object));
    // Absent fields stay absent (not present as undefined or null).
    expect('abort' in back[1]!).toBe(false);
    expect(back[0]!.abort).toEqual({ allowed: true });
  });

  it('reads back any list of JSON objects as JSON would carry it', () => {
    const random = seededRandom(42);
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const values = (): unknown =>
      pick([
        () => null,
        () => undefined,
        () => random() < 0.5,
        () => Math.floor(random() * 1000) - 500,
        () => random() * 1e6,
        () => -0,
        () => Number.NaN,
        () => pick(['', 'a', 'é', '\u2028', '"quoted"', '2026-01-05T09:00:00.000Z', '2026-02-30T09:00:00.000Z', '0042']),
        () => new Date(Math.floor(random() * 4e12)).toISOString(),
        () => ({ allowed: random() < 0.5 }),
        () => [1, 'two', { three: 3 }],
        () => ({}),
      ])();
    for (let round = 0; round < 60; round++) {
      const names = ['key', 'state', 'at', 'n', '__proto__', 'constructor', 'with space', ''].slice(0, 1 + Math.floor(random() * 8));
      const rows = Array.from({ length: Math.floor(random() * 80) }, () => {
        const row: Record<string, unknown> = {};
        for (const k of names) if (random() < 0.8) Object.defineProperty(row, k, { value: values(), enumerable: true, writable: true, configurable: true });
        return row;
      });
      const back = viaTable(rows) as Record<string, unknown>[];
      expect(back).toEqual(viaJson(rows));
      for (const row of back) expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    }
  });

  it('sends a column with many different values as it is, and one with few as a dictionary', () => {
    const rows = Array.from({ length: 400 }, (_, i) => ({ id: `id-${i}`, kind: i % 2 ? 'a' : 'b' }));
    const table = encodeTable(rows);
    expect(table.cols[0]).toEqual({ k: 'id', v: rows.map((r) => r.id) });
    expect(table.cols[1]).toEqual({ k: 'kind', d: ['b', 'a'], i: rows.map((_, i) => (i % 2 ? 1 : 0)) });
  });

  it('freezes values rows share, so that changing one row cannot change another', () => {
    const back = viaTable([{ cancel: { allowed: true } }, { cancel: { allowed: true } }]) as { cancel: { allowed: boolean } }[];
    expect(back[0]!.cancel).toBe(back[1]!.cancel);
    expect(Object.isFrozen(back[0]!.cancel)).toBe(true);
    expect(() => {
      'use strict';
      back[0]!.cancel.allowed = false;
    }).toThrow(TypeError);
  });

  it('encodes in steps to the same table, pausing between them', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ({ key: `k${i}`, state: i % 3 ? 'x' : 'y', at: new Date(i * 1000).toISOString() }));
    const steps = encodeTableSteps(rows);
    let pauses = 0;
    let step = steps.next();
    while (!step.done) {
      pauses++;
      step = steps.next();
    }
    expect(pauses).toBeGreaterThanOrEqual(4);
    expect(step.value).toEqual(encodeTable(rows));
  });

  it('refuses rows that are not objects', () => {
    expect(() => encodeTable([{ a: 1 }, [1, 2] as never])).toThrow(new WireError('Row 1 of the table is not an object.'));
    expect(() => encodeTable([null as never])).toThrow(WireError);
  });
});

describe('decodeTable refuses a malformed table, saying which part', () => {
  const good = (): WireTable => encodeTable([{ key: 'a', state: 'x', at: '2026-01-05T09:00:00.000Z' }, { key: 'b', state: 'x', at: null }]);
  const cases: [string, (t: Record<string, unknown> & { cols: Record<string, unknown>[] }) => unknown, string][] = [
    ['not a table', () => [1, 2], 'The list is neither an array nor a table.'],
    ['another version', (t) => ({ ...t, $table: 2 }), 'Table version 2 is not supported.'],
    ['no row count', (t) => ({ ...t, n: -1 }), 'The table has no valid row count.'],
    ['no columns', (t) => ({ ...t, cols: {} }), 'The table has no column list.'],
    ['a column that is not an object', (t) => ({ ...t, cols: [7] }), 'Column 0 of the table is not an object.'],
    ['a column without a name', (t) => ({ ...t, cols: [{ v: [1, 2] }] }), 'Column 0 of the table has no field name.'],
    ['two kinds of values', (t) => ({ ...t, cols: [{ k: 'key', v: [1, 2], d: [1, 2], i: [0, 1] }] }), 'Column "key" of the table must have exactly one of values or dictionary.'],
    ['no values', (t) => ({ ...t, cols: [{ k: 'at', t: [0, 1] }] }), 'Column "at" of the table must have exactly one of values or dictionary.'],
    ['too few values', (t) => ({ ...t, cols: [{ k: 'key', v: [1] }] }), 'Column "key" of the table does not have one value per row.'],
    ['an index outside the dictionary', (t) => ({ ...t, cols: [t.cols[0], { k: 'state', d: ['x'], i: [0, 1] }] }), 'Column "state" of the table has an index for row 1 that is not in its dictionary.'],
    ['an index given as text', (t) => ({ ...t, cols: [t.cols[0], { k: 'state', d: ['x'], i: [0, '0'] }] }), 'Column "state" of the table has an index for row 1 that is not in its dictionary.'],
    ['an index naming a property of the list', (t) => ({ ...t, cols: [t.cols[0], { k: 'state', d: ['x'], i: ['length', 0] }] }), 'Column "state" of the table has an index for row 0 that is not in its dictionary.'],
    ['an index that is not a whole number', (t) => ({ ...t, cols: [t.cols[0], { k: 'state', d: ['x', 'y'], i: [0, 0.5] }] }), 'Column "state" of the table has an index for row 1 that is not in its dictionary.'],
    ['an absent mark for a row that has the field', (t) => ({ ...t, cols: [t.cols[0], { k: 'state', d: ['x'], i: [0, -1] }] }), 'Column "state" of the table has an index for row 1 that is not in its dictionary.'],
    ['an absent row that is not a row', (t) => ({ ...t, cols: [{ k: 'key', v: [1, 2], a: [2] }] }), 'Column "key" of the table lists rows without the field that are not rows of the table.'],
  ];
  for (const [what, spoil, message] of cases) {
    it(what, () => {
      const table = spoil(JSON.parse(JSON.stringify(good())));
      expect(() => decodeTable(table)).toThrow(new WireError(message));
    });
  }

  it('tells a table from a list', () => {
    expect(isWireTable(good())).toBe(true);
    expect(isWireTable([])).toBe(false);
    expect(isWireTable(null)).toBe(false);
    expect(isWireTable({ n: 1 })).toBe(false);
  });
});

describe('the text form of answers and events', () => {
  const jobs = [sampleJob(), sampleJob({ key: 'local:tok-2', nativeId: 'tok-2', abort: { allowed: false, reason: 'no' } })];

  it('writes a snapshot answer with its jobs as a table, and reads it back exactly', () => {
    const answer = { ok: true as const, value: { jobs, sources: [], paused: null, total: 7 } };
    const text = answerText('getSnapshot', answer);
    expect(typeof text).toBe('string');
    expect(isWireTable((JSON.parse(text) as { value: { jobs: unknown } }).value.jobs)).toBe(true);
    expect(readAnswer(text)).toEqual(answer);
  });

  it('writes every other answer as its JSON, and reads it back exactly', () => {
    const history = { ok: true as const, value: { entries: [{ finishedAt: '2026-01-05T10:00:00.000Z', job: jobs[0], timeline: [] }] } };
    expect(JSON.parse(answerText('queryHistory', history))).toEqual(history);
    expect(readAnswer(answerText('queryHistory', history))).toEqual(history);
    expect(compactAnswer('getJobDetails', { ok: true, value: { jobs } })).toEqual({ ok: true, value: { jobs } });
    const failed = { ok: false as const, error: { code: 'not-found' as const, message: 'gone', field: 'key' } };
    expect(readAnswer(answerText('cancelJob', failed))).toEqual(failed);
    expect(readAnswer(answerText('dismissJob', { ok: true, value: null }))).toEqual({ ok: true, value: null });
  });

  it('writes the same text a step at a time, pausing between steps, and gives up when the answer goes stale', async () => {
    const many = Array.from({ length: 5_000 }, (_, i) => sampleJob({ key: `local:j-${i}`, nativeId: `j-${i}` }));
    const answer = { ok: true as const, value: { jobs: many, sources: [], paused: null } };
    let pauses = 0;
    const pause = async () => void pauses++;
    expect(await answerTextInSteps('getSnapshot', answer, pause)).toBe(answerText('getSnapshot', answer));
    expect(pauses).toBeGreaterThan(2);
    expect(await answerTextInSteps('getSnapshot', answer, pause, () => true)).toBeNull();
    expect(await answerTextInSteps('getSettings', { ok: true, value: { jobs: many } }, pause)).toBe(answerText('getSettings', { ok: true, value: { jobs: many } }));
    expect(readAnswer(await answerTextInSteps('getSnapshot', { ok: true, value: { jobs: [1] as never } }, pause))).toEqual({ ok: false, error: { code: 'internal', message: 'The snapshot could not be encoded: Row 0 of the table is not an object.' } });
  });

  it('answers an error that says why when an answer cannot be written', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(readAnswer(answerText('getSettings', { ok: true, value: cyclic }))).toMatchObject({ ok: false, error: { code: 'internal', message: expect.stringMatching(/^The answer could not be encoded: .*circular/i) } });
    expect(readAnswer(answerText('getSnapshot', { ok: true, value: { jobs: [1, 2] as never, sources: [] } }))).toEqual({ ok: false, error: { code: 'internal', message: 'The snapshot could not be encoded: Row 0 of the table is not an object.' } });
  });

  it('reads text that is not an answer as an error that says what it was, never as a value', () => {
    const said = (t: unknown) => (readAnswer(t) as { ok: false; error: { code: string; message: string } }).error;
    expect(said(undefined)).toEqual({ code: 'internal', message: "The app's answer could not be read: it is undefined, not text." });
    expect(said(null).message).toBe("The app's answer could not be read: it is null, not text.");
    expect(said({ ok: true, value: 1 }).message).toBe("The app's answer could not be read: it is object, not text.");
    expect(said('{"ok":tru').message).toMatch(/^The app's answer could not be read: it is not JSON \(/);
    expect(said('[1]').message).toBe("The app's answer could not be read: it is not an answer object.");
    expect(said('{"value":1}').message).toBe("The app's answer could not be read: it is neither a value nor an error.");
    expect(said('{"ok":false,"error":"down"}').message).toBe("The app's answer could not be read: it is neither a value nor an error.");
  });

  it('turns a snapshot\'s job table back into the list, and leaves every other answer alone', () => {
    const sent = JSON.parse(JSON.stringify({ ok: true, value: { jobs: encodeTable(jobs), sources: [], paused: null } }));
    expect(expandAnswer(sent)).toEqual({ ok: true, value: { jobs, sources: [], paused: null } });
    const other = { ok: true as const, value: { jobs: jobs } };
    expect(expandAnswer(other)).toBe(other);
    const failed = { ok: false as const, error: { code: 'unreachable' as const, message: 'down' } };
    expect(expandAnswer(failed)).toBe(failed);
    expect(expandAnswer({ ok: true, value: null })).toEqual({ ok: true, value: null });
  });

  it('answers a table it cannot read with an error that says what is wrong, never a half list', () => {
    const spoiled = { ok: true as const, value: { jobs: { $table: 1, n: 2, cols: [{ k: 'key', v: ['only one'] }] }, sources: [], paused: null } };
    expect(expandAnswer(spoiled)).toEqual({
      ok: false,
      error: { code: 'internal', message: 'The app\'s answer could not be read: Column "key" of the table does not have one value per row.' },
    });
    expect(readAnswer(JSON.stringify(spoiled))).toEqual(expandAnswer(spoiled));
  });

  it('writes an event payload as its JSON, reads it back, and refuses anything else saying why', () => {
    const patch = { patches: [{ type: 'added', job: jobs[1] }, { type: 'removed', key: 'local:x' }] };
    expect(readEvent(eventText(patch))).toEqual(patch);
    expect(readEvent(eventText(null))).toBeNull();
    expect(readEvent(eventText(undefined))).toBeNull();
    expect(() => readEvent({ patches: [] })).toThrow(new WireError('The event is object, not text.'));
    expect(() => readEvent('{')).toThrow(/^The event is not JSON \(/);
    expect(() => eventText(10n)).toThrow();
  });
});
