/**
 * A compact text form of a long list of jobs, for transports that carry the contract's values as
 * JSON text (the web transport, main/web/server.ts -> renderer/src/transport/web.ts). The Electron
 * IPC bridge sends the values as they are.
 *
 * A snapshot of 10,000 jobs is about 4.5 MB of JSON as objects, most of it the same field names and
 * the same few states, sources, printers and owners over and over; as a table of columns it is
 * about a quarter of that, and the page receives and parses it that much sooner. Decoding gives back
 * exactly the list that was encoded, as JSON would carry it: fields that are undefined are left
 * out, and a row that lacks some field other rows have may list its fields in another order.
 *
 * A table is `{ "$table": 1, "n": <rows>, "cols": [<column>, ...] }`, columns in the order their
 * field first appears, each one of:
 * - `{ "k": name, "v": [value per row] }`: the values as they are;
 * - `{ "k": name, "d": [distinct values], "i": [index per row] }`: repeated values, once each;
 * - `{ "k": name, "t": [epoch ms or null per row] }`: timestamps in the one canonical UTC form the
 *   app writes (`Date.prototype.toISOString`), as numbers;
 * and optionally `"a": [row, ...]`: the rows that do not have the field at all (their entry in
 * `v`, `i` or `t` is then null, -1 or null and means nothing).
 */

export interface WireTable {
  $table: 1;
  n: number;
  cols: WireColumn[];
}

export type WireColumn = { k: string; a?: number[] } & ({ v: unknown[] } | { d: unknown[]; i: number[] } | { t: (number | null)[] });

/** A malformed table: the message says which part. */
export class WireError extends Error {
  override name = 'WireError';
}

/** Distinct values a column may have and still be sent as a dictionary: a quarter of the rows, at least 16. */
function dictionaryLimit(rows: number): number {
  return Math.max(16, rows >> 2);
}

// Timestamps are converted by hand: `Date.parse` and `toISOString` cost about a microsecond each,
// and a snapshot has three per job. Days are counted in the proleptic Gregorian calendar, as
// ECMAScript dates are (the civil-date algorithms of H. Hinnant, "chrono-Compatible Low-Level Date
// Algorithms").

const DAY_MS = 86_400_000;
/** 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: the range of the canonical form. */
const MIN_CANONICAL_MS = -62_167_219_200_000;
const MAX_CANONICAL_MS = 253_402_300_799_999;

function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function civilFromDays(z: number): [number, number, number] {
  z += 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digits(s: string, from: number, count: number): number {
  let v = 0;
  for (let i = from; i < from + count; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** The epoch milliseconds of a timestamp in the form `new Date(ms).toISOString()` writes, else null. */
export function canonicalTime(s: string): number | null {
  if (s.length !== 24 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 46 || s.charCodeAt(23) !== 90) return null;
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  const sec = digits(s, 17, 2);
  const ms = digits(s, 20, 3);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 || ms < 0) return null;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > (mo === 2 && leap ? 29 : DAYS_IN_MONTH[mo - 1]!)) return null;
  return daysFromCivil(y, mo, d) * DAY_MS + ((h * 60 + mi) * 60 + sec) * 1000 + ms;
}

const PAD2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** `new Date(ms).toISOString()` for instants of the canonical range, a day's prefix cached. */
export function isoTime(ms: number, days: Map<number, string> = new Map()): string {
  if (!(ms >= MIN_CANONICAL_MS && ms <= MAX_CANONICAL_MS) || !Number.isInteger(ms)) return new Date(ms).toISOString();
  const day = Math.floor(ms / DAY_MS);
  let prefix = days.get(day);
  if (prefix === undefined) {
    const [y, m, d] = civilFromDays(day);
    prefix = `${String(y).padStart(4, '0')}-${PAD2[m]}-${PAD2[d]}T`;
    days.set(day, prefix);
  }
  let t = ms - day * DAY_MS;
  const milli = t % 1000;
  t = (t - milli) / 1000;
  const sec = t % 60;
  t = (t - sec) / 60;
  const min = t % 60;
  const hour = (t - min) / 60;
  return prefix + PAD2[hour] + ':' + PAD2[min] + ':' + PAD2[sec] + '.' + PAD3[milli] + 'Z';
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
    const col = timeColumn(vs, missing) ?? dictionaryColumn(vs, missing) ?? { v: vs };
    cols.push(missing ? { k: names[c]!, a: missing, ...col } : { k: names[c]!, ...col });
  }
  return { $table: 1, n, cols };
}

