/**
 * The one contract between the UI and the rest of the app. Every request the renderer may make and
 * every event main may push, with a runtime schema for each request payload (the renderer is
 * untrusted). main implements `Handlers`; the preload exposes `PrintQueueBridge` as
 * `window.printQueue`; the browser-preview transport and the CLI consume the same types.
 */
import { z } from 'zod';
import type { EventName, RequestName } from './channels';
import { MAX_KEYS_PER_REQUEST } from './keys';
import type { StateCounts } from './queue-view';
import {
  JobKey,
  PrinterKey,
  SecretName,
  Settings,
  UiSettings,
  SourceConfig,
  SourceId,
  type SourceKind,
  type Job,
  type JobDetails,
  type JobPatch,
  type HistoryEntry,
  type Printer,
  type Result,
  type SettingsProblem,
  type SourceHealth,
  type SecretName as SecretNameT,
  type AppError,
  invalidInput,
  toAppError,
} from './model';

export { MAX_KEYS_PER_REQUEST };

const Empty = z.object({}).strict();
const KeyInput = z.object({ key: JobKey }).strict();
const SourceInput = z.object({ sourceId: SourceId }).strict();
/**
 * A job id from outside (a paste, the CLI, a deep link). At most one "/", between two real parts:
 * Universal Print's `<share or printer id>/<job id>` (its job ids are unique per printer only).
 * Printable, no query characters, never "." or ".." (as a whole or on either side of the "/"),
 * at most 200 characters; each source refuses the forms it cannot take and percent-encodes the
 * id into its paths.
 */
