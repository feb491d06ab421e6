/**
 * The data model every part of Print Queue Monitor shares: the normalized job, source health, the
 * error envelope, the settings file. Decided in docs/interfaces.md; the runtime schemas here are
 * the single source of truth for main, preload, renderer, the web transport and the CLI.
 */
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------
// Identity
// ---------------------------------------------------------------------------------------------

import { SOURCE_ID_PATTERN } from './keys';
export { SOURCE_ID_PATTERN, makeJobKey, parseJobKey } from './keys';
export const SourceId = z.string().regex(SOURCE_ID_PATTERN, 'a source id is 1-32 characters: a-z, 0-9 and "-", not starting with "-"');
export const SOURCE_KINDS = ['scriptx', 'graph', 'aodocs', 'ipp', 'windows-spooler'] as const;
export const SourceKind = z.enum(SOURCE_KINDS);
export type SourceKind = z.infer<typeof SourceKind>;
// Every kind of source has its display names (job-states.ts) and no names are left for a kind that went.
type _KindsNamed = SourceKind extends SourceKindWithNames ? (SourceKindWithNames extends SourceKind ? true : never) : never;
const _kindsNamed: _KindsNamed = true;
void _kindsNamed;

/** `<sourceId>:<id within the source>`, parsed by the FIRST ':' only (ids may contain ':'). */
const sourceScopedKey = (message: string) =>
  z
    .string()
    .min(3, message)
    .max(512, `${message}, at most 512 characters`)
    .refine((k) => {
      const i = k.indexOf(':');
      return i > 0 && i < k.length - 1 && SOURCE_ID_PATTERN.test(k.slice(0, i));
    }, message);

/** A job key is `<sourceId>:<locator>`; parsed by the FIRST ':' only (locators may contain ':'). */
export const JobKey = sourceScopedKey('a job key is "<sourceId>:<id>"');
/** A printer key is `<sourceId>:<printer id>` (Printer.key). */
export const PrinterKey = sourceScopedKey('a printer key is "<sourceId>:<printer id>"');

// ---------------------------------------------------------------------------------------------
// The normalized job
// ---------------------------------------------------------------------------------------------

import { JOB_STATES, type SourceKindWithNames } from './job-states';
export { JOB_STATES, FINAL_STATES, isFinal } from './job-states';
export const JobState = z.enum(JOB_STATES);
export type JobState = z.infer<typeof JobState>;

/** States polled at the idle rate and never flagged stuck. */
export const SLOW_STATES: ReadonlySet<JobState> = new Set<JobState>(['paused', 'unknown']);

export const ActionPermission = z.object({ allowed: z.boolean(), reason: z.string().optional() });
export type ActionPermission = z.infer<typeof ActionPermission>;

const IsoTime = z.string().nullable();

/**
 * What became of a completed ScriptX job in this PC's Windows print queue: `linked` to the spooler
 * job that appeared for it (its state, reason and pages follow that job); `waiting` for one to
 * appear; `ambiguous` when several could be it (none is linked); `unmatched` when none appeared
 * in time. The rule is main/queue/handover.ts.
 */
export const HANDOVER_STATUSES = ['linked', 'waiting', 'ambiguous', 'unmatched'] as const;
export const Handover = z.object({
  status: z.enum(HANDOVER_STATUSES),
  /** The printer it was handed to, as the spooler names it once linked, else as ScriptX was told. */
  printer: z.string(),
  /** The spooler job's key (linked only). */
  key: z.string().nullable(),
  state: JobState.nullable(),
  reason: z.string().nullable(),
  pages: z.number().int().min(0).nullable(),
  pagesPrinted: z.number().int().min(0).nullable(),
  /** Ambiguous: how many spooler jobs could be it. */
  candidates: z.number().int().min(0),
});
export type Handover = z.infer<typeof Handover>;

