/**
 * Removes secrets from anything that leaves main: log lines, error messages, diagnostics.
 * It knows the current secret values (license GUIDs, tokens, security codes, in the forms they
 * travel: plain, URL-encoded, and inside a Basic authorization value) and also recognises secrets
 * by shape, so a value it was never told about is still hidden when it sits in an Authorization
 * header, a bearer token or a securityCode parameter.
 */
import { AppFailure, toAppError, type AppError } from '../../preload/contract/model';

export const REDACTED = '[redacted]';

/** Object keys whose values are secrets wherever they appear. */
const SECRET_KEY = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api[-_]?key|password|passwd|secret|client[-_]?secret|security[-_]?code|license|license[-_]?(guid|key)|(access|refresh|id|bearer)?[-_]?token|credentials?)$/i;

const GUID = /\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?/g;

/** Secrets recognised by shape, applied after the known values. */
const SHAPES: Array<[RegExp, string | ((m: string, ...g: string[]) => string)]> = [
  // Authorization / Proxy-Authorization header values (any scheme, or a bare GUID license).
  [/((?:proxy-)?authorization["']?\s*[:=]\s*["']?)(basic|bearer|negotiate|ntlm)?\s*[^\s"',;}]+/gi, (_m, head: string, scheme?: string) => `${head}${scheme ? `${scheme} ` : ''}${REDACTED}`],
  // Bearer / Basic credentials anywhere in a text.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]{8,}=*/g, (_m, scheme: string) => `${scheme} ${REDACTED}`],
  // securityCode=..., "securityCode": "...", token=..., access_token=..., license=..., password=...
  [/((?:securityCode|security_code|access_token|refresh_token|id_token|token|password|client_secret|license|licenseGuid)["']?\s*[:=]\s*["']?)[^\s"'&,;}]+/gi, (_m, head: string) => `${head}${REDACTED}`],
  // JSON Web Tokens.
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, REDACTED],
];

export interface Redactor {
  /** Remembers secret values (empty and very short values are ignored: they would mangle text). */
  addSecrets(values: Iterable<string | undefined | null>): void;
  /** Forgets a value (a secret was cleared). */
  removeSecret(value: string): void;
  redactText(text: string): string;
  /** A deep copy with every string redacted and values under secret-looking keys replaced. */
  redactValue<T>(value: T): T;
  /** The error envelope of anything thrown, with its message redacted. */
  redactError(err: unknown): AppError;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The forms a secret takes on the wire, so each is hidden. */
function variants(value: string): string[] {
  const out = new Set<string>([value]);
  out.add(encodeURIComponent(value));
  const bare = value.replace(/^\{|\}$/g, '');
  if (bare.length >= 6) out.add(bare);
  // ScriptX sends the license GUID as the user name of HTTP Basic authentication.
  out.add(Buffer.from(`${value}:`).toString('base64'));
  out.add(Buffer.from(`${value}:`).toString('base64').replace(/=+$/, ''));
  out.add(Buffer.from(value).toString('base64').replace(/=+$/, ''));
  return [...out].filter((v) => v.length >= 6);
}

export function createRedactor(initial: Iterable<string | undefined | null> = []): Redactor {
  const secrets = new Set<string>();
  let known: RegExp | null = null;

  const rebuild = (): void => {
    const all = [...secrets].flatMap(variants);
    // Longest first so a value containing another is replaced whole.
    all.sort((a, b) => b.length - a.length);
    known = all.length ? new RegExp(all.map(escapeRegExp).join('|'), 'gi') : null;
  };

  const redactText = (text: string): string => {
    let out = known ? text.replace(known, REDACTED) : text;
    for (const [re, rep] of SHAPES) out = out.replace(re, rep as string);
    return out;
  };

  const redactValue = <T>(value: T, seen = new WeakSet<object>(), depth = 0): T => {
    if (typeof value === 'string') return redactText(value) as T;
    if (value === null || typeof value !== 'object') return value;
    if (depth > 20) return REDACTED as T;
    if (seen.has(value)) return '[circular]' as T;
    seen.add(value);
    if (value instanceof Error) {
      const e: Record<string, unknown> = { name: value.name, message: redactText(value.message) };
      if ('code' in value) e.code = (value as { code: unknown }).code;
      if (value.stack) e.stack = redactText(value.stack);
      if (value.cause !== undefined) e.cause = redactValue(value.cause, seen, depth + 1);
      return e as T;
    }
    if (Array.isArray(value)) return value.map((v) => redactValue(v, seen, depth + 1)) as T;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      // Only scalar values are hidden by key: a `license` object (company, validity) is not a secret.
      out[k] = SECRET_KEY.test(k) && (typeof v === 'string' || typeof v === 'number') ? REDACTED : redactValue(v, seen, depth + 1);
    }
    return out as T;
  };

  const r: Redactor = {
    addSecrets(values) {
      let changed = false;
      for (const v of values) {
        if (typeof v === 'string' && v.trim().length >= 4 && !secrets.has(v)) {
          secrets.add(v);
          changed = true;
        }
      }
      if (changed) rebuild();
    },
    removeSecret(value) {
      if (secrets.delete(value)) rebuild();
    },
    redactText,
    redactValue: (v) => redactValue(v),
    redactError(err) {
      const e = toAppError(err);
      const out: AppError = { ...e, message: redactText(e.message) };
      return out;
    },
  };
  r.addSecrets(initial);
  return r;
}

/** An AppFailure whose message is redacted (for rethrowing across a boundary). */
export function redactedFailure(redactor: Redactor, err: unknown): AppFailure {
  const e = redactor.redactError(err);
  return new AppFailure(e.code, e.message, { field: e.field, sourceId: e.sourceId });
}

/** GUID-looking strings (license ids) anywhere in a text: for texts that must never carry one. */
export function redactGuids(text: string): string {
  return text.replace(GUID, REDACTED);
}
