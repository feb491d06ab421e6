/**
 * IPP messages (RFC 8010) through `ipp-encoder`: requests built from plain values, answers turned
 * into attribute groups the source can read by name.
 *
 * Every answer is walked once before it is decoded: `ipp-encoder` reads lengths as signed numbers
 * and trusts them, so a malformed answer could make it loop or read the wrong fields. The walk
 * checks every tag and length against the bytes received and refuses anything it cannot vouch for.
 */
import ipp from 'ipp-encoder';

export const OP = {
  CANCEL_JOB: 0x0008,
  GET_JOB_ATTRIBUTES: 0x0009,
  GET_JOBS: 0x000a,
  GET_PRINTER_ATTRIBUTES: 0x000b,
  HOLD_JOB: 0x000c,
  RELEASE_JOB: 0x000d,
  CREATE_PRINTER_SUBSCRIPTIONS: 0x0016,
  RENEW_SUBSCRIPTION: 0x001a,
  GET_SUBSCRIPTIONS: 0x0019,
  CANCEL_SUBSCRIPTION: 0x001b,
  GET_NOTIFICATIONS: 0x001c,
  CUPS_GET_PRINTERS: 0x4002,
} as const;

export const TAG = {
  OPERATION: 0x01,
  JOB: 0x02,
  END: 0x03,
  PRINTER: 0x04,
  UNSUPPORTED_GROUP: 0x05,
  SUBSCRIPTION: 0x06,
  EVENT_NOTIFICATION: 0x07,
  INTEGER: 0x21,
  BOOLEAN: 0x22,
  ENUM: 0x23,
  DATE_TIME: 0x31,
  TEXT_WITH_LANG: 0x35,
  NAME_WITH_LANG: 0x36,
  TEXT: 0x41,
  NAME: 0x42,
  KEYWORD: 0x44,
  URI: 0x45,
  CHARSET: 0x47,
  LANGUAGE: 0x48,
} as const;

/** One value of a request attribute: the tag says how it is encoded. */
export type RequestAttribute =
  | { tag: typeof TAG.INTEGER | typeof TAG.ENUM; name: string; value: number | number[] }
  | { tag: typeof TAG.BOOLEAN; name: string; value: boolean }
  | { tag: typeof TAG.NAME | typeof TAG.KEYWORD | typeof TAG.URI | typeof TAG.TEXT | typeof TAG.CHARSET | typeof TAG.LANGUAGE; name: string; value: string | string[] };

/** An attribute group of an answer: values by attribute name (text values as strings). */
export interface AttributeGroup {
  tag: number;
  values: Map<string, (string | number | boolean)[]>;
}

export interface IppAnswer {
  statusCode: number;
  requestId: number;
  groups: AttributeGroup[];
  /** Values left out because they could not be read: "job-k-octets (a value of tag 0x21 has 8 bytes instead of 4)". */
  unreadable: string[];
}

/** Thrown for an answer that is not a well-formed IPP message. */
export class IppFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IppFormatError';
  }
}

/** A further attribute group of a request (the subscription template of Create-*-Subscriptions). */
export interface RequestGroup {
  tag: number;
  attributes: RequestAttribute[];
}

/**
 * The IPP versions requests are sent in, newest first: IPP/2.0 (PWG 5100.12), then 1.1 (RFC 8011)
 * and 1.0 (RFC 2566) for a printer that answers a newer one server-error-version-not-supported.
 * Every operation the source sends is in IPP/1.0 except Hold-Job and Release-Job (1.1) and the
 * subscriptions (RFC 3995, an extension of 1.1): a printer without them refuses them.
 */
export const IPP_VERSIONS = ['2.0', '1.1', '1.0'] as const;
export type IppVersion = (typeof IPP_VERSIONS)[number];

