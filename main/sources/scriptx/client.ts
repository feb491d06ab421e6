/**
 * A typed client for the ScriptX.Services v1 web API. Answers are checked against schemas that
 * validate only the fields the monitor uses (an informational field in another shape reads as
 * absent, never as a failure); requests carry the license GUID as the Basic user name (empty
 * password) in MeadCo's written form, and use the body names MeadCo's own client sends (PascalCase
 * top level, camelCase inside Device/Settings).
 */
import { z } from 'zod';
import { AppFailure } from '../../../preload/contract/model';
import { HttpError, basicAuth, type HttpClient } from '../../http/client';

// ---------------------------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------------------------

const Int = z.number().int();

export const VersionSchema = z.looseObject({ major: Int, minor: Int, build: Int, revision: Int });
export type ServiceVersion = z.infer<typeof VersionSchema>;

/** Printer names, listed as names or as objects with a name (services differ). */
const PrinterNames = z
  .array(z.unknown())
  .transform((list) =>
    list.flatMap((p) => {
      if (typeof p === 'string') return [p];
      const o = p !== null && typeof p === 'object' ? (p as Record<string, unknown>) : {};
      const name = o.name ?? o.printerName ?? o.Name;
      return typeof name === 'string' ? [name] : [];
    }),
  )
  .nullish()
  .catch(null);

/** Informational: every field reads as absent when it has another shape (e.g. serviceUpgrade: {}). */
export const ServiceDescriptionSchema = z.looseObject({
  serviceClass: Int.nullish().catch(null),
  currentAPIVersion: z.string().nullish().catch(null),
  serviceVersion: VersionSchema.nullish().catch(null),
  serverVersion: VersionSchema.nullish().catch(null),
  availablePrinters: PrinterNames,
  printHTML: z.boolean().nullish().catch(null),
  printPDF: z.boolean().nullish().catch(null),
  printDIRECT: z.boolean().nullish().catch(null),
});
export type ServiceDescription = z.infer<typeof ServiceDescriptionSchema>;

export const PingSchema = z.looseObject({
  basicHtmlPrinting: z.boolean().optional().catch(undefined),
  advancedPrinting: z.boolean().optional().catch(undefined),
  enhancedFormatting: z.boolean().optional().catch(undefined),
  printPdf: z.boolean().optional().catch(undefined),
  printRaw: z.boolean().optional().catch(undefined),
});
export type Ping = z.infer<typeof PingSchema>;

/** Informational: a field in another shape reads as absent. */
export const LicenseSchema = z.looseObject({
  guid: z.string().nullish().catch(null),
  company: z.string().nullish().catch(null),
  companyHomePage: z.string().nullish().catch(null),
  from: z.string().nullish().catch(null),
  to: z.string().nullish().catch(null),
  options: z.record(z.string(), z.unknown()).nullish().catch(null),
  domains: z.array(z.string()).nullish().catch(null),
});
export type License = z.infer<typeof LicenseSchema>;

const TokenValue = z.union([z.string(), z.number()]).transform((v) => String(v));

export const JobStatusSchema = z.looseObject({
  status: Int,
  message: z.string().nullish(),
  jobIdentifier: TokenValue.nullish(),
});
export type JobStatusAnswer = z.infer<typeof JobStatusSchema>;

export const PrintAnswerSchema = z.looseObject({
  status: Int,
  jobIdentifier: TokenValue.nullish(),
  message: z.string().nullish(),
});
export type PrintAnswer = z.infer<typeof PrintAnswerSchema>;

export const DeviceSettingsSchema = z.looseObject({
  printerName: z.string().nullish(),
  paperSizeName: z.string().nullish(),
  paperSourceName: z.string().nullish(),
  collate: Int.nullish(),
  copies: Int.nullish(),
  duplex: Int.nullish(),
  status: Int.nullish(),
  port: z.string().nullish(),
  serverName: z.string().nullish(),
  shareName: z.string().nullish(),
  location: z.string().nullish(),
  isLocal: z.boolean().nullish(),
  isNetwork: z.boolean().nullish(),
  isShared: z.boolean().nullish(),
  isDefault: z.boolean().nullish(),
  bins: z.array(z.string()).nullish(),
  forms: z.array(z.string()).nullish(),
});
export type DeviceSettings = z.infer<typeof DeviceSettingsSchema>;

export const HtmlPrintDefaultsSchema = z.looseObject({
  settings: z.record(z.string(), z.unknown()).nullish().catch(null),
  device: DeviceSettingsSchema.nullish().catch(null),
  availablePrinters: PrinterNames,
});
export type HtmlPrintDefaults = z.infer<typeof HtmlPrintDefaultsSchema>;

