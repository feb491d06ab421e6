/**
 * A compact text form of a long list of jobs, for transports that carry the contract's values as
 * JSON text (the web transport, main/web/server.ts -> renderer/src/transport/web.ts). The Electron
 * IPC bridge sends the values as they are.
 *
 * A snapshot of 10,000 jobs is about 4.5 MB of JSON as objects, most of it the same field names and
 * the same few states, sources, printers and owners over and over; as a table of columns it is
 * about a third of that, and the page receives and parses it that much sooner. Decoding gives back
 * exactly the list that was encoded, as JSON would carry it: fields that are undefined are left
 * out, and a row that lacks some field other rows have may list its fields in another order.
 *
 * A table is `{ "$table": 1, "n": <rows>, "cols": [<column>, ...] }`, columns in the order their
 * field first appears, each one of:
 * - `{ "k": name, "v": [value per row] }`: the values as they are;
 * - `{ "k": name, "d": [distinct values], "i": [index per row] }`: repeated values, once each;
 * and optionally `"a": [row, ...]`: the rows that do not have the field at all (their entry in
 * `v` or `i` is then null or -1 and means nothing).
 *
 * Timestamps travel as their text, not as numbers: the page's JSON parser makes 30,000 strings
 * several times faster than its script could make them from numbers, with less garbage to collect,
 * and the window reads the whole queue sooner although the text is a third longer.
 *
 * The text form (answerText, eventText; read back by readAnswer, readEvent) is how every answer
 * and event crosses to the window, whichever the carrier: the web transport's messages carry it,
 * and so does Electron's IPC. Electron's context bridge copies an object value by value into the
 * page (its documentation, "Context Bridge", Performance: "quite costly when sending large data
 * blobs", JSON text recommended instead), on the window's main thread; a string crosses whole.
 */
import type { AppError, Result } from './model';

export interface WireTable {
  $table: 1;
  n: number;
  cols: WireColumn[];
}

export type WireColumn = { k: string; a?: number[] } & ({ v: unknown[] } | { d: unknown[]; i: number[] });

/** A malformed table: the message says which part. */
export class WireError extends Error {
  override name = 'WireError';
}

/** Distinct values a column may have and still be sent as a dictionary: a quarter of the rows, at least 16. */
function dictionaryLimit(rows: number): number {
  return Math.max(16, rows >> 2);
}

export function isWireTable(value: unknown): value is { $table: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.prototype.hasOwnProperty.call(value, '$table');
}

