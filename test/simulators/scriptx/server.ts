/**
 * A strict simulator of MeadCo ScriptX.Services (Windows PC / On-Premise editions) and its
 * orchestrator: a real HTTP server on 127.0.0.1 that follows the documented v1 API, checks request
 * bodies the way MeadCo's own client sends them (PascalCase top level, camelCase inside Device and
 * Settings), runs scripted job lifecycles in time and injects faults.
 *
 * Time: jobs move through their steps by the simulator's `now()` (real time by default; tests may
 * pass a manual clock so lifecycles are deterministic). A step's `afterMs` is the time after
 * submission at which that status begins.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { dripBody, heldAnswers } from '../held-answers';

export interface SimStep {
  status: number;
  message?: string;
  /** Milliseconds after submission at which this status begins. */
  afterMs: number;
}

export interface SimJobOptions {
  token?: string;
  kind?: 'html' | 'pdf';
  steps?: SimStep[];
  /** Print to file: reports 6 until downloaded, then 100; never collected -> -2. */
  toFile?: boolean;
  /** Output of a print-to-file job not collected within this time is abandoned (-2). */
  abandonUncollectedAfterMs?: number;
  /** Bytes the download endpoint answers for a print-to-file job. */
  output?: Uint8Array;
}

export type SimFaultType = 'refuse' | 'slow' | '500' | 'malformed' | 'json-string-error' | 'drop' | '429' | 'wrong-shape' | 'status' | 'drip' | 'huge';
export type SimFault = null | {
  type: SimFaultType;
  ms?: number;
  /** only paths starting with this */
  pathPrefix?: string;
  /** only this exact path (e.g. "/api/", the description) */
  path?: string;
  /** 429, 500 and 'status': the Retry-After header value in seconds */
  retryAfterS?: number;
  /** 'status': the HTTP status answered (e.g. 502, 503), with a MeadCo-style { Message } body */
  status?: number;
  /** 'status': the Message of the body */
  message?: string;
  /** 'drip': headers at once, then one byte of a valid answer every intervalMs (real time) */
  intervalMs?: number;
  /** 'huge': a 200 answer of this many bytes (a JSON string) */
  bytes?: number;
};

export interface SimPrinter {
  name: string;
  isDefault?: boolean;
  status?: number;
  location?: string;
  isLocal?: boolean;
  isNetwork?: boolean;
  paperSizes?: string[];
}

export interface SimLicenseInfo {
  company: string;
  companyHomePage: string;
  from: string;
  to: string;
  options: Record<string, unknown>;
  domains: string[];
}

export interface SimRequest {
  method: string;
  /** The decoded path, without query string. */
  path: string;
  /** The raw path as sent (percent-encoding kept). */
  rawPath: string;
  at: number;
  /** Authorization: none sent, the installed license, or something else. */
  auth: 'none' | 'valid' | 'invalid';
  body?: unknown;
  server: 'service' | 'orchestrator';
  /** The Origin header: set by a browser (a web page calling the service), absent from the monitor. */
  origin?: string;
}

/** What the next print POST answers instead of the normal outcome. */
export interface SimPrintOverride {
  status: 0 | 1 | 2 | 3 | 4;
  message?: string;
  steps?: SimStep[];
  /** Answer with this HTTP error instead (e.g. 400 "print failed: ..."). */
  httpStatus?: number;
}

export interface ScriptxSimulatorOptions {
  /**
   * The installed license GUID (Basic user name), as MeadCo writes it: "{5091E665-...}". Omitted:
   * no license installed (every authenticated call is 401).
   */
  license?: string;
  /**
   * How the Basic user name is compared with the installed license: 'as-written' (default) — the
   * exact string, braces and case included, as a service that compares strings does; 'parsed' —
   * as a GUID (braces and case ignored).
   */
  licenseMatch?: 'as-written' | 'parsed';
  /** Fields of the service description (GET /api/) replaced or added, e.g. { serviceUpgrade: {} }. */
  description?: Record<string, unknown>;
  /**
   * A job asked to stop while pre-processing (2 Starting, 3 Downloading, 4 Downloaded) becomes -2
   * Abandoned this long after the cancel request (default: one step); false: it is not stopped in
   * time and goes on printing.
   */
  cancelStopsAfterMs?: number | false;
  /** e.g. "2.23.1.5" */
  version?: string;
  /** 1 Cloud, 2 OnPremise (ignores Authorization), 3 WindowsPC (default). */
  serviceClass?: 1 | 2 | 3;
  orchestrator?: boolean;
  port?: number;
  orchestratorPort?: number;
  /** GET /api needs the license (builds before 2.21.1.16). Default: derived from the version. */
  requireAuthForApi?: boolean;
  /** Default duration of one lifecycle step. */
  stepMs?: number;
  printers?: SimPrinter[];
  /** Printers that PUT printer/connection can add. */
  connectablePrinters?: string[];
  licenseInfo?: Partial<SimLicenseInfo>;
  /** License GUIDs the warehouse knows (POST licensing). Default: the installed license. */
  warehouseLicenses?: string[];
  /** Token style for new jobs: small integers (default) or "name:job". */
  tokenStyle?: 'number' | 'name';
  firstToken?: number;
  now?: () => number;
}