/** The orchestrator's answer: MeadCo's client reads HttpPort. */
export const OrchestratorSchema = z
  .looseObject({ HttpPort: Int.min(1).max(65535).optional(), httpPort: Int.min(1).max(65535).optional() })
  .refine((o) => o.HttpPort !== undefined || o.httpPort !== undefined, 'HttpPort is missing');

// ---------------------------------------------------------------------------------------------
// Requests (names exactly as MeadCo's client sends them)
// ---------------------------------------------------------------------------------------------

export interface DeviceBody {
  printerName?: string;
  printToFileName?: string;
  paperSizeName?: string;
  paperSourceName?: string;
  collate?: number;
  copies?: number;
  duplex?: number;
}

export interface PrintHtmlBody {
  /** 1 Url, 2 Html, 4 InnerHtml */
  ContentType: 1 | 2 | 4;
  Content: string;
  Settings?: { jobTitle?: string; page?: { orientation?: 0 | 1 | 2 } };
  Device?: DeviceBody;
}

export interface PrintPdfBody {
  /** An http(s) URL or data:application/pdf;base64,... */
  Document: string;
  Settings?: { jobDescription?: string; orientation?: 0 | 1 | 2; pageRange?: string };
  Device?: DeviceBody;
}

export interface PrintDirectBody {
  /** 1 url, 8 string */
  ContentType: 1 | 8;
  Content: string;
  PrinterName?: string;
}

/** POST /api/v1/licensing as MeadCo's client sends it (meadco-scriptxprintlicensing.js: Guid, Url, Revision). */
export interface ApplyLicenseBody {
  Guid: string;
  Url: string;
  Revision: number;
}

export type JobKind = 'html' | 'pdf';

// ---------------------------------------------------------------------------------------------
// Path segments
// ---------------------------------------------------------------------------------------------

export const MAX_TOKEN_LENGTH = 200;
/** A status, the description and the license details are a few hundred bytes: a bigger answer is not theirs. */
const INFO_MAX_BYTES = 256 * 1024;