/** Encodes a list of plain JSON objects (the jobs of a snapshot) as a table. */
export function encodeTable(rows: readonly object[]): WireTable {
  const steps = encodeTableSteps(rows);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Rows read, or columns encoded, between two pauses of encodeTableSteps. */
const ROWS_PER_STEP = 2000;

/**
 * encodeTable as steps: the generator pauses every few thousand rows and after each column, so that
 * a server can encode a long list between its other work. Its return value is the table.
 */
export function* encodeTableSteps(rows: readonly object[]): Generator<void, WireTable, void> {
  const n = rows.length;
  const names: string[] = [];
  const values: unknown[][] = [];
  const columnOf = new Map<string, number>();
  for (let r = 0; r < n; r++) {
    if (r > 0 && r % ROWS_PER_STEP === 0) yield;
    const row = rows[r] as Record<string, unknown>;
    if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new WireError(`Row ${r} of the table is not an object.`);
    for (const k in row) {
      if (!Object.prototype.hasOwnProperty.call(row, k)) continue;
      const v = row[k];
      if (v === undefined) continue;
      let c = columnOf.get(k);
      if (c === undefined) {
        c = names.length;
        columnOf.set(k, c);
        names.push(k);
        values.push(new Array<unknown>(n));
      }
      values[c]![r] = v;
    }
  }
  const cols: WireColumn[] = [];
  for (let c = 0; c < names.length; c++) {
    yield;
    const vs = values[c]!;
    let missing: number[] | undefined;
    for (let r = 0; r < n; r++) {
      if (!(r in vs)) {
        (missing ??= []).push(r);
        vs[r] = null;
      }
    }
    const col = dictionaryColumn(vs, missing) ?? { v: vs };
    cols.push(missing ? { k: names[c]!, a: missing, ...col } : { k: names[c]!, ...col });
  }
  return { $table: 1, n, cols };
}

function dictionaryColumn(vs: unknown[], missing: number[] | undefined): { d: unknown[]; i: number[] } | null {
  const limit = dictionaryLimit(vs.length);
  const d: unknown[] = [];
  const i = new Array<number>(vs.length);
  const primitives = new Map<unknown, number>();
  const objects = new Map<string, number>();
  let m = 0;
  for (let r = 0; r < vs.length; r++) {
    if (missing && missing[m] === r) {
      i[r] = -1;
      m++;
      continue;
    }
    const v = vs[r];
    let at: number | undefined;
    if (typeof v === 'object' && v !== null) {
      const text = JSON.stringify(v);
      at = objects.get(text);
      if (at === undefined) {
        at = d.length;
        objects.set(text, at);
        d.push(v);
      }
    } else {
      at = primitives.get(v);
      if (at === undefined) {
        at = d.length;
        primitives.set(v, at);
        d.push(v);
      }
    }
    if (d.length > limit) return null;
    i[r] = at;
  }
  return { d, i };
}

/**
 * The list a table encodes. Values that several rows share (a dictionary's objects) are frozen, so
 * that no row can change another's. Throws WireError, naming the part, on any malformed table.
 */
export function decodeTable(wire: unknown): Record<string, unknown>[] {
  if (!isWireTable(wire)) throw new WireError('The list is neither an array nor a table.');
  const w = wire as Partial<WireTable>;
  if (w.$table !== 1) throw new WireError(`Table version ${JSON.stringify(w.$table)} is not supported.`);
  const n = w.n;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new WireError('The table has no valid row count.');
  if (!Array.isArray(w.cols)) throw new WireError('The table has no column list.');
  const columns = w.cols.map((col, c) => readColumn(col, c, n));
  // Rows that have every field are copies of one template, their values then set in place: one
  // shape for all of them, made in one step (adding fields one by one costs several times more).
  // The values are set a column at a time, each column's own field for every row in turn.
  const template: Record<string, unknown> = {};
  for (const c of columns) Object.defineProperty(template, c.key, { value: null, enumerable: true, writable: true, configurable: true });
  let partial: Uint8Array | null = null;
  for (const c of columns) if (c.absent) for (const r of c.absent) (partial ??= new Uint8Array(n))[r] = 1;
  const out = new Array<Record<string, unknown>>(n);
  for (let r = 0; r < n; r++) out[r] = partial !== null && partial[r] === 1 ? {} : { ...template };
  for (const c of columns) {
    const { key, values, dict, index, absent } = c;
    for (let r = 0; r < n; r++) {
      let value: unknown;
      if (values !== null) value = values[r];
      else {
        const x = index![r];
        value = typeof x === 'number' ? dict![x] : undefined;
        // A dictionary's values are JSON values, never undefined: only an index that is not in it
        // (or a row without the field, -1) reads undefined.
        if (value === undefined) {
          if (x === -1 && absent !== null && absent.has(r)) continue;
          throw new WireError(`${c.where} has an index for row ${r} that is not in its dictionary.`);
        }
      }
      if (partial !== null && partial[r] === 1) {
        if (absent === null || !absent.has(r)) Object.defineProperty(out[r], key, { value, enumerable: true, writable: true, configurable: true });
      } else out[r]![key] = value;
    }
  }
  return out;
}

interface ReadColumn {
  key: string;
  /** How errors name the column. */
  where: string;
  absent: Set<number> | null;
  /** One value per row; or null, and the values are `dict[index[row]]`. */
  values: unknown[] | null;
  dict: unknown[] | null;
  index: unknown[] | null;
}

function readColumn(col: unknown, c: number, n: number): ReadColumn {
  if (typeof col !== 'object' || col === null || Array.isArray(col)) throw new WireError(`Column ${c} of the table is not an object.`);
  const { k, a, v, d, i } = col as { k?: unknown; a?: unknown; v?: unknown; d?: unknown; i?: unknown };
  if (typeof k !== 'string') throw new WireError(`Column ${c} of the table has no field name.`);
  const where = `Column "${k.slice(0, 64)}" of the table`;
  let absent: Set<number> | null = null;
  if (a !== undefined) {
    if (!Array.isArray(a) || !a.every((x) => Number.isInteger(x) && x >= 0 && x < n)) throw new WireError(`${where} lists rows without the field that are not rows of the table.`);
    absent = new Set(a as number[]);
  }
  if ((v === undefined) === (d === undefined)) throw new WireError(`${where} must have exactly one of values or dictionary.`);
  if (v !== undefined) {
    if (!Array.isArray(v) || v.length !== n) throw new WireError(`${where} does not have one value per row.`);
    return { key: k, where, absent, values: v, dict: null, index: null };
  }
  if (!Array.isArray(d)) throw new WireError(`${where} has a dictionary that is not a list.`);
  if (!Array.isArray(i) || i.length !== n) throw new WireError(`${where} does not have one dictionary index per row.`);
  return { key: k, where, absent, values: null, dict: d.map(deepFreeze), index: i };
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// The text form of answers and events.

/** Whether an answer's value has a list of jobs. */
export function hasJobList(value: unknown): value is { jobs: object[] } {
  return typeof value === 'object' && value !== null && Array.isArray((value as { jobs?: unknown }).jobs);
}

/** A snapshot answer whose jobs go as a table (getSnapshot with a list of jobs). */
function isSnapshotAnswer(name: string, result: Result<unknown>): result is { ok: true; value: { jobs: object[] } } {
  return name === 'getSnapshot' && result.ok && hasJobList(result.value);
}

/** The answer a snapshot whose jobs cannot be encoded gets instead. */
function encodingFailed(err: unknown): Result<unknown> {
  return { ok: false, error: { code: 'internal', message: `The snapshot could not be encoded: ${err instanceof Error ? err.message : String(err)}` } };
}

/** An answer with a snapshot's jobs as a table (getSnapshot); any other answer as it is. */
export function compactAnswer(name: string, result: Result<unknown>): Result<unknown> {
  if (!isSnapshotAnswer(name, result)) return result;
  try {
    return { ok: true, value: { ...result.value, jobs: encodeTable(result.value.jobs) } };
  } catch (err) {
    return encodingFailed(err);
  }
}

/** The JSON text of an answer to `name`, its snapshot jobs as a table; an answer that cannot be written becomes an error saying why. */
export function answerText(name: string, result: Result<unknown>): string {
  try {
    return JSON.stringify(compactAnswer(name, result));
  } catch (err) {
    const error: AppError = { code: 'internal', message: `The answer could not be encoded: ${err instanceof Error ? err.message : String(err)}` };
    return JSON.stringify({ ok: false, error });
  }
}

/**
 * answerText a step at a time: a snapshot's jobs are encoded a few thousand rows at a time, and
 * `pause()` is awaited between two steps, so that the process answers other requests and sends its
 * events meanwhile (a queue of 10,000 jobs takes tens of milliseconds to encode). With `stale`:
 * null when it says so after a pause, the answer no longer being the queue's.
 */
export async function answerTextInSteps(name: string, result: Result<unknown>, pause: () => Promise<void>): Promise<string>;
export async function answerTextInSteps(name: string, result: Result<unknown>, pause: () => Promise<void>, stale: () => boolean): Promise<string | null>;
export async function answerTextInSteps(name: string, result: Result<unknown>, pause: () => Promise<void>, stale: () => boolean = () => false): Promise<string | null> {
  if (!isSnapshotAnswer(name, result)) return answerText(name, result);
  const value = result.value;
  let table: WireTable;
  try {
    const steps = encodeTableSteps(value.jobs);
    for (;;) {
      const step = steps.next();
      if (step.done) {
        table = step.value;
        break;
      }
      await pause();
      if (stale()) return null;
    }
  } catch (err) {
    return answerText(name, encodingFailed(err));
  }
  return answerText(name, { ok: true, value: { ...value, jobs: table } });
}

/**
 * An answer as the contract promises it: a snapshot's table of jobs read back into the list. A table
 * that cannot be read answers an error saying why.
 */
export function expandAnswer(result: Result<unknown>): Result<unknown> {
  if (!result || typeof result !== 'object' || !result.ok) return result;
  const value = result.value as { jobs?: unknown } | null;
  if (typeof value !== 'object' || value === null || !isWireTable(value.jobs)) return result;
  try {
    return { ok: true, value: { ...value, jobs: decodeTable(value.jobs) } };
  } catch (err) {
    return { ok: false, error: { code: 'internal', message: `The app's answer could not be read: ${err instanceof Error ? err.message : String(err)}` } };
  }
}

/** An answer from its text (answerText): anything that is not one answers an error saying what it was. */
export function readAnswer(text: unknown): Result<unknown> {
  const unreadable = (why: string): Result<unknown> => ({ ok: false, error: { code: 'internal', message: `The app's answer could not be read: ${why}.` } });
  if (typeof text !== 'string') return unreadable(`it is ${text === null ? 'null' : typeof text}, not text`);
  let result: unknown;
  try {
    result = JSON.parse(text);
  } catch (err) {
    return unreadable(`it is not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (typeof result !== 'object' || result === null || Array.isArray(result)) return unreadable('it is not an answer object');
  const r = result as { ok?: unknown; error?: unknown };
  if (r.ok === true) return expandAnswer(result as Result<unknown>);
  if (r.ok === false && typeof r.error === 'object' && r.error !== null && typeof (r.error as { message?: unknown }).message === 'string') return result as Result<unknown>;
  return unreadable('it is neither a value nor an error');
}

/** The JSON text of an event's payload. Throws when the payload cannot be written as JSON. */
export function eventText(payload: unknown): string {
  return JSON.stringify(payload ?? null);
}

/** An event's payload from its text (eventText); throws WireError, saying why, for anything else. */
export function readEvent(text: unknown): unknown {
  if (typeof text !== 'string') throw new WireError(`The event is ${text === null ? 'null' : typeof text}, not text.`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new WireError(`The event is not JSON (${err instanceof Error ? err.message : String(err)}).`);
  }
}
