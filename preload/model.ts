/**
 * The data model every part of Print Queue Monitor shares: the normalized job, source health, the
 * error envelope, the settings file. Decided in shared/interfaces.md; the runtime schemas here are
 * the single source of truth for main, preload, renderer, the web transport and the CLI.
 */
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------
// Identity
// ---------------------------------------------------------------------------------------------

export const SOURCE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;
export const SourceId = z.string().regex(SOURCE_ID_PATTERN, 'a source id is 1-32 characters: a-z, 0-9 and "-", not starting with "-"');
export const SOURCE_KINDS = ['scriptx', 'graph', 'aodocs'] as const;
export const SourceKind = z.enum(SOURCE_KINDS);
export type SourceKind = z.infer<typeof SourceKind>;

/** A job key is `<sourceId>:<locator>`; parsed by the FIRST ':' only (locators may contain ':'). */
export const JobKey = z
  .string()
  .min(3)
  .max(512)
  .refine((k) => {
    const i = k.indexOf(':');
    return i > 0 && i < k.length - 1 && SOURCE_ID_PATTERN.test(k.slice(0, i));
  }, 'a job key is "<sourceId>:<id>"');

export function makeJobKey(sourceId: string, locator: string): string {
  return `${sourceId}:${locator}`;
}

export function parseJobKey(key: string): { sourceId: string; locator: string } | null {
  const i = key.indexOf(':');
  if (i <= 0 || i === key.length - 1) return null;
  const sourceId = key.slice(0, i);
  if (!SOURCE_ID_PATTERN.test(sourceId)) return null;
  return { sourceId, locator: key.slice(i + 1) };
}

// ---------------------------------------------------------------------------------------------
// The normalized job
// ---------------------------------------------------------------------------------------------

import { JOB_STATES } from './job-states';
export { JOB_STATES, FINAL_STATES, isFinal } from './job-states';
export const JobState = z.enum(JOB_STATES);
export type JobState = z.infer<typeof JobState>;

/** States polled at the idle rate and never flagged stuck. */
export const SLOW_STATES: ReadonlySet<JobState> = new Set<JobState>(['paused', 'unknown']);

export const ActionPermission = z.object({ allowed: z.boolean(), reason: z.string().optional() });
export type ActionPermission = z.infer<typeof ActionPermission>;

const IsoTime = z.string().nullable();