interface SimJob {
  token: string;
  kind: 'html' | 'pdf';
  steps: SimStep[];
  toFile: boolean;
  createdAt: number;
  abandonAfterMs: number;
  output: Uint8Array;
  canceledAt: number | null;
  /** canceljob asked this pre-processing job to stop at this time. */
  stopRequestedAt: number | null;
  downloadedAt: number | null;
  /** The final state was answered once: the next status call answers 404. */
  finalRead: boolean;
  deleted: boolean;
  printerName: string | null;
}

export interface SimJobStatus {
  status: number;
  message: string;
  final: boolean;
}

export interface ScriptxSimulator {
  url: string;
  port: number;
  orchestratorUrl: string | null;
  requests: SimRequest[];
  /** Answers held back now by a 'slow' or 'drip' fault (see held-answers.ts). */
  readonly heldAnswers: number;
  /** Print request bodies received, in order. */
  prints: { path: string; body: unknown }[];
  printers: SimPrinter[];
  licenseInfo: SimLicenseInfo;
  /** The installed license (changes when POST licensing succeeds). */
  readonly license: string | undefined;
  addJob(opts?: SimJobOptions): string;
  jobStatus(token: string): SimJobStatus | null;
  /** Whether the job still exists (not deleted after its final read). */
  hasJob(token: string): boolean;
  setFault(fault: SimFault): Promise<void>;
  /** The next print answers this. */
  setNextPrint(override: SimPrintOverride | null): void;
  /** Stops listening and starts again on another port (0: a free one); the orchestrator follows. */
  moveTo(port?: number): Promise<void>;
  /** Highest number of concurrent requests seen for one path. */
  maxInFlight(path: string): number;
  close(): Promise<void>;
}

const STATUS_NAMES: Record<number, string> = {
  0: 'Not started',
  1: 'Queued',
  2: 'Starting',
  3: 'Downloading',
  4: 'Downloaded',
  5: 'Printing',
  6: 'Completed',
  7: 'Paused',
  8: 'Printing PDF',
  100: 'Collected',
  101: 'Code exception',
  102: 'Completed waiting for collection',
  [-1]: 'Item error',
  [-2]: 'Abandoned',
};

/**
 * Device fields a print body may carry: the writable ones, plus the rest of a DeviceSettings as
 * deviceinfo / htmlPrintDefaults answer it (MeadCo's client sends back the whole object it read).
 */
const DEVICE_KEYS = new Set(['printerName', 'printToFileName', 'paperSizeName', 'paperSourceName', 'collate', 'copies', 'duplex']);
const DEVICE_INFO_KEYS = new Set(['units', 'paperPageSize', 'unprintableMargins', 'status', 'port', 'attributes', 'serverName', 'shareName', 'location', 'isLocal', 'isNetwork', 'isShared', 'isDefault', 'bins', 'forms']);
/** ProtectedContentAccess: MeadCo's client always sends { cookie } (access to protected content). */
const HTML_TOP_KEYS = new Set(['ContentType', 'Content', 'Settings', 'Device', 'Description', 'ProtectedContentAccess']);
/** What MeadCo's client sends for a PDF (meadco-scriptxprint.js): ProtectedContentAccess too, and Settings.jobTitle. */
const PDF_TOP_KEYS = new Set(['Document', 'Settings', 'Device', 'Description', 'ProtectedContentAccess']);
const PDF_SETTING_KEYS = new Set(['jobDescription', 'jobTitle', 'pageRange', 'pageScaling', 'autoRotateCenter', 'orientation', 'monochrome', 'normalise', 'printQuality']);

/** ProtectedContentAccess, when sent, is { cookie: string }; what is wrong with it, or null. */
function protectedAccessProblem(b: Record<string, unknown>): string | null {
  if (b.ProtectedContentAccess === undefined || b.ProtectedContentAccess === null) return null;
  const pca = b.ProtectedContentAccess as Record<string, unknown>;
  if (typeof pca !== 'object' || Array.isArray(pca) || Object.keys(pca).some((k) => k !== 'cookie') || (pca.cookie !== undefined && typeof pca.cookie !== 'string')) {
    return 'ProtectedContentAccess must be { cookie: string }';
  }
  return null;
}

function parseVersion(v: string): { major: number; minor: number; build: number; revision: number } {
  const [major = 0, minor = 0, build = 0, revision = 0] = v.split('.').map((p) => Number.parseInt(p, 10) || 0);
  return { major, minor, build, revision };
}

function versionAtLeast(v: string, min: string): boolean {
  const a = parseVersion(v);
  const b = parseVersion(min);
  for (const k of ['major', 'minor', 'build', 'revision'] as const) {
    if (a[k] !== b[k]) return a[k] > b[k];
  }
  return true;
}