/** Encodes a request with the operation attributes every request starts with (RFC 8011 4.1.4). */
export function encodeRequest(operationId: number, requestId: number, attributes: RequestAttribute[], groups: RequestGroup[] = [], version: IppVersion = IPP_VERSIONS[0]): Buffer {
  const [major, minor] = version.split('.').map(Number);
  return ipp.request.encode({
    version: { major, minor },
    operationId,
    requestId,
    groups: [
      {
        tag: TAG.OPERATION,
        attributes: [{ tag: TAG.CHARSET, name: 'attributes-charset', value: 'utf-8' }, { tag: TAG.LANGUAGE, name: 'attributes-natural-language', value: 'en' }, ...attributes],
      },
      ...groups,
    ],
  });
}

const FIXED_LENGTH: Record<number, number> = { [TAG.INTEGER]: 4, [TAG.ENUM]: 4, [TAG.BOOLEAN]: 1, [TAG.DATE_TIME]: 11 };
/** Out-of-band values: unsupported, unknown, no-value, not-settable, delete-attribute, admin-define. */
const OUT_OF_BAND = new Set([0x10, 0x12, 0x13, 0x15, 0x16, 0x17]);

/** A value of a fixed-length syntax (integer, enum, boolean, dateTime) with another length: the message around it is intact. */
export interface MalformedValue {
  /** The attribute it belongs to. */
  name: string;
  /** Where its value tag is. */
  tagAt: number;
  /** Where its value length is (its value follows). */
  lengthAt: number;
  length: number;
  why: string;
}

/**
 * Checks the structure of an IPP message; throws IppFormatError naming the first fault. A value of
 * a fixed-length syntax with another length is a fault too, unless `tolerate` is set: it is then
 * listed and the rest read (the length framing says where the next attribute starts).
 */
export function checkStructure(buf: Buffer, opts: { tolerate?: boolean } = {}): MalformedValue[] {
  if (buf.length < 9) throw new IppFormatError(`the answer is ${buf.length} bytes, shorter than any IPP message`);
  if (buf[0] < 1 || buf[0] > 2) throw new IppFormatError(`the answer is not an IPP message (version ${buf[0]}.${buf[1]})`);
  const malformed: MalformedValue[] = [];
  let o = 8;
  let inGroup = false;
  let name = '';
  for (;;) {
    if (o >= buf.length) throw new IppFormatError('the answer ends before its end-of-attributes tag');
    const tagAt = o;
    const tag = buf[o++];
    if (tag === TAG.END) return malformed;
    if (tag <= 0x0f) {
      inGroup = true;
      continue;
    }
    if (!inGroup) throw new IppFormatError(`value tag 0x${tag.toString(16)} before any attribute group`);
    if (tag >= 0x7f) throw new IppFormatError(`unsupported value tag 0x${tag.toString(16)}`);
    if (o + 2 > buf.length) throw new IppFormatError('an attribute name is cut off');
    const nameLen = buf.readUInt16BE(o);
    o += 2;
    if (nameLen > 0x7fff || o + nameLen + 2 > buf.length) throw new IppFormatError('an attribute name is longer than the answer');
    // An additional value (RFC 8010 3.1.5) has no name of its own.
    if (nameLen > 0) name = buf.toString('utf8', o, o + nameLen);
    o += nameLen;
    const lengthAt = o;
    const valueLen = buf.readUInt16BE(o);
    o += 2;
    if (valueLen > 0x7fff || o + valueLen > buf.length) throw new IppFormatError('an attribute value is longer than the answer');
    const fixed = FIXED_LENGTH[tag];
    if (fixed !== undefined && valueLen !== fixed) {
      const why = `a value of tag 0x${tag.toString(16)} has ${valueLen} bytes instead of ${fixed}`;
      if (!opts.tolerate) throw new IppFormatError(`an attribute of tag 0x${tag.toString(16)} has ${valueLen} bytes instead of ${fixed}`);
      malformed.push({ name, tagAt, lengthAt, length: valueLen, why });
    }
    if (tag === TAG.TEXT_WITH_LANG || tag === TAG.NAME_WITH_LANG) {
      if (valueLen < 4) throw new IppFormatError('a text-with-language value is cut off');
      const langLen = buf.readUInt16BE(o);
      if (langLen > valueLen - 4) throw new IppFormatError('a text-with-language value is cut off');
      const textLen = buf.readUInt16BE(o + 2 + langLen);
      if (2 + langLen + 2 + textLen !== valueLen) throw new IppFormatError('a text-with-language value has inconsistent lengths');
    }
    o += valueLen;
  }
}