function timeColumn(vs: unknown[], missing: number[] | undefined): { t: (number | null)[] } | null {
  const t = new Array<number | null>(vs.length);
  let any = false;
  for (let r = 0; r < vs.length; r++) {
    const v = vs[r];
    if (v === null) {
      t[r] = null;
      continue;
    }
    if (typeof v !== 'string') return null;
    const ms = canonicalTime(v);
    if (ms === null) return null;
    t[r] = ms;
    any = true;
  }
  // A column of nulls only (or of absent fields only) is better said as a dictionary.
  return any && !(missing && missing.length === vs.length) ? { t } : null;
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
  const out = new Array<Record<string, unknown>>(n);
  const keys = columns.map((c) => c.key);
  const values = columns.map((c) => c.values);
  const count = columns.length;
  // Rows that have every field are copies of one template, their values then set in place: one
  // shape for all of them, made in one step (adding fields one by one costs several times more).
  const template: Record<string, unknown> = {};
  for (const key of keys) Object.defineProperty(template, key, { value: null, enumerable: true, writable: true, configurable: true });
  const partial = new Set<number>();
  for (const c of columns) if (c.absent) for (const r of c.absent) partial.add(r);
  for (let r = 0; r < n; r++) {
    if (partial.size > 0 && partial.has(r)) {
      const row: Record<string, unknown> = {};
      for (let c = 0; c < count; c++) {
        if (columns[c]!.absent?.has(r)) continue;
        Object.defineProperty(row, keys[c]!, { value: values[c]![r], enumerable: true, writable: true, configurable: true });
      }
      out[r] = row;
      continue;
    }
    const row = { ...template };
    for (let c = 0; c < count; c++) row[keys[c]!] = values[c]![r];
    out[r] = row;
  }
  return out;
}

interface ReadColumn {
  key: string;
  absent: Set<number> | null;
  /** One value per row. */
  values: unknown[];
}

function readColumn(col: unknown, c: number, n: number): ReadColumn {
  if (typeof col !== 'object' || col === null || Array.isArray(col)) throw new WireError(`Column ${c} of the table is not an object.`);
  const { k, a, v, d, i, t } = col as { k?: unknown; a?: unknown; v?: unknown; d?: unknown; i?: unknown; t?: unknown };
  if (typeof k !== 'string') throw new WireError(`Column ${c} of the table has no field name.`);
  const where = `Column "${k.slice(0, 64)}" of the table`;
  let absent: Set<number> | null = null;
  if (a !== undefined) {
    if (!Array.isArray(a) || !a.every((x) => Number.isInteger(x) && x >= 0 && x < n)) throw new WireError(`${where} lists rows without the field that are not rows of the table.`);
    absent = new Set(a as number[]);
  }
  const kinds = [v, d, t].filter((x) => x !== undefined).length;
  if (kinds !== 1) throw new WireError(`${where} must have exactly one of values, dictionary or times.`);
  if (v !== undefined) {
    if (!Array.isArray(v) || v.length !== n) throw new WireError(`${where} does not have one value per row.`);
    return { key: k, absent, values: v };
  }
  const values = new Array<unknown>(n);
  if (d !== undefined) {
    if (!Array.isArray(d)) throw new WireError(`${where} has a dictionary that is not a list.`);
    if (!Array.isArray(i) || i.length !== n) throw new WireError(`${where} does not have one dictionary index per row.`);
    const dict = d.map(deepFreeze);
    for (let r = 0; r < n; r++) {
      const x = i[r] as unknown;
      if (typeof x === 'number' && x >= 0 && x < dict.length && Number.isInteger(x)) values[r] = dict[x];
      else if (x === -1 && absent !== null && absent.has(r)) values[r] = null;
      else throw new WireError(`${where} has an index for row ${r} that is not in its dictionary.`);
    }
    return { key: k, absent, values };
  }
  if (!Array.isArray(t) || t.length !== n) throw new WireError(`${where} does not have one time per row.`);
  const days = new Map<number, string>();
  for (let r = 0; r < n; r++) {
    const x = t[r] as unknown;
    if (x === null) values[r] = null;
    else if (typeof x === 'number' && Number.isFinite(x) && Math.abs(x) <= 8.64e15) values[r] = isoTime(x, days);
    else throw new WireError(`${where} has a time for row ${r} that is not a valid instant.`);
  }
  return { key: k, absent, values };
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}