export const Job = z.object({
  key: z.string(),
  sourceId: z.string(),
  sourceKind: SourceKind,
  nativeId: z.string(),
  state: JobState,
  rawState: z.string(),
  detail: z.string().nullable(),
  /** The service's own reason in plain words, set by the source from its own state table. */
  reason: z.string().nullable().optional(),
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
  gone: z.boolean(),
  cancel: ActionPermission,
  abort: ActionPermission.optional(),
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

export interface SourceHealth {
  id: string;
  kind: SourceKind;
  name: string;
  status: HealthStatus;
  /** One sentence a user can act on, in the service's words where it gave any. */
  message: string;
  lastSuccessAt: string | null;
  lastErrorAt: string | null;
  detail?: Record<string, unknown>;
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

/** The envelope for a zod failure: code invalid-input, naming the first offending field. */
export function invalidInput(error: z.ZodError, prefix = ''): AppError {
  const issue = error.issues[0];
  const path = issue ? issue.path.map(String).join('.') : '';
  const field = [prefix, path].filter(Boolean).join('.');
  const message = issue ? `${field || 'payload'}: ${issue.message}` : 'The payload is not valid.';
  return field ? { code: 'invalid-input', message, field } : { code: 'invalid-input', message };
}

// ---------------------------------------------------------------------------------------------
// Settings (the one JSON file the app and the CLI share). Secrets are never in it.
// ---------------------------------------------------------------------------------------------

export const SETTINGS_VERSION = 1;

const HttpUrl = z
  .string()
  .max(2048)
  .refine((u) => {
    try {
      const p = new URL(u);
      return p.protocol === 'http:' || p.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL');

/** A command the user configures to control a local service; run with execFile, never a shell. */
export const ServiceCommand = z.object({
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

export const ScriptxSourceConfig = z.object({
  ...SourceCommon,
  kind: z.literal('scriptx'),
  /** Omitted: discover (orchestrator, then port probe). Set: an On-Premise server or a fixed port. */
  baseUrl: HttpUrl.optional(),
  orchestratorUrl: HttpUrl.optional(),
  /** Ports probed with licensing/ping when there is no orchestrator. */
  probePorts: z.object({ from: z.number().int().min(1).max(65535), to: z.number().int().min(1).max(65535) }).optional(),
  /** Control of the local service: commands the user or the admin configures. No guessed defaults. */
  service: z
    .object({
      start: ServiceCommand.optional(),
      stop: ServiceCommand.optional(),
      restart: ServiceCommand.optional(),
      /** On-Premise install: a Windows service name, controlled with sc.exe. */
      windowsServiceName: z.string().min(1).max(256).optional(),
    })
    .optional(),
});
export type ScriptxSourceConfig = z.infer<typeof ScriptxSourceConfig>;

const GraphId = z.string().min(1).max(200).regex(/^[^/?#\\\s]+$/, 'an id cannot contain "/", "?", "#", "\\" or spaces');

export const GraphSourceConfig = z.object({
  ...SourceCommon,
  kind: z.literal('graph'),
  baseUrl: HttpUrl.default('https://graph.microsoft.com/v1.0'),
  authority: HttpUrl.optional(),
  clientId: z.string().min(1).max(200).optional(),
  tenantId: z.string().min(1).max(200).optional(),
  shares: z.union([z.literal('all'), z.array(GraphId).max(500)]).optional(),
  printers: z.array(GraphId).max(500).optional(),
  scope: z.enum(['mine', 'all']).optional(),
  /** The signed-in user's UPN for the "my jobs" filter; learned at sign-in when omitted. */
  userPrincipalName: z.string().min(3).max(320).optional(),
  /** Admin mode: application permissions through client credentials, for abort. Off by default. */
  admin: z
    .object({
      enabled: z.boolean(),
      clientId: z.string().min(1).max(200),
      tenantId: z.string().min(1).max(200),
      credential: z.enum(['secret', 'certificate']),
    })
    .optional(),
});
export type GraphSourceConfig = z.infer<typeof GraphSourceConfig>;

export const AodocsSourceConfig = z.object({
  ...SourceCommon,
  kind: z.literal('aodocs'),
  baseUrl: HttpUrl.default('https://aodocs.altirnao.com/api'),
  domain: z.string().min(1).max(253).optional(),
  libraryIds: z.array(z.string().min(1).max(200).regex(/^[^/?#\\\s]+$/, 'a library id cannot contain "/", "?", "#", "\\" or spaces')).min(1).max(100),
  /** The requester e-mail that counts as "mine". */
  user: z.string().min(3).max(320).optional(),
  /** Which secret authenticates: a security code (default) or a bearer token. */
  auth: z.enum(['securityCode', 'bearer']).optional(),
});
export type AodocsSourceConfig = z.infer<typeof AodocsSourceConfig>;

export const SourceConfig = z.discriminatedUnion('kind', [ScriptxSourceConfig, GraphSourceConfig, AodocsSourceConfig]);
export type SourceConfig = z.infer<typeof SourceConfig>;

const Interval = z.object({
  activeMs: z.number().int().min(200).max(3_600_000),
  idleMs: z.number().int().min(1000).max(86_400_000),
});
export type PollInterval = z.infer<typeof Interval>;

/** Default of `polling.scriptx.maxRequestsPerSecond`: status requests per second to one service. */
export const DEFAULT_SCRIPTX_MAX_REQUESTS_PER_SECOND = 30;

export const PollingSettings = z.object({
  scriptx: Interval.extend({
    /** Status requests per second to one ScriptX service, shared by all its active jobs
     * (DEFAULT_SCRIPTX_MAX_REQUESTS_PER_SECOND when absent). */
    maxRequestsPerSecond: z.number().int().min(1).max(1000).optional(),
  }).default({ activeMs: 500, idleMs: 10_000 }),
  graph: Interval.default({ activeMs: 5_000, idleMs: 60_000 }),
  aodocs: Interval.default({ activeMs: 10_000, idleMs: 120_000 }),
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

export const NotificationSettings = z.object({
  enabled: z.boolean().default(true),
  events: z
    .object({
      completed: z.boolean().default(true),
      failed: z.boolean().default(true),
      canceledByOther: z.boolean().default(true),
      stuck: z.boolean().default(true),
      sourceProblem: z.boolean().default(true),
      licenseExpiring: z.boolean().default(true),
    })
    .default({ completed: true, failed: true, canceledByOther: true, stuck: true, sourceProblem: true, licenseExpiring: true }),
  ownJobsOnly: z.boolean().default(true),
  /** Per source: false silences that source. Missing: on. */
  sources: z.record(z.string(), z.boolean()).default({}),
  doNotDisturb: z.boolean().default(false),
});
export type NotificationSettings = z.infer<typeof NotificationSettings>;

export const HistorySettings = z.object({
  retentionDays: z.number().int().min(1).max(3650).default(30),
  maxJobs: z.number().int().min(10).max(1_000_000).default(5000),
});
export type HistorySettings = z.infer<typeof HistorySettings>;

export const SortKey = z.enum(['source', 'printer', 'document', 'owner', 'state', 'progress', 'createdAt', 'updatedAt']);
export const UiSettings = z.object({
  theme: z.enum(['system', 'light', 'dark']).default('system'),
  view: z.enum(['active', 'finished', 'all']).default('active'),
  mineOnly: z.boolean().default(false),
  sourceFilter: z.array(z.string().max(64)).max(100).default([]),
  printerFilter: z.array(z.string().max(300)).max(200).default([]),
  stateFilter: z.array(JobState).max(8).default([]),
  search: z.string().max(200).default(''),
  sort: z.object({ key: SortKey, dir: z.enum(['asc', 'desc']) }).default({ key: 'updatedAt', dir: 'desc' }),
  startAtLogin: z.boolean().default(false),
  startMinimized: z.boolean().default(false),
  closeToTrayNoticeShown: z.boolean().default(false),
});
export type UiSettings = z.infer<typeof UiSettings>;

export const UpdateSettings = z.object({
  /** A generic electron-updater feed; updates are off while unset. */
  feedUrl: HttpUrl.optional(),
});

/** The settings file. `sources` is validated source by source by the settings loader so that one
 * bad source never disables the others; this schema is the shape of a fully valid file. */
export const Settings = z.object({
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

/** A problem found in the settings file: which field, and why. */
export interface SettingsProblem {
  field: string;
  message: string;
}

// ---------------------------------------------------------------------------------------------
// Secrets: names and the environment variables the CLI reads them from
// ---------------------------------------------------------------------------------------------

export const SECRET_NAMES = ['LICENSE', 'TOKEN', 'SECURITY_CODE', 'CLIENT_SECRET', 'CLIENT_CERTIFICATE', 'MSAL_CACHE'] as const;
export const SecretName = z.enum(SECRET_NAMES);
export type SecretName = z.infer<typeof SecretName>;

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