/** The message with each malformed value replaced by the out-of-band value 'unknown' (no bytes), which reading leaves out. */
function withoutValues(buf: Buffer, malformed: readonly MalformedValue[]): Buffer {
  const parts: Buffer[] = [];
  let from = 0;
  for (const m of malformed) {
    parts.push(buf.subarray(from, m.tagAt), Buffer.from([0x12]), buf.subarray(m.tagAt + 1, m.lengthAt), Buffer.from([0, 0]));
    from = m.lengthAt + 2 + m.length;
  }
  parts.push(buf.subarray(from));
  return Buffer.concat(parts);
}

/**
 * Decodes an answer after checking its structure. A value of the wrong length loses that value
 * only: the answer says which (`unreadable`), and the rest is read.
 */
export function decodeResponse(buf: Buffer): IppAnswer {
  const malformed = checkStructure(buf, { tolerate: true });
  const clean = malformed.length ? withoutValues(buf, malformed) : buf;
  let decoded;
  try {
    decoded = ipp.response.decode(clean);
  } catch (err) {
    throw new IppFormatError(`the answer could not be decoded (${err instanceof Error ? err.message : String(err)})`);
  }
  const groups: AttributeGroup[] = decoded.groups.map((g) => {
    const values = new Map<string, (string | number | boolean)[]>();
    for (const a of g.attributes) {
      const out: (string | number | boolean)[] = [];
      if (!OUT_OF_BAND.has(a.tag)) {
        for (const v of Array.isArray(a.value) ? (a.value as unknown[]) : [a.value]) {
          if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out.push(v);
          else if (v && typeof v === 'object' && 'value' in v && typeof (v as { value: unknown }).value === 'string') out.push((v as { value: string }).value);
        }
      }
      // A repeated name in one group (a collection's members, a server's mistake): the first wins.
      if (!values.has(a.name)) values.set(a.name, out);
    }
    return { tag: g.tag, values };
  });
  return { statusCode: decoded.statusCode ?? -1, requestId: decoded.requestId, groups, unreadable: malformed.map((m) => `${m.name} (${m.why})`) };
}

// ---- reading attributes ------------------------------------------------------------------------

export function str(g: AttributeGroup, name: string): string | null {
  const v = g.values.get(name)?.[0];
  return typeof v === 'string' ? v : null;
}

export function strs(g: AttributeGroup, name: string): string[] {
  return (g.values.get(name) ?? []).filter((v): v is string => typeof v === 'string');
}

export function int(g: AttributeGroup, name: string): number | null {
  const v = g.values.get(name)?.[0];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function bool(g: AttributeGroup, name: string): boolean | null {
  const v = g.values.get(name)?.[0];
  return typeof v === 'boolean' ? v : null;
}

/** The status-message of an answer's operation group, when the server gave one. */
export function statusMessage(a: IppAnswer): string | null {
  const op = a.groups.find((g) => g.tag === TAG.OPERATION);
  const m = op ? str(op, 'status-message') : null;
  return m && m.trim() ? m.trim() : null;
}

const STATUS_NAMES: Record<number, string> = ipp.STATUS_CODES as unknown as Record<number, string>;

/** The status code's keyword (client-error-not-found), or its hex value. */
export function statusName(code: number): string {
  return STATUS_NAMES[code] ?? `0x${code.toString(16).padStart(4, '0')}`;
}