/** Why a token handed in cannot be used, or null when it can. */
export function tokenProblem(token: unknown): string | null {
  if (typeof token !== 'string' || token.length === 0) return 'the job id is empty';
  if (token.length > MAX_TOKEN_LENGTH) return `the job id is longer than ${MAX_TOKEN_LENGTH} characters`;
  if (/[\u0000-\u001f\u007f]/.test(token)) return 'the job id contains a control character';
  if (/[/\\?#]/.test(token)) return 'the job id contains one of / \\ ? #';
  if (token.trim() === '') return 'the job id is blank';
  if (token === '.' || token === '..') return 'the job id cannot be "." or ".."';
  return null;
}

/** A validated token, percent-encoded as one path segment. Throws AppFailure invalid-input. */
export function tokenSegment(token: string): string {
  const problem = tokenProblem(token);
  if (problem) throw new AppFailure('invalid-input', `This is not a ScriptX job id: ${problem}.`, { field: 'id' });
  return encodeURIComponent(token);
}

/** A printer name as one path segment: "\" is sent as "||" (MeadCo's convention), then encoded. */
export function printerSegment(name: string): string {
  if (name.length === 0 || name.length > 300 || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new AppFailure('invalid-input', 'The printer name is empty, too long or contains a control character.', { field: 'printer' });
  }
  return encodeURIComponent(name.replace(/\\/g, '||'));
}

export function formatVersion(v: ServiceVersion | null | undefined): string | null {
  return v ? `${v.major}.${v.minor}.${v.build}.${v.revision}` : null;
}

/** -1, 0 or 1 comparing a service version with "major.minor[.build[.revision]]". */
export function compareVersion(v: ServiceVersion, min: string): number {
  const [major = 0, minor = 0, build = 0, revision = 0] = min.split('.').map((p) => Number.parseInt(p, 10) || 0);
  const a = [v.major, v.minor, v.build, v.revision];
  const b = [major, minor, build, revision];
  for (let i = 0; i < 4; i++) if (a[i] !== b[i]) return a[i] > b[i] ? 1 : -1;
  return 0;
}

// ---------------------------------------------------------------------------------------------
// The license GUID
// ---------------------------------------------------------------------------------------------

const GUID = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/;

/** A license GUID as MeadCo writes it, "{5091E665-8916-4D21-996E-00A2DE5DE416}", or null when the text is not a GUID. */
export function meadcoLicenseForm(text: string): string | null {
  const m = GUID.exec(text.trim());
  return m ? `{${m[1].toUpperCase()}}` : null;
}

/**
 * The forms a license is sent in, in order: MeadCo's (braces, upper case), then exactly as the
 * user typed it (a service may compare the string as it was installed).
 */
export function licenseForms(typed: string): string[] {
  const meadco = meadcoLicenseForm(typed);
  return [...new Set([meadco ?? typed.trim(), typed])].filter((f) => f !== '');
}

// ---------------------------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------------------------

export interface ScriptxClientOptions {
  /** Per-request timeout for ordinary calls (loopback: short). */
  timeoutMs?: number;
  /** Timeout for print submissions (a PDF data URL can be large). */
  printTimeoutMs?: number;
}

export class ScriptxClient {
  private readonly timeoutMs: number;
  private readonly printTimeoutMs: number;

  constructor(
    private readonly http: HttpClient,
    /** e.g. http://127.0.0.1:41191 (no trailing slash) */
    readonly baseUrl: string,
    /** The license GUID; undefined: requests go without Authorization (On-Premise ignores it). */
    private readonly license: () => Promise<string | undefined>,
    opts: ScriptxClientOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.printTimeoutMs = opts.printTimeoutMs ?? 60_000;
  }

  /** The license form last accepted, for the license as typed. */
  private accepted: { typed: string; form: string } | null = null;
  /** A license as typed whose every form was refused: not retried until one is accepted again. */
  private refusedAll: string | null = null;

  private url(path: string): string {
    return `${this.baseUrl.replace(/\/+$/, '')}${path}`;
  }

  /**
   * Runs a request with the license: in MeadCo's form first (or the form last accepted); on a 401,
   * once more in the other form (as the user typed it). The form accepted is used from then on.
   * (Some answers need no license, so a form "accepted" there may still be refused elsewhere.)
   */
  private async licensed<T>(withAuth: boolean, send: (headers: Record<string, string>) => Promise<T>): Promise<T> {
    const typed = withAuth ? await this.license() : undefined;
    if (!typed || !typed.trim()) return send({});
    const forms = licenseForms(typed);
    const first = (this.accepted?.typed === typed ? this.accepted.form : null) ?? forms[0];
    const is401 = (err: unknown) => err instanceof HttpError && err.kind === 'http' && err.status === 401;
    let out: T;
    try {
      out = await send({ Authorization: basicAuth(first, '') });
      this.accepted = { typed, form: first };
    } catch (err) {
      const other = forms.find((f) => f !== first);
      if (other === undefined || !is401(err) || this.refusedAll === typed) throw err;
      try {
        out = await send({ Authorization: basicAuth(other, '') });
      } catch (err2) {
        if (is401(err2)) this.refusedAll = typed;
        throw err2;
      }
      this.accepted = { typed, form: other };
    }
    this.refusedAll = null;
    return out;
  }

  private async call<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, schema: z.ZodType<T>, signal: AbortSignal, opts: { body?: unknown; auth?: boolean; timeoutMs?: number; maxBytes?: number } = {}): Promise<T> {
    const res = await this.licensed(opts.auth !== false, (headers) =>
      this.http.request({ method, url: this.url(path), headers, body: opts.body, timeoutMs: opts.timeoutMs ?? this.timeoutMs, signal, ...(opts.maxBytes ? { maxBytes: opts.maxBytes } : {}) }, schema),
    );
    return res.data;
  }

  /** Liveness; needs no license. */
  ping(signal: AbortSignal, timeoutMs?: number): Promise<Ping> {
    return this.call('GET', '/api/v1/licensing/ping', PingSchema, signal, { auth: false, timeoutMs });
  }

  /**
   * GET /api/ — with the slash, where MeadCo's client reads it ("/api/" + ""); /api is not the same
   * resource on every server. Sends the license: builds before 2.21.1.16 answer 401 without it.
   */
  describe(signal: AbortSignal): Promise<ServiceDescription> {
    return this.call('GET', '/api/', ServiceDescriptionSchema, signal, { maxBytes: INFO_MAX_BYTES });
  }

  licensing(signal: AbortSignal): Promise<License> {
    return this.call('GET', '/api/v1/licensing', LicenseSchema, signal, { maxBytes: INFO_MAX_BYTES });
  }

  /** Without Authorization, as MeadCo's client applies a license (the one stored may be the one being replaced). */
  applyLicense(body: ApplyLicenseBody, signal: AbortSignal): Promise<License> {
    return this.call('POST', '/api/v1/licensing', LicenseSchema, signal, { body, auth: false, timeoutMs: this.printTimeoutMs });
  }

  status(kind: JobKind, token: string, signal: AbortSignal): Promise<JobStatusAnswer> {
    return this.call('GET', `/api/v1/${kind === 'pdf' ? 'printPdf' : 'printHtml'}/status/${tokenSegment(token)}`, JobStatusSchema, signal, { maxBytes: INFO_MAX_BYTES });
  }

  /** printHtml only: the PrintPdf API has print, status and download but no canceljob. */
  cancel(token: string, signal: AbortSignal): Promise<JobStatusAnswer> {
    return this.call('PUT', `/api/v1/printHtml/canceljob/${tokenSegment(token)}`, JobStatusSchema, signal);
  }

  async download(kind: JobKind, token: string, signal: AbortSignal, maxBytes = 200 * 1024 * 1024): Promise<{ bytes: Uint8Array; contentType: string }> {
    const url = this.url(`/api/v1/${kind === 'pdf' ? 'printPdf' : 'printHtml'}/download/${tokenSegment(token)}`);
    const res = await this.licensed(true, (headers) =>
      this.http.request<Buffer>({ method: 'GET', url, headers: { ...headers, Accept: '*/*' }, responseType: 'bytes', timeoutMs: this.printTimeoutMs, maxBytes, signal }),
    );
    return { bytes: new Uint8Array(res.data), contentType: res.headers['content-type']?.split(';')[0].trim() || 'application/pdf' };
  }

  printHtml(body: PrintHtmlBody, signal: AbortSignal): Promise<PrintAnswer> {
    return this.call('POST', '/api/v1/printHtml/print', PrintAnswerSchema, signal, { body, timeoutMs: this.printTimeoutMs });
  }

  printPdf(body: PrintPdfBody, signal: AbortSignal): Promise<PrintAnswer> {
    return this.call('POST', '/api/v1/printPdf/print', PrintAnswerSchema, signal, { body, timeoutMs: this.printTimeoutMs });
  }

  printDirect(body: PrintDirectBody, signal: AbortSignal): Promise<PrintAnswer> {
    return this.call('POST', '/api/v1/printDirect/print', PrintAnswerSchema, signal, { body, timeoutMs: this.printTimeoutMs });
  }

  /** `name` may be "default" or "systemdefault". units: 0 default, 1 inches, 2 mm. */
  deviceInfo(name: string, units: 0 | 1 | 2, signal: AbortSignal): Promise<DeviceSettings> {
    return this.call('GET', `/api/v1/printHtml/deviceinfo/${printerSegment(name)}/${units}`, DeviceSettingsSchema, signal);
  }

  htmlPrintDefaults(units: 0 | 1 | 2, signal: AbortSignal): Promise<HtmlPrintDefaults> {
    return this.call('GET', `/api/v1/printHtml/htmlPrintDefaults/${units}`, HtmlPrintDefaultsSchema, signal);
  }

  /** Windows PC 2.19+. */
  printerSettings(name: string, units: 0 | 1 | 2, signal: AbortSignal): Promise<DeviceSettings> {
    return this.call('GET', `/api/v1/printer/settings/${printerSegment(name)}/${units}`, DeviceSettingsSchema, signal);
  }

  /** Windows PC 2.19+: connects a (network) printer for the user. */
  addPrinterConnection(name: string, signal: AbortSignal): Promise<unknown> {
    return this.call('PUT', `/api/v1/printer/connection/${printerSegment(name)}`, z.unknown(), signal, { timeoutMs: this.printTimeoutMs });
  }

  /**
   * Windows PC 2.19+: makes a printer the current (default) one. MeadCo documents "printer/current
   * (PUT)"; the name travels as a path segment like the connection endpoints (UNVERIFIED shape).
   */
  setCurrentPrinter(name: string, signal: AbortSignal): Promise<unknown> {
    return this.call('PUT', `/api/v1/printer/current/${printerSegment(name)}`, z.unknown(), signal);
  }

  removePrinterConnection(name: string, signal: AbortSignal): Promise<unknown> {
    return this.call('DELETE', `/api/v1/printer/connection/${printerSegment(name)}`, z.unknown(), signal, { timeoutMs: this.printTimeoutMs });
  }
}

/** Asks the orchestrator (no auth) which port this user's ScriptX.Services listens on. */
export async function orchestratorPort(http: HttpClient, orchestratorUrl: string, signal: AbortSignal, timeoutMs = 2000): Promise<number> {
  const res = await http.request({ method: 'GET', url: `${orchestratorUrl.replace(/\/+$/, '')}/api/v1`, timeoutMs, signal }, OrchestratorSchema);
  return (res.data.HttpPort ?? res.data.httpPort) as number;
}