export const Job = z.object({
  key: z.string(),
  sourceId: z.string(),
  sourceKind: SourceKind,
  nativeId: z.string(),
  state: JobState,
  rawState: z.string(),
  detail: z.string().nullable(),
  document: z.string().nullable(),
  owner: z.string().nullable(),
  printer: z.string().nullable(),
  mine: z.boolean(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  lastSeenAt: IsoTime,
  progress: z.number().min(0).max(1).nullable(),
  stale: z.boolean(),
  stuck: z.boolean(),
  /** While stuck: since when nothing changed (the last change the monitor saw); null once it moves on. */
  stuckSince: IsoTime.optional(),
  gone: z.boolean(),
  cancel: ActionPermission,
  abort: ActionPermission.optional(),
  /** Present only where the source supports the action (IPP: Hold-Job, Release-Job). */
  hold: ActionPermission.optional(),
  release: ActionPermission.optional(),
  pause: ActionPermission.optional(),
  resume: ActionPermission.optional(),
  /** The service's own reason in plain words, from the source's state table ("Paper jam"). */
  reason: z.string().nullable().optional(),
  /** Total pages, pages printed so far, and the size of the job, as the service reports them. */
  pages: z.number().int().min(0).nullable().optional(),
  pagesPrinted: z.number().int().min(0).nullable().optional(),
  sizeBytes: z.number().int().min(0).nullable().optional(),
  /** ScriptX on this PC: the job in this PC's Windows print queue it was handed to (docs/interfaces.md, "Hand-over"). */
  handover: Handover.nullable().optional(),
  /** A Windows spooler job: the key of the ScriptX job that handed it over, when linked. */
  handedOverBy: z.string().nullable().optional(),
  extra: z.record(z.string(), z.unknown()),
});
export type Job = z.infer<typeof Job>;

/** One state transition of a job, as the engine observed it. */
export const TimelineEntry = z.object({
  at: z.string(),
  state: JobState,
  rawState: z.string(),
  detail: z.string().nullable(),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;

/** What a job's detail panel shows beyond the job itself; each source fills what it knows. */
export interface JobDetails {
  job: Job;
  timeline: TimelineEntry[];
  /** Graph: the job's documents. */
  documents?: { id: string; name: string | null; contentType: string | null; size: number | null; uploadedAt: string | null; downloadedAt: string | null }[];
  /** Graph: the job's print tasks. */
  tasks?: { id: string; state: string; description: string | null }[];
  /** AODocs: the job's error events, newest first as the service pages them. */
  events?: { message: string; severity: string; timestamp: string | null }[];
  eventsNextPageToken?: string | null;
  /** Anything else worth showing, as label/value pairs in the service's words. */
  facts?: { label: string; value: string }[];
  /** The other side of a hand-over (Job.handover / Job.handedOverBy): that job and its timeline. */
  linked?: { job: Job; timeline: TimelineEntry[] } | null;
}

// ---------------------------------------------------------------------------------------------
// Printers: one typed printer for every source that can say how its printers are
// ---------------------------------------------------------------------------------------------

/**
 * A printer's state, one word for every source. `paused`: the printer or queue is paused and
 * nothing at the device is reported to keep it from printing: resuming it is the fix. Windows'
 * "Paused" is someone's choice; IPP's stopped with the reason `paused` is, for CUPS, a disabled
 * queue: disabled by someone (`cupsdisable`) or by CUPS itself after its backend failed (the error
 * policy stop-printer), then with CUPS's message among the reasons. `stopped`: something at the
 * printer stops it (an error, a jam, out of paper), also when it is paused besides: the device
 * needs fixing, its reasons say what (with "Paused" among them when it is paused too). `offline`
 * wins over both. The state's own words are not repeated among the reasons. Each source's state
 * table maps its own values to these (docs/interfaces.md, "Printers").
 */
export const PRINTER_STATES = ['ready', 'printing', 'paused', 'stopped', 'offline', 'unknown'] as const;
export const PrinterState = z.enum(PRINTER_STATES);
export type PrinterState = z.infer<typeof PrinterState>;

export interface Printer {
  /** `<sourceId>:<printer id>` */
  key: string;
  sourceId: string;
  sourceKind: SourceKind;
  id: string;
  name: string;
  state: PrinterState;
  /** Why it is in that state, in plain words ("Paper jam", "Toner low"); empty when nothing to say. */
  reasons: string[];
  /** Whether it takes new jobs; null when the service does not say. */
  acceptingJobs: boolean | null;
  /** Jobs not finished on it, and how many of those are flagged stuck. */
  activeJobs: number;
  stuckJobs: number;
}

// ---------------------------------------------------------------------------------------------
// Patches: the engine emits these, never snapshots after the first
// ---------------------------------------------------------------------------------------------

export type JobPatch =
  | { type: 'added'; job: Job }
  | { type: 'changed'; key: string; changes: Partial<Job> }
  | { type: 'removed'; key: string };

// ---------------------------------------------------------------------------------------------
// Source health
// ---------------------------------------------------------------------------------------------

export const HEALTH_STATUSES = ['ok', 'degraded', 'down', 'auth-required', 'disabled'] as const;
export const HealthStatus = z.enum(HEALTH_STATUSES);
export type HealthStatus = z.infer<typeof HealthStatus>;

export { CAPABILITY_NAMES, noCapabilities, type SourceCapabilities } from './capabilities';
import type { SourceCapabilities } from './capabilities';

export interface SourceHealth {
  id: string;
  kind: SourceKind;
  name: string;
  /** What the window may offer for this source. */
  capabilities: SourceCapabilities;
  status: HealthStatus;
  /** One sentence a user can act on, in the service's words where it gave any. */
  message: string;
  /**
   * When the last poll that got an answer ended (ISO), null before the first. Current in the
   * core's health (getSnapshot, pqm) after every such poll; `source:health` brings it up to date
   * at most every HEALTH_TIMES_EVENT_MS while the window is shown, when nothing else changed.
   */
  lastSuccessAt: string | null;
  /** When the last poll that failed ended (ISO), null before the first. Current in the core's
   * health; an event that moves only this on is not sent (the failure was told when it began). */
  lastErrorAt: string | null;
  detail?: Record<string, unknown>;
}

/**
 * How often at most a source's `source:health` event is sent when only its lastSuccessAt moved on
 * (polls answered as before), and only while the window is shown: the time the window shows is
 * never much older than the core's. A change of what the health says (`healthChanged`) is sent at
 * once.
 */
export const HEALTH_TIMES_EVENT_MS = 30_000;

/**
 * A source not polled yet (just started or added): its health says 'ok' with nothing checked.
 * Shown as being checked, never as fine; `pqm watch` reports its health once it is known.
 */
export function notCheckedYet(h: Pick<SourceHealth, 'status' | 'lastSuccessAt' | 'lastErrorAt'>): boolean {
  return h.status === 'ok' && h.lastSuccessAt === null && h.lastErrorAt === null;
}

/**
 * Whether `b` says something `a` did not: another status, message or detail, or checked where it
 * was not checked yet. The times alone moving on (a poll that answered like the one before) are no
 * change: the core sends them at most every HEALTH_TIMES_EVENT_MS, and `pqm watch` prints none.
 */
export function healthChanged(a: SourceHealth, b: SourceHealth): boolean {
  if (a.status !== b.status || a.message !== b.message || notCheckedYet(a) !== notCheckedYet(b)) return true;
  if (a.detail === b.detail) return false;
  return !a.detail || !b.detail || JSON.stringify(a.detail) !== JSON.stringify(b.detail);
}

// ---------------------------------------------------------------------------------------------
// The error envelope used across every boundary (IPC, web transport, CLI)
// ---------------------------------------------------------------------------------------------

export const ERROR_CODES = [
  'invalid-input',
  'not-found',
  'not-allowed',
  'conflict',
  'unreachable',
  'auth-required',
  'too-late',
  'unsupported',
  /** The user declined a prompt the action needed (an administrator prompt): nothing was done. */
  'canceled',
  'internal',
] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

export interface AppError {
  code: ErrorCode;
  message: string;
  field?: string;
  sourceId?: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError };

/** An error that carries the envelope; thrown inside main, turned into `{ok:false}` at a boundary. */
export class AppFailure extends Error {
  readonly code: ErrorCode;
  readonly field?: string;
  readonly sourceId?: string;
  constructor(code: ErrorCode, message: string, opts: { field?: string; sourceId?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppFailure';
    this.code = code;
    if (opts.field !== undefined) this.field = opts.field;
    if (opts.sourceId !== undefined) this.sourceId = opts.sourceId;
  }
  toJSON(): AppError {
    const e: AppError = { code: this.code, message: this.message };
    if (this.field !== undefined) e.field = this.field;
    if (this.sourceId !== undefined) e.sourceId = this.sourceId;
    return e;
  }
}

/** Turns anything thrown into the envelope. Unknown errors become `internal` with their message. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppFailure) return err.toJSON();
  if (err && typeof err === 'object' && 'code' in err && 'message' in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code)) {
      const e = err as AppError;
      const out: AppError = { code: e.code, message: String(e.message) };
      if (typeof e.field === 'string') out.field = e.field;
      if (typeof e.sourceId === 'string') out.sourceId = e.sourceId;
      return out;
    }
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'internal', message: message || 'An unexpected error occurred.' };
}

/** Where an issue is: an unknown key is named itself, not only the object that holds it. */
export function issuePath(issue: z.core.$ZodIssue): string[] {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) {
    const key = String(issue.keys[0]);
    path.push(key.length > 64 ? `${key.slice(0, 61)}...` : key);
  }
  return path;
}

/** The envelope for a zod failure: code invalid-input, naming the first offending field. */
export function invalidInput(error: z.ZodError, prefix = ''): AppError {
  const issue = error.issues[0];
  const path = issue ? issuePath(issue).join('.') : '';
  const field = [prefix, path].filter(Boolean).join('.');
  const message = issue ? `${field || 'payload'}: ${issue.message}` : 'The payload is not valid.';
  return field ? { code: 'invalid-input', message, field } : { code: 'invalid-input', message };
}

// ---------------------------------------------------------------------------------------------
// Settings (the one JSON file the app and the CLI share). Secrets are never in it.
// ---------------------------------------------------------------------------------------------

export const SETTINGS_VERSION = 1;

/** True for a host on this PC: localhost, 127.0.0.0/8, ::1 (as `URL.hostname` writes them). */
/**
 * A whole number typed in decimal digits (not 0x10, 1e2 or 0b11, which Number() reads) within
 * min..max, or null: how the CLI and the window read a count a user typed.
 */
export function wholeNumberIn(text: string, min: number, max: number): number | null {
  if (!/^\d{1,9}$/.test(text)) return null;
  const n = Number(text);
  return n >= min && n <= max ? n : null;
}

/** An http:// or https:// address (a page to print). */
export function isWebAddress(text: string): boolean {
  try {
    return /^https?:$/.test(new URL(text).protocol);
  } catch {
    return false;
  }
}

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(h);
}

/** True for a link-local address: 169.254.0.0/16 (cloud metadata lives there) or fe80::/10. */
export function isLinkLocalHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return /^169\.254\.\d{1,3}\.\d{1,3}$/.test(h) || /^\[fe[89ab][0-9a-f]:/.test(h) || /^\[::ffff:a9fe:[0-9a-f]{1,4}\]$/.test(h);
}

/**
 * Why a configured URL cannot be used, or null: only http(s), no user name or password in it
 * (credentials are entered as secrets), and never a link-local address. Loopback and private LAN
 * addresses are allowed (the local service and On-Premise servers live there).
 */
export function configuredUrlProblem(u: string, protocols: readonly string[] = ['http:', 'https:']): string | null {
  const schemes = protocols.map((x) => `${x}//`);
  const expected = `must be ${schemes.length > 1 ? `an ${schemes.slice(0, -1).join(', ')} or ${schemes[schemes.length - 1]}` : `an ${schemes[0]}`} URL`;
  let p: URL;
  try {
    p = new URL(u);
  } catch {
    return expected;
  }
  if (!protocols.includes(p.protocol) || p.hostname === '') return expected;
  if (p.username !== '' || p.password !== '') return 'must not contain a user name or password (enter credentials in the app, where they are stored encrypted)';
  if (isLinkLocalHost(p.hostname)) return 'must not point at a link-local address (169.254.0.0/16 or fe80::/10)';
  return null;
}

const HttpUrl = z
  .string()
  .max(2048)
  .superRefine((u, ctx) => {
    const problem = configuredUrlProblem(u);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** The closest known key to an unknown one (case-insensitive match or at most 2 edits), or null. */
export function closestKey(key: string, known: readonly string[]): string | null {
  const k = key.toLowerCase();
  let best: string | null = null;
  let bestDistance = 3;
  for (const candidate of known) {
    const c = candidate.toLowerCase();
    if (c === k) return candidate;
    const d = editDistance(k, c, bestDistance);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** "unknown setting "baseURL" (did you mean "baseUrl"?)" for each unknown key, names shortened. */
export function unknownKeysMessage(keys: readonly PropertyKey[], known: readonly string[]): string {
  return keys
    .map((key) => {
      const name = String(key);
      const shown = JSON.stringify(name.length > 64 ? `${name.slice(0, 61)}...` : name).replace(/[\u007f-\u009f]/g, '?');
      const near = closestKey(name, known);
      return `unknown setting ${shown}${near ? ` (did you mean "${near}"?)` : ''}`;
    })
    .join('; ');
}

/** An object schema that refuses unknown keys, naming each with a "did you mean" for near misses. */
function strictObject<S extends z.ZodRawShape>(shape: S): z.ZodObject<S, z.core.$strict> {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? unknownKeysMessage(iss.keys, known) : undefined),
  });
}

/** A command the user configures to control a local service; run with execFile, never a shell. */
export const ServiceCommand = strictObject({
  file: z.string().min(1).max(1024),
  args: z.array(z.string().max(1024)).max(32).default([]),
  timeoutMs: z.number().int().min(1000).max(300_000).optional(),
});
export type ServiceCommand = z.infer<typeof ServiceCommand>;

const SourceCommon = {
  id: SourceId,
  name: z.string().min(1).max(80).optional(),
  enabled: z.boolean().optional(),
};

export const ScriptxSourceConfig = strictObject({
  ...SourceCommon,
  kind: z.literal('scriptx'),
  /** Omitted: discover (orchestrator, then port probe). Set: an On-Premise server or a fixed port. */
  baseUrl: HttpUrl.optional(),
  orchestratorUrl: HttpUrl.optional(),
  /** Ports probed with licensing/ping when there is no orchestrator. */
  probePorts: strictObject({ from: z.number().int().min(1).max(65535), to: z.number().int().min(1).max(65535) }).optional(),
  /** Control of the local service: commands the user or the admin configures. No guessed defaults. */
  service: strictObject({
    start: ServiceCommand.optional(),
    stop: ServiceCommand.optional(),
    restart: ServiceCommand.optional(),
    /** On-Premise install: a Windows service name, controlled with sc.exe. */
    windowsServiceName: z.string().min(1).max(256).optional(),
  }).optional(),
});
export type ScriptxSourceConfig = z.infer<typeof ScriptxSourceConfig>;

const GraphId = z.string().min(1).max(200).regex(/^[^/?#\\\s]+$/, 'an id cannot contain "/", "?", "#", "\\" or spaces');

/** Where a source of these kinds is reached when its settings name no `baseUrl` (the settings dialog starts from it too). */
export const DEFAULT_BASE_URLS = { graph: 'https://graph.microsoft.com/v1.0', aodocs: 'https://aodocs.altirnao.com/api' } as const;

export const GraphSourceConfig = strictObject({
  ...SourceCommon,
  kind: z.literal('graph'),
  baseUrl: HttpUrl.default(DEFAULT_BASE_URLS.graph),
  /** Where sign-in secrets go: https only. */
  authority: HttpUrl.refine((u) => u.startsWith('https://'), 'must be an https:// URL (sign-in secrets travel over https only)').optional(),
  clientId: z.string().min(1).max(200).optional(),
  tenantId: z.string().min(1).max(200).optional(),
  shares: z.union([z.literal('all'), z.array(GraphId).max(500)]).optional(),
  printers: z.array(GraphId).max(500).optional(),
  scope: z.enum(['mine', 'all']).optional(),
  /** The signed-in user's UPN for the "my jobs" filter; learned at sign-in when omitted. */
  userPrincipalName: z.string().min(3).max(320).optional(),
  /** Admin mode: application permissions through client credentials, for abort. Off by default. */
  admin: strictObject({
    enabled: z.boolean(),
    clientId: z.string().min(1).max(200),
    tenantId: z.string().min(1).max(200),
    credential: z.enum(['secret', 'certificate']),
  }).optional(),
});
export type GraphSourceConfig = z.infer<typeof GraphSourceConfig>;

export const AodocsSourceConfig = strictObject({
  ...SourceCommon,
  kind: z.literal('aodocs'),
  baseUrl: HttpUrl.default(DEFAULT_BASE_URLS.aodocs),
  domain: z.string().min(1).max(253).optional(),
  libraryIds: z.array(z.string().min(1).max(200).regex(/^[^/?#\\\s]+$/, 'a library id cannot contain "/", "?", "#", "\\" or spaces')).min(1).max(100),
  /** The requester e-mail that counts as "mine". */
  user: z.string().min(3).max(320).optional(),
  /** Display names of the libraries by id ("lib-hr": "HR records"), shown in place of the ids. */
  libraryNames: z.record(z.string().min(1).max(200), z.string().trim().min(1).max(200)).optional(),
  /** Which secret authenticates: a security code (default) or a bearer token. */
  auth: z.enum(['securityCode', 'bearer']).optional(),
});
export type AodocsSourceConfig = z.infer<typeof AodocsSourceConfig>;

const IppUrl = z
  .string()
  .max(2048)
  .superRefine((u, ctx) => {
    const problem = configuredUrlProblem(u, ['ipp:', 'ipps:', 'http:', 'https:']);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const IppSourceConfig = strictObject({
  ...SourceCommon,
  kind: z.literal('ipp'),
  /** One printer (`ipp://host:631/printers/<name>`, `ipps://...`) or a CUPS server (`http://host:631`). */
  url: IppUrl,
  /** A CUPS server: only these queues (printer-name); omitted: all of them. */
  printers: z.array(z.string().min(1).max(127).regex(/^[^/\\\s#?]+$/, 'a CUPS queue name cannot contain "/", "\\", "#", "?" or spaces')).min(1).max(200).optional(),
  /** The requesting-user-name sent with every request (and Basic auth with the PASSWORD secret). */
  user: z.string().min(1).max(255).regex(/^[^\u0000-\u001f:]+$/, 'a user name cannot contain ":" or control characters').optional(),
  scope: z.enum(['mine', 'all']).optional(),
  /**
   * The SHA-256 fingerprint of the printer's own (self-signed) certificate, 64 hexadecimal digits,
   * colons allowed: an ipps:// or https:// printer is then trusted by this certificate alone.
   */
  certificateSha256: z
    .string()
    .max(95)
    .regex(/^(?:[0-9a-fA-F]{2}:?){31}[0-9a-fA-F]{2}$/, 'must be the SHA-256 fingerprint of the certificate: 64 hexadecimal digits, colons allowed (AB:CD:...)')
    .optional(),
}).superRefine((c, ctx) => {
  if (c.certificateSha256 !== undefined && !/^(ipps|https):/i.test(c.url)) {
    ctx.addIssue({ code: 'custom', path: ['certificateSha256'], message: 'applies only to an ipps:// or https:// url' });
  }
});
export type IppSourceConfig = z.infer<typeof IppSourceConfig>;

/** A Windows printer name as the spooler has it: a local queue or a connection (`\\server\queue`). */
const WindowsPrinterName = z.string().min(1).max(260).regex(/^[^\u0000-\u001f,]+$/, 'a Windows printer name cannot contain "," or control characters');

export const WindowsSpoolerSourceConfig = strictObject({
  ...SourceCommon,
  kind: z.literal('windows-spooler'),
  /** Only these printers (as Windows names them); omitted: every printer of this PC. */
  printers: z.array(WindowsPrinterName).min(1).max(200).optional(),
  /** "mine" (default): the jobs of the signed-in Windows user; "all": everyone's. */
  scope: z.enum(['mine', 'all']).optional(),
});
export type WindowsSpoolerSourceConfig = z.infer<typeof WindowsSpoolerSourceConfig>;

export const SourceConfig = z.discriminatedUnion('kind', [ScriptxSourceConfig, GraphSourceConfig, AodocsSourceConfig, IppSourceConfig, WindowsSpoolerSourceConfig]);
export type SourceConfig = z.infer<typeof SourceConfig>;

const Interval = strictObject({
  activeMs: z.number().int().min(200).max(3_600_000),
  idleMs: z.number().int().min(1000).max(86_400_000),
});
export type PollInterval = z.infer<typeof Interval>;

/** Default of `polling.scriptx.maxRequestsPerSecond`: status requests per second to one service. */
export const DEFAULT_SCRIPTX_MAX_REQUESTS_PER_SECOND = 30;

export const PollingSettings = strictObject({
  scriptx: Interval.extend({
    /** Status requests per second to one ScriptX service, shared by all its active jobs
     * (DEFAULT_SCRIPTX_MAX_REQUESTS_PER_SECOND when absent). */
    maxRequestsPerSecond: z.number().int().min(1).max(1000).optional(),
  }).default({ activeMs: 500, idleMs: 10_000 }),
  graph: Interval.default({ activeMs: 5_000, idleMs: 60_000 }),
  aodocs: Interval.default({ activeMs: 10_000, idleMs: 120_000 }),
  ipp: Interval.default({ activeMs: 2_000, idleMs: 30_000 }),
  /** The spooler also pushes its changes; these rates are the fallback. */
  'windows-spooler': Interval.default({ activeMs: 1_000, idleMs: 15_000 }),
  /** Intervals are multiplied by this while the window is hidden. */
  hiddenFactor: z.number().min(1).max(100).default(4),
  /** An active job unchanged for this long is flagged stuck. */
  stuckAfterMinutes: z.number().min(1).max(1440).default(10),
  /** Cap for exponential backoff on errors. */
  maxBackoffMs: z.number().int().min(1000).max(3_600_000).default(300_000),
});
export type PollingSettings = z.infer<typeof PollingSettings>;

export const NOTIFICATION_EVENTS = ['completed', 'failed', 'canceledByOther', 'stuck', 'sourceProblem', 'licenseExpiring'] as const;
export const NotificationEvent = z.enum(NOTIFICATION_EVENTS);
export type NotificationEvent = z.infer<typeof NotificationEvent>;

export const NotificationSettings = strictObject({
  enabled: z.boolean().default(true),
  events: strictObject({
    completed: z.boolean().default(true),
    failed: z.boolean().default(true),
    canceledByOther: z.boolean().default(true),
    stuck: z.boolean().default(true),
    sourceProblem: z.boolean().default(true),
    licenseExpiring: z.boolean().default(true),
  }).default({ completed: true, failed: true, canceledByOther: true, stuck: true, sourceProblem: true, licenseExpiring: true }),
  ownJobsOnly: z.boolean().default(true),
  /** Per source: false silences that source. Missing: on. */
  sources: z.record(z.string(), z.boolean()).default({}),
  doNotDisturb: z.boolean().default(false),
});
export type NotificationSettings = z.infer<typeof NotificationSettings>;

export const HistorySettings = strictObject({
  retentionDays: z.number().int().min(1).max(3650).default(30),
  maxJobs: z.number().int().min(10).max(1_000_000).default(5000),
});
export type HistorySettings = z.infer<typeof HistorySettings>;

/** Bounds of a queue column's width, in CSS pixels. */
export const COLUMN_WIDTH_MIN = 48;
export const COLUMN_WIDTH_MAX = 1200;
export const SortKey = z.enum(['source', 'printer', 'document', 'owner', 'state', 'progress', 'pages', 'size', 'createdAt', 'updatedAt']);
export const UiSettings = strictObject({
  theme: z.enum(['system', 'light', 'dark']).default('system'),
  view: z.enum(['active', 'finished', 'all']).default('active'),
  mineOnly: z.boolean().default(false),
  sourceFilter: z.array(z.string().max(64)).max(100).default([]),
  printerFilter: z.array(z.string().max(300)).max(200).default([]),
  stateFilter: z.array(JobState).max(8).default([]),
  /** Only jobs flagged stuck. */
  stuckOnly: z.boolean().default(false),
  search: z.string().max(200).default(''),
  sort: strictObject({ key: SortKey, dir: z.enum(['asc', 'desc']) }).default({ key: 'updatedAt', dir: 'desc' }),
  startAtLogin: z.boolean().default(false),
  startMinimized: z.boolean().default(false),
  closeToTrayNoticeShown: z.boolean().default(false),
  /** The queue's columns as the user arranged them (renderer/src/state/columns.ts lays them out). */
  columns: strictObject({
    /** Widths in CSS pixels set by dragging a column's edge; absent: the column's own width. */
    widths: z.partialRecord(SortKey, z.number().int().min(COLUMN_WIDTH_MIN).max(COLUMN_WIDTH_MAX)).default({}),
    /** Columns the user hid (Document and State always stay). */
    hidden: z
      .array(SortKey)
      .max(10)
      .refine((cols) => !cols.includes('document') && !cols.includes('state'), 'the Document and State columns cannot be hidden')
      .default([]),
    /** Columns the user chose to keep even when the window is too narrow for them (it then scrolls sideways). */
    shown: z.array(SortKey).max(10).default([]),
  }).default({ widths: {}, hidden: [], shown: [] }),
});
export type UiSettings = z.infer<typeof UiSettings>;

export const UpdateSettings = strictObject({
  /** A generic electron-updater feed; updates are off while unset. */
  feedUrl: HttpUrl.optional(),
});

/** The settings file. `sources` is validated source by source by the settings loader so that one
 * bad source never disables the others; this schema is the shape of a fully valid file. */
export const Settings = strictObject({
  version: z.literal(SETTINGS_VERSION),
  sources: z.array(SourceConfig).max(50),
  polling: PollingSettings.default(PollingSettings.parse({})),
  notifications: NotificationSettings.default(NotificationSettings.parse({})),
  history: HistorySettings.default(HistorySettings.parse({})),
  ui: UiSettings.default(UiSettings.parse({})),
  updates: UpdateSettings.default({}),
});
export type Settings = z.infer<typeof Settings>;
export type SettingsInput = z.input<typeof Settings>;

/** A problem found in the settings file: which field, and why. The message names its field first
 * ("sources.0.baseUrl: must be …") where it has one, so that it reads alone (in an error, a log). */
export interface SettingsProblem {
  field: string;
  message: string;
}

/** What a problem (or an error naming a field) says beside its field, where the field is shown
 * apart (a list of problems, the form's input itself): the message without the field it begins
 * with ("must be …"), so that the field is not said twice. */
export function problemDetail(p: { field?: string; message: string }): string {
  return beginsWithField(p) ? p.message.slice(`${p.field}: `.length) : p.message;
}

/** Whether a message (a settings problem's, an error's) begins with the field it is about ("key: …"). */
export function beginsWithField(p: { field?: string; message: string }): boolean {
  return !!p.field && p.message.startsWith(`${p.field}: `);
}

// ---------------------------------------------------------------------------------------------
// Secrets: names and the environment variables the CLI reads them from
// ---------------------------------------------------------------------------------------------

export const SECRET_NAMES = ['LICENSE', 'TOKEN', 'SECURITY_CODE', 'CLIENT_SECRET', 'CLIENT_CERTIFICATE', 'MSAL_CACHE', 'PASSWORD'] as const;
export const SecretName = z.enum(SECRET_NAMES);
export type SecretName = z.infer<typeof SecretName>;

/**
 * The secrets a source uses, by its kind and settings: what the settings dialog offers, what the
 * settings view reports as stored or not, and what `pqm settings show` lists. (The sign-in cache,
 * MSAL_CACHE, is kept by the source itself and never entered.)
 */
export function secretNamesFor(config: { kind: SourceKind; auth?: 'securityCode' | 'bearer'; admin?: { enabled?: boolean; credential?: 'secret' | 'certificate' } }): SecretName[] {
  switch (config.kind) {
    case 'scriptx':
      return ['LICENSE'];
    case 'graph':
      return config.admin?.enabled ? ['TOKEN', config.admin.credential === 'certificate' ? 'CLIENT_CERTIFICATE' : 'CLIENT_SECRET'] : ['TOKEN'];
    case 'aodocs':
      return config.auth === 'bearer' ? ['TOKEN'] : ['SECURITY_CODE'];
    case 'ipp':
      return ['PASSWORD'];
    case 'windows-spooler':
      return [];
  }
}

/** `PQM_SECRET_<SOURCEID>_<NAME>`, source id upper-cased with '-' as '_'. */
export function secretEnvName(sourceId: string, name: SecretName): string {
  return `PQM_SECRET_${sourceId.toUpperCase().replace(/-/g, '_')}_${name}`;
}

// ---------------------------------------------------------------------------------------------
// History
// ---------------------------------------------------------------------------------------------

export interface HistoryEntry {
  /** When the job reached its final state (or was found gone). */
  finishedAt: string;
  job: Job;
  timeline: TimelineEntry[];
}