export const ExternalJobId = z
  .string()
  .min(1, 'the id is empty')
  .max(200, 'the id is longer than 200 characters')
  .refine((s) => !/[\u0000-\u001f\u007f\\?#]/.test(s), 'the id contains a control character or one of \\ ? #')
  .refine((s) => s !== '.' && s !== '..' && s.trim() !== '', 'the id cannot be "." or ".." or only spaces')
  .refine((s) => {
    const parts = s.split('/');
    return parts.length <= 2 && (parts.length === 1 || parts.every((p) => p.trim() !== '' && p !== '.' && p !== '..'));
  }, 'the id has more than one /, or nothing (or a dot) on one side of it');

/** A document title or printer name handed in with a job id (Track, pqm track, a deep link). */
export const TrackLabelText = z
  .string()
  .trim()
  .min(1, 'the text is empty')
  .max(300, 'the text is longer than 300 characters')
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'the text contains a control character');

const PrintDocument = z.discriminatedUnion('type', [
  z.object({ type: z.literal('url'), url: z.string().url().max(4096).refine((u) => /^https?:/i.test(u), 'only http(s) URLs can be printed') }).strict(),
  z.object({ type: z.literal('html'), html: z.string().min(1).max(5_000_000) }).strict(),
  /** main chooses the file (a dialog in the app); the renderer never names a path. */
  z.object({ type: z.literal('file') }).strict(),
]);

export const PrintRequest = z
  .object({
    sourceId: SourceId,
    document: PrintDocument,
    /** ScriptX: a printer name; Graph: a share id. Omitted: the default printer (ScriptX). */
    printer: z.string().min(1).max(300).optional(),
    title: z.string().max(300).optional(),
    copies: z.number().int().min(1).max(999).optional(),
    paperSize: z.string().max(100).optional(),
    orientation: z.enum(['portrait', 'landscape']).optional(),
    /** ScriptX: print to this file name on the PC running the service (QueuedToFile). */
    printToFileName: z.string().max(260).optional(),
  })
  .strict();
export type PrintRequest = z.infer<typeof PrintRequest>;

export const ServiceActionRequest = z.discriminatedUnion('action', [
  z.object({ sourceId: SourceId, action: z.literal('refresh') }).strict(),
  z
    .object({
      sourceId: SourceId,
      action: z.literal('applyLicense'),
      /** "warehouse" or an https URL of an .mlf file. */
      url: z.string().min(1).max(2048),
      revision: z.number().int().min(0).max(100_000),
      /** The license GUID; omitted: the stored one. Stored encrypted when given. */
      guid: z.string().regex(/^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$/, 'a license GUID looks like 5091E665-8916-4D21-996E-00A2DE5DE416').optional(),
    })
    .strict(),
  z.object({ sourceId: SourceId, action: z.literal('addPrinter'), printer: z.string().min(1).max(300) }).strict(),
  z.object({ sourceId: SourceId, action: z.literal('removePrinter'), printer: z.string().min(1).max(300) }).strict(),
  z.object({ sourceId: SourceId, action: z.literal('setDefaultPrinter'), printer: z.string().min(1).max(300) }).strict(),
  z.object({ sourceId: SourceId, action: z.enum(['start', 'stop', 'restart']) }).strict(),
]);
export type ServiceActionRequest = z.infer<typeof ServiceActionRequest>;

/** What the ScriptX service panel shows. */
export interface ServiceInfo {
  sourceId: string;
  reachable: boolean;
  baseUrl: string | null;
  /** How the service was found: "orchestrator", "port probe" or "configured URL". */
  foundBy: string | null;
  serviceClass: string | null;
  version: string | null;
  license: { company: string | null; validFrom: string | null; validTo: string | null; expiresInDays: number | null; options: Record<string, unknown>; domains: string[] } | null;
  printers: { name: string; status: string | null; isDefault: boolean; isLocal: boolean | null; isNetwork: boolean | null; location: string | null }[];
  defaultPrinter: string | null;
  canControl: { start: boolean; stop: boolean; restart: boolean };
  /** Actions that ask Windows for administrator rights (a UAC prompt) when they run. */
  needsAdmin: { start: boolean; stop: boolean; restart: boolean };
  message: string | null;
}

export interface Snapshot {
  jobs: Job[];
  sources: SourceHealth[];
  paused: { until: string | null } | null;
  /**
   * Present when `first` was asked for: how many jobs the whole queue holds. `jobs` is then only
   * the first rows of the queue as the window shows it under the saved view choices (settings
   * `ui`), in that order, for a window to draw before the whole queue has arrived.
   */
  total?: number;
  /** Present with `total`: how many jobs of the whole queue the saved view choices show. */
  shown?: number;
  /** Present with `total`: how many jobs of the whole queue are in each state, and how many are stuck. */
  states?: StateCounts;
}

/** The most job keys setSelection takes (more selected rows are not polled first). */
export const MAX_SELECTION = 1000;

/** The most rows a snapshot's `first` may ask for. */
export const MAX_FIRST_ROWS = 1000;

export interface SettingsView {
  settings: Settings;
  problems: SettingsProblem[];
  /** Which secrets are stored, never their values. */
  secrets: { sourceId: string; name: SecretNameT; present: boolean }[];
  configPath: string;
  /** The desktop app only (absent in the browser preview and the CLI): how this copy runs. */
  desktop?: DesktopInfo;
  /** Kinds of source this computer cannot watch, and why (the Windows spooler elsewhere than on Windows). */
  unavailableKinds?: { kind: SourceKind; reason: string }[];
}

/** How this copy of the app runs: from the installer, the portable executable, or unpackaged (npm start, the demo). */
export type InstallKind = 'installed' | 'portable' | 'unpackaged';

/** Start at login as Windows has it (Task Manager's Startup apps), not only as the settings say. */
export type LoginItemStatus =
  | { available: false; reason: string }
  | {
      available: true;
      /** Windows (or macOS) has a login entry for this copy. */
      registered: boolean;
      /** Windows only: false when the entry is turned off in Task Manager; null where unknown. */
      enabledInWindows: boolean | null;
      /** What differs from the setting, in words (e.g. turned off in Task Manager); null when nothing does. */
      note: string | null;
    };

export type UpdateStatus =
  | { state: 'off'; reason: string }
  | { state: 'idle' }
  | { state: 'ready'; version: string | null; waitReason: string | null }
  | { state: 'failed'; message: string };

export interface DesktopInfo {
  install: InstallKind;
  startAtLogin: LoginItemStatus;
  update: UpdateStatus;
  /** What this copy cannot do, and why (the portable build, an unpackaged run). */
  unavailable: { feature: string; reason: string }[];
}

/** The request map: input schema and output type for every request. */
function request<O>() {
  return <I extends z.ZodType>(input: I) => ({ input, output: undefined as unknown as O });
}

export const requests = {
  getSnapshot: request<Snapshot>()(z.object({ first: z.number().int().min(1).max(MAX_FIRST_ROWS).optional() }).strict()),
  getJobDetails: request<JobDetails>()(z.object({ key: JobKey, eventsPageToken: z.string().max(2000).optional() }).strict()),
  cancelJob: request<Job>()(KeyInput),
  cancelJobs: request<{ key: string; result: Result<Job> }[]>()(z.object({ keys: z.array(JobKey).min(1).max(MAX_KEYS_PER_REQUEST) }).strict()),
  abortJob: request<Job>()(z.object({ key: JobKey, reason: z.string().trim().min(1, 'say why the job is aborted').max(500) }).strict()),
  holdJob: request<Job>()(KeyInput),
  releaseJob: request<Job>()(KeyInput),
  pauseJob: request<Job>()(KeyInput),
  resumeJob: request<Job>()(KeyInput),
  getPrinters: request<Printer[]>()(Empty),
  /**
   * Cancels the jobs not finished on one printer (Printer.key), one at a time; each job's outcome.
   * With `keys` (the jobs the user confirmed, at most MAX_KEYS_PER_REQUEST), one outcome for each
   * key named and no other job: a job that reached the printer after the confirmation is left
   * alone; an unknown key is not-found, a job on another printer or already finished a conflict.
   * Without, every unfinished job of the printer.
   */
  cancelPrinterJobs: request<{ key: string; result: Result<Job> }[]>()(z.object({ printerKey: PrinterKey, keys: z.array(JobKey).min(1).max(MAX_KEYS_PER_REQUEST).optional() }).strict()),
  retryJob: request<Job>()(KeyInput),
  trackJob: request<Job>()(
    z
      .object({
        sourceId: SourceId,
        id: ExternalJobId,
        kind: z.enum(['html', 'pdf']).optional(),
        /** What is known of a job handed in by id, for a source that cannot tell (ScriptX). */
        title: TrackLabelText.optional(),
        printer: TrackLabelText.optional(),
      })
      .strict(),
  ),
  dismissJob: request<null>()(KeyInput),
  refreshNow: request<null>()(z.object({ sourceId: SourceId.optional() }).strict()),
  setWindowVisible: request<null>()(z.object({ visible: z.boolean() }).strict()),
  /** The window's page listens for events: what main held for it (a link that started the app) is sent now. */
  windowReady: request<null>()(Empty),
  /** The jobs selected in the window and the one open in the details panel: polled first. */
  setSelection: request<null>()(z.object({ keys: z.array(JobKey).max(MAX_SELECTION) }).strict()),
  pauseMonitoring: request<{ until: string | null }>()(z.object({ minutes: z.number().int().min(1).max(10_080).nullable() }).strict()),
  resumeMonitoring: request<null>()(Empty),
  getSettings: request<SettingsView>()(Empty),
  saveSettings: request<SettingsView>()(z.object({ settings: Settings }).strict()),
  /** The view choices alone, into the settings file as it is now (the window's copy of the rest may be older). */
  saveUiSettings: request<SettingsView>()(z.object({ ui: UiSettings }).strict()),
  setSecret: request<null>()(z.object({ sourceId: SourceId, name: SecretName, value: z.string().min(1).max(20_000) }).strict()),
  clearSecret: request<null>()(z.object({ sourceId: SourceId, name: SecretName }).strict()),
  /** Tests a configuration with the secrets typed with it; stored ones only where they belong. */
  testSource: request<SourceHealth>()(z.object({ source: SourceConfig, secrets: z.partialRecord(SecretName, z.string().min(1).max(20_000)).optional() }).strict()),
  signIn: request<SourceHealth>()(SourceInput),
  signOut: request<SourceHealth>()(SourceInput),
  submitPrint: request<Job>()(PrintRequest),
  cancelUpload: request<Job>()(KeyInput),
  saveJobOutput: request<{ savedTo: string } | null>()(KeyInput),
  getServiceInfo: request<ServiceInfo>()(SourceInput),
  serviceAction: request<ServiceInfo>()(ServiceActionRequest),
  /**
   * The stored history, newest first: from `since`, at most `limit` entries; `timelines: false`
   * answers every entry with an empty timeline (the History view draws only the jobs, and a job's
   * timeline is most of an entry's size).
   */
  queryHistory: request<HistoryEntry[]>()(z.object({ since: z.string().datetime().optional(), limit: z.number().int().min(1).max(100_000).optional(), timelines: z.boolean().optional() }).strict()),
  clearHistory: request<null>()(Empty),
  exportHistory: request<{ savedTo: string } | null>()(z.object({ format: z.enum(['csv', 'json']) }).strict()),
  saveDiagnostics: request<{ savedTo: string } | null>()(Empty),
  /** Restart now to install a downloaded update; refused with the reason while watched jobs are active. */
  installUpdate: request<{ restarting: boolean; reason: string | null }>()(Empty),
} satisfies Record<RequestName, { input: z.ZodType; output: unknown }>;

// Fails the typecheck if channels.ts names a request the map lacks (or the reverse).
type _AllNamed = RequestName extends keyof typeof requests ? (keyof typeof requests extends RequestName ? true : never) : never;
const _allNamed: _AllNamed = true;
void _allNamed;

export type Requests = typeof requests;
export type RequestInput<K extends RequestName> = z.infer<Requests[K]['input']>;
export type RequestOutput<K extends RequestName> = Requests[K]['output'];

/**
 * Where an interactive sign-in stands: the page opened in the browser, the device code to enter
 * (where, until when, and Microsoft's own instructions), then done or failed.
 */
export type SignInProgress =
  | { sourceId: string; stage: 'browser'; url: string }
  | { sourceId: string; stage: 'device-code'; userCode: string; verificationUri: string; expiresAt: string; message: string }
  | { sourceId: string; stage: 'done' }
  | { sourceId: string; stage: 'failed'; message: string };

/** Payloads of the events main pushes. */
export interface Events {
  'jobs:patch': { patches: JobPatch[] };
  /** At once when what the health says changes (healthChanged); when only lastSuccessAt moved on,
   * at most every HEALTH_TIMES_EVENT_MS per source, while the window is shown. */
  'source:health': SourceHealth;
  'monitoring:paused': { until: string | null } | null;
  /** Open the window on a job (notification click, deep link). */
  'app:navigate': { key: string };
  'app:notice': { level: 'info' | 'warning' | 'error'; message: string };
  'print:progress': { key: string; sentBytes: number; totalBytes: number };
  'signin:progress': SignInProgress;
  /** Every source's printers, whenever one of them changed. */
  'printers:changed': { printers: Printer[] };
  /**
   * The settings were saved, by whatever way (the window, a link, the tray): the settings now in
   * effect and the problems found in the file, as `getSettings` answers them.
   */
  'settings:changed': { settings: Settings; problems: SettingsProblem[] };
}

type _AllEvents = EventName extends keyof Events ? (keyof Events extends EventName ? true : never) : never;
const _allEvents: _AllEvents = true;
void _allEvents;

/**
 * main implements exactly this: a missing handler is a type error. A handler throws (an AppFailure
 * for an answer the user should read); `dispatch` turns what it throws into the envelope, once.
 */
export type Handlers = { [K in RequestName]: (input: RequestInput<K>) => Promise<RequestOutput<K>> };

/** What the renderer sees as `window.printQueue` (the preload) or the web transport. */
export interface PrintQueueBridge {
  request<K extends RequestName>(name: K, input: RequestInput<K>): Promise<Result<RequestOutput<K>>>;
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
}

/**
 * The contract as Electron's preload exposes it (`window.printQueue`): the same requests and events,
 * each answer and each event payload as its JSON text (preload/contract/wire.ts: answerText,
 * eventText), so that the context bridge hands the page one string instead of copying every value
 * of a queue of thousands of jobs. The window reads it back into a PrintQueueBridge
 * (renderer/src/transport/ipc.ts).
 */
export interface IpcTextBridge {
  request(name: RequestName, input: unknown): Promise<string>;
  on(event: EventName, listener: (text: string) => void): () => void;
  /** The system's regional format, for the window's dates, times and numbers (format-locale.ts); absent when main named none. */
  readonly formatLocale?: string;
}

/** True for a real request name (never an inherited property such as "__proto__"). */
export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(requests, name);
}

/**
 * Validates a request payload and runs the handler, always answering with the envelope. Shared by
 * the IPC registration, the web transport, the tray, links, the CLI and tests so none can validate
 * differently. This is the one place a thrown error becomes the envelope: `mapError` (main passes
 * the core's `toError`, which also hides every known secret) runs once per failed request.
 */
export async function dispatch(handlers: Handlers, name: unknown, payload: unknown, mapError: (err: unknown) => AppError = toAppError): Promise<Result<unknown>> {
  if (!isRequestName(name)) {
    return { ok: false, error: { code: 'invalid-input', message: `Unknown request "${String(name).slice(0, 64)}".`, field: 'request' } };
  }
  const parsed = requests[name].input.safeParse(payload === undefined ? {} : payload);
  if (!parsed.success) return { ok: false, error: invalidInput(parsed.error) };
  try {
    const handler = handlers[name] as (input: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(parsed.data) };
  } catch (err) {
    return { ok: false, error: mapError(err) };
  }
}