/** A GUID in canonical form (no braces, upper case), or null when it is not one. */
function normalizeGuid(s: string): string | null {
  const m = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/.exec(s.trim());
  return m ? m[1]!.toUpperCase() : null;
}

const FINAL_CODES = new Set([6, 100, 101, -1, -2]);
const CORS_METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const CORS_HEADERS = ['authorization', 'content-type', 'x-meadroid-path'];

class HttpAnswer {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly raw?: string | Uint8Array,
    readonly contentType = 'application/json; charset=utf-8',
  ) {}
}

function json(status: number, body: unknown): HttpAnswer {
  return new HttpAnswer(status, body);
}

export async function startScriptxSimulator(opts: ScriptxSimulatorOptions = {}): Promise<ScriptxSimulator> {
  const now = opts.now ?? (() => Date.now());
  const version = opts.version ?? '2.23.1.5';
  const serviceClass = opts.serviceClass ?? 3;
  const stepMs = opts.stepMs ?? 30;
  const requireAuthForApi = opts.requireAuthForApi ?? !versionAtLeast(version, '2.21.1.16');
  const licenseMatch = opts.licenseMatch ?? 'as-written';
  const cancelStopsAfterMs = opts.cancelStopsAfterMs ?? stepMs;
  let license = opts.license;
  const warehouse = new Set((opts.warehouseLicenses ?? (opts.license ? [opts.license] : [])).map((g) => normalizeGuid(g) ?? g));
  const printers: SimPrinter[] = (
    opts.printers ?? [
      { name: 'Microsoft Print to PDF', isDefault: true, isLocal: true, isNetwork: false, location: '' },
      { name: 'HP LaserJet 400 (Office)', isLocal: true, isNetwork: false, location: 'Room 2.14' },
      { name: '\\\\PRINTSRV\\Finance', isLocal: false, isNetwork: true, location: 'Finance' },
    ]
  ).map((p) => ({ ...p }));
  const connectable = new Set(opts.connectablePrinters ?? ['\\\\PRINTSRV\\Marketing']);
  const licenseInfo: SimLicenseInfo = {
    company: 'Acme Ltd',
    companyHomePage: 'https://acme.example',
    from: '2026-01-01T00:00:00',
    to: '2027-01-01T00:00:00',
    options: { basicHtmlPrinting: true, advancedPrinting: true, enhancedFormatting: true, printPdf: true, printRaw: true },
    domains: ['*'],
    ...opts.licenseInfo,
  };
  const jobs = new Map<string, SimJob>();
  let nextToken = opts.firstToken ?? 17;
  let fault: SimFault = null;
  let nextPrint: SimPrintOverride | null = null;
  const requests: SimRequest[] = [];
  const held = heldAnswers();
  const prints: { path: string; body: unknown }[] = [];
  const inFlight = new Map<string, number>();
  const maxInFlight = new Map<string, number>();

  function newToken(): string {
    const n = nextToken++;
    return opts.tokenStyle === 'name' ? `job${n}:print` : String(n);
  }

  function defaultSteps(kind: 'html' | 'pdf'): SimStep[] {
    return [
      { status: 1, afterMs: 0 },
      { status: 2, afterMs: stepMs },
      { status: 3, afterMs: 2 * stepMs },
      { status: 4, afterMs: 3 * stepMs },
      { status: kind === 'pdf' ? 8 : 5, afterMs: 4 * stepMs },
      { status: 6, afterMs: 5 * stepMs },
    ];
  }

  function addJob(o: SimJobOptions = {}, printerName: string | null = null): string {
    const kind = o.kind ?? 'html';
    const token = o.token ?? newToken();
    const steps = [...(o.steps ?? defaultSteps(kind))].sort((a, b) => a.afterMs - b.afterMs);
    jobs.set(token, {
      token,
      kind,
      steps,
      toFile: o.toFile ?? false,
      createdAt: now(),
      abandonAfterMs: o.abandonUncollectedAfterMs ?? 10 * stepMs,
      output: o.output ?? new TextEncoder().encode(`%PDF-1.7\n% output of job ${token}\n%%EOF\n`),
      canceledAt: null,
      stopRequestedAt: null,
      downloadedAt: null,
      finalRead: false,
      deleted: false,
      printerName,
    });
    return token;
  }

  function statusOf(job: SimJob): SimJobStatus {
    const t = now();
    if (job.canceledAt !== null) return { status: -2, message: 'The job was cancelled', final: true };
    if (job.stopRequestedAt !== null && cancelStopsAfterMs !== false && t - job.stopRequestedAt >= cancelStopsAfterMs) {
      return { status: -2, message: 'The job was cancelled', final: true };
    }
    const elapsed = t - job.createdAt;
    let step: SimStep | null = null;
    for (const s of job.steps) if (s.afterMs <= elapsed) step = s;
    if (!step) return { status: 0, message: '', final: false };
    if (job.toFile && step.status === 6) {
      if (job.downloadedAt !== null) return { status: 100, message: 'Output collected', final: true };
      const reached6At = job.createdAt + step.afterMs;
      if (t - reached6At >= job.abandonAfterMs) return { status: -2, message: 'The output was not collected and has been discarded', final: true };
      return { status: 6, message: 'Output is waiting to be collected', final: false };
    }
    const message = step.message ?? (step.status === -1 ? 'An error occurred while printing' : '');
    return { status: step.status, message, final: FINAL_CODES.has(step.status) };
  }

  function authOf(req: http.IncomingMessage): SimRequest['auth'] {
    const h = req.headers.authorization;
    if (!h) return 'none';
    const m = /^Basic\s+(.+)$/i.exec(h);
    if (!m || !license) return 'invalid';
    const decoded = Buffer.from(m[1], 'base64').toString('utf8');
    // The password must be empty. 'as-written': the user name is compared with the license as
    // installed, character for character; 'parsed': as a GUID (.NET Guid.Parse).
    if (!decoded.endsWith(':') || decoded.indexOf(':') !== decoded.length - 1) return 'invalid';
    const user = decoded.slice(0, -1);
    if (licenseMatch === 'as-written') return user === license ? 'valid' : 'invalid';
    const sent = normalizeGuid(user);
    return sent !== null && sent === normalizeGuid(license) ? 'valid' : 'invalid';
  }

  const unauthorized = () => json(401, { Message: 'Unauthorized - unknown license' });
  const notFound = (what = 'API endpoint not found') => json(404, what);
  const printFailed = (why: string) => json(400, { Message: `print failed: ${why}` });

  function deviceSettings(p: SimPrinter) {
    return {
      printerName: p.name,
      paperSizeName: (p.paperSizes ?? ['A4'])[0],
      paperSourceName: 'Automatically Select',
      collate: 0,
      copies: 1,
      duplex: 0,
      paperPageSize: { width: 210, height: 297 },
      unprintableMargins: { left: '4', top: '4', bottom: '4', right: '4' },
      status: p.status ?? 0,
      port: p.isNetwork ? 'network' : 'PORTPROMPT:',
      attributes: 0,
      serverName: p.isNetwork ? 'PRINTSRV' : '',
      shareName: '',
      location: p.location ?? '',
      isLocal: p.isLocal ?? true,
      isNetwork: p.isNetwork ?? false,
      isShared: false,
      isDefault: p.isDefault ?? false,
      bins: ['Automatically Select', 'Tray 1'],
      forms: p.paperSizes ?? ['A4', 'Letter', 'A3'],
    };
  }

  function findPrinter(rawName: string): SimPrinter | undefined {
    const name = rawName.replace(/\|\|/g, '\\');
    if (name === 'default' || name === 'systemdefault') return printers.find((p) => p.isDefault);
    return printers.find((p) => p.name.toLowerCase() === name.toLowerCase());
  }

  function checkDevice(device: unknown): string | null {
    if (device === undefined || device === null) return null;
    if (typeof device !== 'object' || Array.isArray(device)) return 'Device must be an object';
    for (const [k, v] of Object.entries(device as Record<string, unknown>)) {
      if (!DEVICE_KEYS.has(k) && !DEVICE_INFO_KEYS.has(k)) return `unknown Device field "${k}"`;
      if (['printerName', 'printToFileName', 'paperSizeName', 'paperSourceName'].includes(k) && typeof v !== 'string') return `Device.${k} must be a string`;
      if (['collate', 'copies', 'duplex'].includes(k) && (typeof v !== 'number' || !Number.isInteger(v))) return `Device.${k} must be an integer`;
    }
    const d = device as Record<string, unknown>;
    if (d.copies !== undefined && ((d.copies as number) < 1 || (d.copies as number) > 999)) return 'Device.copies must be 1-999';
    return null;
  }

  /** The outcome of an accepted print body: queued to device/file, or a soft error. */
  function acceptPrint(kind: 'html' | 'pdf', device: Record<string, unknown> | undefined): HttpAnswer {
    const override = nextPrint;
    nextPrint = null;
    if (override?.httpStatus) return json(override.httpStatus, { Message: override.message ?? 'print failed' });
    const printerName = typeof device?.printerName === 'string' && device.printerName !== '' ? device.printerName : null;
    if (override) {
      if (override.status === 1 || override.status === 2) {
        const token = addJob({ kind, steps: override.steps, toFile: override.status === 2 }, printerName);
        return json(200, { status: override.status, jobIdentifier: token, message: override.message ?? '' });
      }
      return json(200, { status: override.status, jobIdentifier: '', message: override.message ?? '' });
    }
    if (printerName && !findPrinter(printerName)) {
      return json(200, { status: 3, jobIdentifier: '', message: `The printer "${printerName}" is not available` });
    }
    const toFile = typeof device?.printToFileName === 'string' && device.printToFileName !== '';
    const token = addJob({ kind, toFile }, printerName ?? printers.find((p) => p.isDefault)?.name ?? null);
    return json(200, { status: toFile ? 2 : 1, jobIdentifier: token, message: '' });
  }

  function handlePrintHtml(body: unknown): HttpAnswer {
    if (!body || typeof body !== 'object' || Array.isArray(body)) return printFailed('the request body is not a JSON object');
    const b = body as Record<string, unknown>;
    for (const k of Object.keys(b)) if (!HTML_TOP_KEYS.has(k)) return printFailed(`unknown field "${k}" (expected ContentType, Content, Settings, Device)`);
    if (b.ContentType !== 1 && b.ContentType !== 2 && b.ContentType !== 4) return printFailed('ContentType must be 1 (Url), 2 (Html) or 4 (InnerHtml)');
    if (typeof b.Content !== 'string' || b.Content === '') return printFailed('Content is required');
    const access = protectedAccessProblem(b);
    if (access) return printFailed(access);
    if (b.ContentType === 1 && !/^https?:\/\/[^\s]+$/i.test(b.Content)) return printFailed('Content is not a valid URL');
    if (b.Settings !== undefined && (typeof b.Settings !== 'object' || b.Settings === null || Array.isArray(b.Settings))) return printFailed('Settings must be an object');
    const s = (b.Settings ?? {}) as Record<string, unknown>;
    if (s.page !== undefined) {
      const page = s.page as Record<string, unknown>;
      if (typeof page !== 'object' || page === null) return printFailed('Settings.page must be an object');
      if (page.orientation !== undefined && ![0, 1, 2].includes(page.orientation as number)) return printFailed('Settings.page.orientation must be 0, 1 or 2');
    }
    if (s.jobTitle !== undefined && typeof s.jobTitle !== 'string') return printFailed('Settings.jobTitle must be a string');
    const bad = checkDevice(b.Device);
    if (bad) return printFailed(bad);
    return acceptPrint('html', b.Device as Record<string, unknown> | undefined);
  }

  function handlePrintPdf(body: unknown): HttpAnswer {
    if (!body || typeof body !== 'object' || Array.isArray(body)) return printFailed('the request body is not a JSON object');
    const b = body as Record<string, unknown>;
    for (const k of Object.keys(b)) if (!PDF_TOP_KEYS.has(k)) return printFailed(`unknown field "${k}" (expected Document, Settings, Device)`);
    if (typeof b.Document !== 'string' || b.Document === '') return printFailed('Document is required');
    const access = protectedAccessProblem(b);
    if (access) return printFailed(access);
    if (b.Document.startsWith('data:')) {
      const m = /^data:application\/pdf;base64,([A-Za-z0-9+/]+={0,2})$/.exec(b.Document);
      if (!m) return printFailed('Document is not a data:application/pdf;base64 URL');
      if (!Buffer.from(m[1], 'base64').subarray(0, 5).toString('latin1').startsWith('%PDF')) return printFailed('Document is not a PDF');
    } else if (!/^https?:\/\/[^\s]+$/i.test(b.Document)) {
      return printFailed('Document is not a valid URL');
    }
    if (b.Settings !== undefined) {
      if (typeof b.Settings !== 'object' || b.Settings === null || Array.isArray(b.Settings)) return printFailed('Settings must be an object');
      for (const [k, v] of Object.entries(b.Settings as Record<string, unknown>)) {
        if (!PDF_SETTING_KEYS.has(k)) return printFailed(`unknown Settings field "${k}"`);
        if (k === 'orientation' && ![0, 1, 2].includes(v as number)) return printFailed('Settings.orientation must be 0, 1 or 2');
      }
    }
    const bad = checkDevice(b.Device);
    if (bad) return printFailed(bad);
    return acceptPrint('pdf', b.Device as Record<string, unknown> | undefined);
  }

  function handlePrintDirect(body: unknown): HttpAnswer {
    if (!body || typeof body !== 'object' || Array.isArray(body)) return printFailed('the request body is not a JSON object');
    const b = body as Record<string, unknown>;
    for (const k of Object.keys(b)) if (!['ContentType', 'Content', 'PrinterName'].includes(k)) return printFailed(`unknown field "${k}" (expected ContentType, Content, PrinterName)`);
    if (b.ContentType !== 1 && b.ContentType !== 8) return printFailed('ContentType must be 1 (url) or 8 (string)');
    if (typeof b.Content !== 'string' || b.Content === '') return printFailed('Content is required');
    if (b.PrinterName !== undefined && (typeof b.PrinterName !== 'string' || (b.PrinterName !== '' && !findPrinter(b.PrinterName)))) {
      return json(200, { status: 3, jobIdentifier: '', message: `The printer "${String(b.PrinterName)}" is not available` });
    }
    return json(200, { status: 4, jobIdentifier: '', message: '' });
  }

  function route(method: string, path: string, auth: SimRequest['auth'], body: unknown): HttpAnswer {
    const authOk = serviceClass === 2 || auth === 'valid';
    const seg = path.split('/').slice(1); // ['api', 'v1', ...]
    if (seg[0] !== 'api') return notFound();
    // The description is GET /api/ (MeadCo's client builds "/api/" + ""); /api is another resource.
    if (seg.length === 2 && seg[1] === '') {
      if (method !== 'GET') return notFound();
      if (requireAuthForApi && !authOk) return unauthorized();
      const v = parseVersion(version);
      const ver = { ...v, majorRevision: 0, minorRevision: v.revision };
      return json(200, {
        serviceClass,
        currentAPIVersion: 'v1',
        serviceVersion: ver,
        serverVersion: { major: 12, minor: 1, build: 0, revision: 0, majorRevision: 0, minorRevision: 0 },
        availablePrinters: printers.map((p) => p.name),
        printHTML: true,
        printPDF: versionAtLeast(version, '2.8'),
        printDIRECT: versionAtLeast(version, '2.9'),
        ...opts.description,
      });
    }
    if (seg[1] !== 'v1') return notFound();
    const area = (seg[2] ?? '').toLowerCase();
    const op = (seg[3] ?? '').toLowerCase();
    const arg = seg[4];

    if (area === 'licensing' && op === 'ping' && seg.length === 4 && method === 'GET') {
      return json(200, { basicHtmlPrinting: true, advancedPrinting: true, enhancedFormatting: true, printPdf: true, printRaw: true });
    }
    if (area === 'licensing' && seg.length === 3 && method === 'POST') {
      // As MeadCo's client sends it (meadco-scriptxprintlicensing.js): { Guid, Url, Revision }, and
      // MeadCo's own test server reads licenseData.Guid: other spellings are refused.
      const b = body as Record<string, unknown> | null;
      if (!b || typeof b !== 'object' || typeof b.Guid !== 'string' || typeof b.Url !== 'string' || typeof b.Revision !== 'number') {
        return json(400, { Message: 'GUID is required: the license request must have Guid, Url and Revision' });
      }
      const guid = normalizeGuid(b.Guid) ?? b.Guid;
      if (!warehouse.has(guid)) return json(400, { Message: `The license ${b.Guid} could not be found at ${b.Url}` });
      license = b.Guid;
      return json(200, { guid: b.Guid, ...licenseInfo });
    }
    if (!authOk) return unauthorized();

    if (area === 'licensing' && seg.length === 3 && method === 'GET') return json(200, { guid: license, ...licenseInfo });

    if (area === 'printhtml' || area === 'printpdf') {
      const kind = area === 'printhtml' ? 'html' : 'pdf';
      if (kind === 'pdf' && !versionAtLeast(version, '2.8')) return notFound();
      if (op === 'print' && seg.length === 4 && method === 'POST') {
        prints.push({ path, body });
        return kind === 'html' ? handlePrintHtml(body) : handlePrintPdf(body);
      }
      if (op === 'status' && seg.length === 5 && method === 'GET') {
        const job = jobs.get(arg);
        if (!job || job.deleted || job.finalRead) {
          if (job && job.finalRead) job.deleted = true;
          return notFound('Job not found');
        }
        const st = statusOf(job);
        if (st.final) job.finalRead = true;
        return json(200, { status: st.status, message: st.message, jobIdentifier: job.token });
      }
      if (op === 'download' && seg.length === 5 && method === 'GET') {
        const job = jobs.get(arg);
        if (!job || job.deleted) return notFound('Job not found');
        const st = statusOf(job);
        if (!job.toFile || st.status !== 6) return json(400, { Message: `Job ${job.token} has no output waiting to be collected` });
        job.downloadedAt = now();
        return new HttpAnswer(200, null, job.output, 'application/pdf');
      }
      if (kind === 'html' && op === 'canceljob' && seg.length === 5 && method === 'PUT') {
        if (!versionAtLeast(version, '2.10')) return notFound();
        const job = jobs.get(arg);
        // The PrintPdf API has no canceljob: the printHtml queue does not know PDF jobs.
        if (!job || job.deleted || job.kind === 'pdf') return notFound('Job not found');
        const st = statusOf(job);
        if (st.final || st.status === 6) return json(200, { status: st.status, message: 'The job has finished', jobIdentifier: job.token });
        if (st.status === 5 || st.status === 8) return json(200, { status: st.status, message: 'The job is printing and cannot be stopped', jobIdentifier: job.token });
        if (st.status === 2 || st.status === 3 || st.status === 4) {
          // Pre-processing: asked to stop; the answer carries the current status.
          job.stopRequestedAt ??= now();
          return json(200, { status: st.status, message: 'The job has been asked to stop', jobIdentifier: job.token });
        }
        job.canceledAt = now();
        return json(200, { status: -2, message: 'The job was cancelled', jobIdentifier: job.token });
      }
      if (kind === 'html' && op === 'deviceinfo' && seg.length === 6 && method === 'GET') {
        const p = findPrinter(arg);
        return p ? json(200, deviceSettings(p)) : notFound(`Printer not found: ${arg.replace(/\|\|/g, '\\')}`);
      }
      if (kind === 'html' && op === 'htmlprintdefaults' && seg.length === 5 && method === 'GET') {
        const def = printers.find((p) => p.isDefault);
        return json(200, {
          settings: { header: '', footer: '', page: { orientation: 2, units: 2 }, jobTitle: '' },
          device: def ? deviceSettings(def) : null,
          availablePrinters: printers.map((p) => p.name),
        });
      }
      return notFound();
    }
    if (area === 'printdirect' && op === 'print' && seg.length === 4 && method === 'POST') {
      if (!versionAtLeast(version, '2.9')) return notFound();
      prints.push({ path, body });
      return handlePrintDirect(body);
    }
    if (area === 'printer') {
      if (!versionAtLeast(version, '2.19')) return notFound();
      if (op === 'settings' && seg.length === 6 && method === 'GET') {
        const p = findPrinter(arg);
        return p ? json(200, deviceSettings(p)) : notFound(`Printer not found: ${arg.replace(/\|\|/g, '\\')}`);
      }
      if (op === 'current' && seg.length === 5 && method === 'PUT') {
        const p = findPrinter(arg);
        if (!p) return notFound(`Printer not found: ${arg.replace(/\|\|/g, '\\')}`);
        for (const q of printers) q.isDefault = q === p;
        return json(200, deviceSettings(p));
      }
      if (op === 'connection' && seg.length === 5 && (method === 'PUT' || method === 'DELETE')) {
        const name = arg.replace(/\|\|/g, '\\');
        if (method === 'PUT') {
          if (findPrinter(name)) return json(200, deviceSettings(findPrinter(name)!));
          if (!connectable.has(name)) return notFound(`Printer not found: ${name}`);
          const p: SimPrinter = { name, isLocal: false, isNetwork: true, location: '' };
          printers.push(p);
          return json(200, deviceSettings(p));
        }
        const i = printers.findIndex((p) => p.name.toLowerCase() === name.toLowerCase());
        if (i < 0) return notFound(`Printer not found: ${name}`);
        if (!printers[i].isNetwork) return json(400, { Message: `${name} is not a printer connection and cannot be removed` });
        printers.splice(i, 1);
        return json(200, true);
      }
    }
    return notFound();
  }

  /**
   * CORS as the service answers it: web pages call it from their own origin, so any origin may read
   * its answers, and preflights are answered for the methods and headers MeadCo's client uses.
   * A preflight asking for anything else gets no Access-Control-Allow-* and the browser refuses.
   */
  function preflight(req: http.IncomingMessage, res: http.ServerResponse): void {
    const method = String(req.headers['access-control-request-method'] ?? '').toUpperCase();
    const asked = String(req.headers['access-control-request-headers'] ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean);
    const ok = !!req.headers.origin && CORS_METHODS.includes(method) && asked.every((h) => CORS_HEADERS.includes(h));
    res.writeHead(204, ok ? { 'Access-Control-Allow-Methods': CORS_METHODS.join(', '), 'Access-Control-Allow-Headers': asked.join(', ') || CORS_HEADERS.join(', '), 'Access-Control-Max-Age': '600' } : {});
    res.end();
  }

  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    if (req.headers.origin) {
      res.setHeader('Access-Control-Allow-Origin', req.headers.origin);
      res.setHeader('Vary', 'Origin');
    }
    const rawPath = (req.url ?? '/').split('?')[0];
    let path: string;
    try {
      path = rawPath
        .split('/')
        .map((s) => decodeURIComponent(s))
        .join('/');
    } catch {
      path = rawPath;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = undefined;
      let badJson = false;
      if (text !== '') {
        try {
          body = JSON.parse(text);
        } catch {
          badJson = true;
          body = text;
        }
      }
      const entry: SimRequest = { method: req.method ?? 'GET', path, rawPath, at: now(), auth: authOf(req), server: 'service' };
      if (req.headers.origin) entry.origin = req.headers.origin;
      if (body !== undefined) entry.body = body;
      requests.push(entry);
      if (entry.method === 'OPTIONS') return preflight(req, res);
      const key = `${entry.method} ${path}`;
      const n = (inFlight.get(key) ?? 0) + 1;
      inFlight.set(key, n);
      maxInFlight.set(key, Math.max(n, maxInFlight.get(key) ?? 0));
      const done = () => inFlight.set(key, (inFlight.get(key) ?? 1) - 1);
      res.on('close', done);

      const f = fault && (!fault.pathPrefix || path.startsWith(fault.pathPrefix)) && (fault.path === undefined || path === fault.path) ? fault : null;
      if (f?.type === 'drop') {
        req.socket.destroy();
        return;
      }
      const send = () => {
        const retryAfter: Record<string, string> = f?.retryAfterS !== undefined ? { 'Retry-After': String(f.retryAfterS) } : {};
        if (f?.type === '500') return write(res, json(500, { Message: 'An error has occurred.' }), retryAfter);
        if (f?.type === 'status') return write(res, json(f.status ?? 500, { Message: f.message ?? 'An error has occurred.' }), retryAfter);
        if (f?.type === 'huge') return write(res, new HttpAnswer(200, null, JSON.stringify('x'.repeat(Math.max(0, (f.bytes ?? 10 * 1024 * 1024) - 2)))));
        if (f?.type === 'drip') return drip(res, JSON.stringify({ status: 1, message: 'dripping', jobIdentifier: 'drip' }), f.intervalMs ?? 100);
        if (f?.type === 'json-string-error') return write(res, json(503, 'ScriptX.Services is restarting, try again shortly'));
        if (f?.type === 'malformed') return write(res, new HttpAnswer(200, null, '{"status": 1, "jobIdent'));
        if (f?.type === '429') return write(res, json(429, { Message: 'Too many requests' }), f.retryAfterS !== undefined ? { 'Retry-After': String(f.retryAfterS) } : {});
        if (f?.type === 'wrong-shape') return write(res, json(200, { state: 'Printing', id: 17 }));
        if (badJson) return write(res, json(400, { Message: 'print failed: the request body is not valid JSON' }));
        let answer: HttpAnswer;
        try {
          answer = route(entry.method, path, entry.auth, body);
        } catch (err) {
          answer = json(500, { Message: `simulator error: ${(err as Error).message}` });
        }
        write(res, answer);
      };
      if (f?.type === 'slow') void held.delay(res, f.ms ?? 2000).then(send);
      else send();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  /** A valid answer sent one byte at a time; stops when the client goes away. */
  function drip(res: http.ServerResponse, payload: string, intervalMs: number): void {
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(payload) });
    dripBody(held, res, payload, intervalMs);
  }

  function write(res: http.ServerResponse, a: HttpAnswer, extraHeaders: Record<string, string> = {}): void {
    if (res.destroyed) return;
    const payload = a.raw !== undefined ? a.raw : JSON.stringify(a.body);
    res.writeHead(a.status, { ...extraHeaders, 'Content-Type': a.contentType, 'Content-Length': Buffer.byteLength(payload as string | Uint8Array) });
    res.end(payload);
  }

  async function listen(srv: http.Server, port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', () => {
        srv.off('error', reject);
        resolve();
      });
    });
    return (srv.address() as AddressInfo).port;
  }

  async function stopListening(): Promise<void> {
    if (!server.listening) return;
    const closed = new Promise<void>((r) => server.close(() => r()));
    for (const s of sockets) s.destroy();
    await closed;
  }

  let port = await listen(server, opts.port ?? 0);

  let orchestrator: http.Server | null = null;
  let orchestratorUrl: string | null = null;
  const orchSockets = new Set<Socket>();
  if (opts.orchestrator) {
    orchestrator = http.createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      requests.push({ method: req.method ?? 'GET', path, rawPath: path, at: now(), auth: req.headers.authorization ? 'invalid' : 'none', server: 'orchestrator' });
      if (req.method === 'GET' && (path === '/api/v1' || path === '/api/v2')) write(res, json(200, { HttpPort: port, HttpsPort: 0 }));
      else write(res, notFound());
    });
    orchestrator.on('connection', (s) => {
      orchSockets.add(s);
      s.on('close', () => orchSockets.delete(s));
    });
    const op = await listen(orchestrator, opts.orchestratorPort ?? 0);
    orchestratorUrl = `http://127.0.0.1:${op}`;
  }

  const sim: ScriptxSimulator = {
    url: `http://127.0.0.1:${port}`,
    port,
    orchestratorUrl,
    requests,
    get heldAnswers() {
      return held.count;
    },
    prints,
    printers,
    licenseInfo,
    get license() {
      return license;
    },
    addJob: (o) => addJob(o ?? {}),
    jobStatus(token) {
      const job = jobs.get(token);
      return job && !job.deleted ? statusOf(job) : null;
    },
    hasJob(token) {
      const job = jobs.get(token);
      return !!job && !job.deleted && !job.finalRead;
    },
    async setFault(f) {
      const wasRefusing = fault?.type === 'refuse';
      fault = f;
      if (f?.type === 'refuse' && !wasRefusing) await stopListening();
      if (f?.type !== 'refuse' && wasRefusing) await listen(server, port);
    },
    setNextPrint(o) {
      nextPrint = o;
    },
    async moveTo(newPort = 0) {
      await stopListening();
      port = await listen(server, newPort);
      sim.port = port;
      sim.url = `http://127.0.0.1:${port}`;
    },
    maxInFlight: (p) => Math.max(0, ...[...maxInFlight.entries()].filter(([k]) => k.endsWith(` ${p}`) || k === p).map(([, v]) => v)),
    async close() {
      await stopListening();
      if (orchestrator) {
        const closed = new Promise<void>((r) => orchestrator!.close(() => r()));
        for (const s of orchSockets) s.destroy();
        await closed;
      }
    },
  };
  return sim;
}

export { STATUS_NAMES as SIM_STATUS_NAMES, versionAtLeast as simVersionAtLeast };
