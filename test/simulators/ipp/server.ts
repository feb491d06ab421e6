/**
 * A strict IPP printer / CUPS-like server simulator (RFC 8010 / 8011 over HTTP POST), for the faults
 * a real CUPS cannot produce (refused connections, slow or trickling answers, malformed IPP, huge
 * answers, HTTP and IPP error statuses) and for the demo.
 *
 * Stricter than the RFCs where the monitor must behave: a request must be `application/ipp`, in
 * an IPP version it accepts (1.1 or 2.0; `versions` makes it an older printer, which answers any
 * other with server-error-version-not-supported or, as some do, HTTP 400), start with
 * attributes-charset then attributes-natural-language, carry requesting-user-name and (except
 * CUPS-Get-Printers) a printer-uri this server owns, name only known which-jobs values, and
 * address job operations with a positive job-id; anything else is answered
 * client-error-bad-request with a status-message saying what was wrong.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import ipp from 'ipp-encoder';
import { checkStructure, OP, TAG } from '../../../main/sources/ipp/codec';
import { heldAnswers } from '../held-answers';
import { simulatorListener } from '../listener';

export interface SimPrinter {
  name: string;
  info?: string;
  /** 3 idle, 4 processing, 5 stopped */
  state: 3 | 4 | 5;
  reasons: string[];
  message?: string;
  accepting: boolean;
}

export interface SimJob {
  id: number;
  printer: string;
  name: string;
  user: string;
  /** RFC 8011 job-state: 3 pending ... 9 completed */
  state: number;
  reasons: string[];
  impressions: number | null;
  impressionsCompleted: number;
  kOctets: number;
  createdAt: number;
  completedAt: number | null;
}

export type IppFault =
  | { kind: 'reset' }
  | { kind: 'http'; status: number; body?: string; retryAfterSeconds?: number; wwwAuthenticate?: string }
  /** an IPP answer with this status code and message */
  | { kind: 'ipp-status'; status: number; message: string }
  /** 200 application/ipp whose body is not a well-formed IPP message */
  | { kind: 'malformed'; variant: 'negative-length' | 'truncated' | 'garbage' }
  /**
   * The normal answer with every job-k-octets integer written in 8 bytes instead of 4 (RFC 8010
   * 3.5.2): one value unreadable, the message around it intact.
   */
  | { kind: 'long-integer' }
  /** 200 with another content type (an HTML error page of a proxy) */
  | { kind: 'wrong-type' }
  | { kind: 'slow'; ms: number }
  | { kind: 'drip'; intervalMs: number }
  /** a valid IPP answer padded with a text attribute to `bytes` */
  | { kind: 'huge'; bytes: number }
  /** the job states replaced by a value outside the enum */
  | { kind: 'unknown-state'; state: number };

export interface IppRequestLogEntry {
  /** The version-number of the request's header ("2.0"), as its first two bytes say. */
  version: string | null;
  operationId: number;
  printerUri: string | null;
  user: string | null;
  status: number;
}

export interface IppSimulator {
  readonly port: number;
  /** http://127.0.0.1:<port> (the server) */
  readonly url: string;
  printerUrl(name: string): string;
  readonly requests: IppRequestLogEntry[];
  /** Answers held back now by a 'slow' or 'drip' fault (see held-answers.ts). */
  readonly heldAnswers: number;
  addPrinter(p: Partial<SimPrinter> & { name: string }): SimPrinter;
  printer(name: string): SimPrinter;
  addJob(j: Partial<SimJob> & { printer: string; name: string; user: string }): SimJob;
  job(id: number): SimJob | undefined;
  /** Moves printing jobs on by `pages` impressions; finished ones complete. */
  tick(pages?: number): void;
  purge(id: number): void;
  injectFault(fault: IppFault, times?: number): void;
  /** The IPP versions accepted from now on (a printer whose firmware was changed). */
  setVersions(versions: readonly string[]): void;
  clearFaults(): void;
  goOffline(): Promise<void>;
  goOnline(): Promise<void>;
  dropConnections(): void;
  close(): Promise<void>;
}

const C = { OK: 0x0000, BAD_REQUEST: 0x0400, NOT_FOUND: 0x0406, NOT_POSSIBLE: 0x0404, OPERATION_NOT_SUPPORTED: 0x0501 } as const;
const WHICH_JOBS = new Set(['completed', 'not-completed', 'all']);
const FINAL = new Set([7, 8, 9]);

/** The version-number of an IPP message's header: its first two bytes (RFC 8010 3.1.1). */
function versionOf(body: Buffer): string | null {
  return body.length >= 2 ? `${body[0]}.${body[1]}` : null;
}

class IppProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Attr = { tag: number; name: string; value: unknown[] };

export interface IppSimulatorOptions {
  now?: () => number;
  /** Serve ipps:// (HTTPS) with this key and certificate, as a printer with its own certificate does. */
  tls?: { key: string; cert: string };
  /** The IPP versions accepted ("1.0", "1.1", "2.0"); default 1.1 and 2.0. */
  versions?: readonly string[];
  /** How a request in another version is refused: server-error-version-not-supported (default), or HTTP 400 as some old printers do. */
  versionRefusal?: 'ipp' | 'http-400';
  /** 'zero': a version refused with server-error-version-not-supported answers request-id 0, as old stacks that stop reading at the version do. */
  versionRefusalRequestId?: 'echo' | 'zero';
}

export async function startIppSimulator(opts: IppSimulatorOptions = {}): Promise<IppSimulator> {
  const now = opts.now ?? (() => Date.now());
  let versions = opts.versions ?? ['1.1', '2.0'];
  const printers = new Map<string, SimPrinter>();
  const jobs = new Map<number, SimJob>();
  const requests: IppRequestLogEntry[] = [];
  const faults: { fault: IppFault; remaining: number }[] = [];
  let nextJobId = 1;
  const upSince = now();

  const text = (name: string, value: string): Attr => ({ tag: TAG.TEXT, name, value: [value] });
  const nameA = (name: string, value: string): Attr => ({ tag: TAG.NAME, name, value: [value] });
  const kwA = (name: string, values: string[]): Attr => ({ tag: TAG.KEYWORD, name, value: values.length ? values : ['none'] });
  const intA = (name: string, value: number): Attr => ({ tag: TAG.INTEGER, name, value: [value] });
  const enumA = (name: string, value: number): Attr => ({ tag: TAG.ENUM, name, value: [value] });
  const uriA = (name: string, value: string): Attr => ({ tag: TAG.URI, name, value: [value] });
  const boolA = (name: string, value: boolean): Attr => ({ tag: TAG.BOOLEAN, name, value: [value] });

  const printerUri = (name: string) => `${opts.tls ? 'ipps' : 'ipp'}://127.0.0.1:${listener.port}/printers/${encodeURIComponent(name)}`;

  function printerAttrs(p: SimPrinter): Attr[] {
    const a = [nameA('printer-name', p.name), uriA('printer-uri-supported', printerUri(p.name)), enumA('printer-state', p.state), kwA('printer-state-reasons', p.reasons), boolA('printer-is-accepting-jobs', p.accepting), intA('printer-up-time', Math.floor((now() - upSince) / 1000) + 1), intA('queued-job-count', [...jobs.values()].filter((j) => j.printer === p.name && !FINAL.has(j.state)).length)];
    if (p.info) a.push(text('printer-info', p.info));
    a.push(text('printer-state-message', p.message ?? ''));
    return a;
  }

  function jobAttrs(j: SimJob, unknownState: number | null): Attr[] {
    const a = [
      intA('job-id', j.id),
      uriA('job-uri', `ipp://127.0.0.1:${listener.port}/jobs/${j.id}`),
      nameA('job-name', j.name),
      nameA('job-originating-user-name', j.user),
      enumA('job-state', unknownState ?? j.state),
      kwA('job-state-reasons', j.reasons),
      uriA('job-printer-uri', printerUri(j.printer)),
      intA('job-impressions-completed', j.impressionsCompleted),
      intA('job-k-octets', j.kOctets),
      intA('time-at-creation', Math.floor(j.createdAt / 1000)),
    ];
    if (j.impressions !== null) a.push(intA('job-impressions', j.impressions));
    if (j.completedAt !== null) a.push(intA('time-at-completed', Math.floor(j.completedAt / 1000)));
    return a;
  }

  /** The request, checked as strictly as described above. */
  function parseRequest(body: Buffer): { operationId: number; requestId: number; attrs: Map<string, unknown[]>; order: string[] } {
    const version = versionOf(body);
    if (!version || !versions.includes(version)) throw new IppProblem(0x0503, `IPP/${version} is not supported; only IPP/${versions.join(', ')}`);
    try {
      checkStructure(body);
    } catch (err) {
      throw new IppProblem(C.BAD_REQUEST, `malformed request: ${(err as Error).message}`);
    }
    const r = ipp.request.decode(body);
    const op = r.groups[0];
    if (!op || op.tag !== TAG.OPERATION) throw new IppProblem(C.BAD_REQUEST, 'the first group must be the operation attributes');
    const order = op.attributes.map((a) => a.name);
    if (order[0] !== 'attributes-charset' || order[1] !== 'attributes-natural-language') throw new IppProblem(C.BAD_REQUEST, 'attributes-charset and attributes-natural-language must come first');
    const attrs = new Map<string, unknown[]>();
    for (const a of op.attributes) attrs.set(a.name, a.value);
    if (attrs.get('attributes-charset')?.[0] !== 'utf-8') throw new IppProblem(0x040d, 'only utf-8 is supported');
    if (typeof attrs.get('requesting-user-name')?.[0] !== 'string') throw new IppProblem(C.BAD_REQUEST, 'requesting-user-name is missing');
    return { operationId: r.operationId ?? -1, requestId: r.requestId, attrs, order };
  }

  function printerOf(attrs: Map<string, unknown[]>, allowServer: boolean): SimPrinter | null {
    const uri = attrs.get('printer-uri')?.[0];
    if (typeof uri !== 'string') throw new IppProblem(C.BAD_REQUEST, 'printer-uri is missing');
    const u = new URL(uri);
    if (u.protocol !== 'ipp:' && u.protocol !== 'ipps:') throw new IppProblem(0x040c, `printer-uri scheme ${u.protocol} is not supported`);
    if (u.port !== String(listener.port)) throw new IppProblem(C.NOT_FOUND, `printer-uri ${uri} is not on this server`);
    if (u.pathname === '/' && allowServer) return null;
    const m = /^\/printers\/([^/]+)$/.exec(u.pathname);
    const p = m ? printers.get(decodeURIComponent(m[1])) : undefined;
    if (!p) throw new IppProblem(C.NOT_FOUND, `The printer or class does not exist (${u.pathname}).`);
    return p;
  }

  function jobOf(attrs: Map<string, unknown[]>): SimJob {
    const id = attrs.get('job-id')?.[0];
    if (typeof id !== 'number' || id < 1) throw new IppProblem(C.BAD_REQUEST, 'job-id is missing or not positive');
    const p = printerOf(attrs, false);
    const j = jobs.get(id);
    if (!j || j.printer !== p!.name) throw new IppProblem(C.NOT_FOUND, `Job #${id} does not exist.`);
    return j;
  }

  function operate(operationId: number, attrs: Map<string, unknown[]>, unknownState: number | null, version: string): { status: number; groups: { tag: number; attributes: Attr[] }[]; message?: string } {
    // Hold-Job and Release-Job came with IPP/1.1 (RFC 2911): a 1.0 request does not know them.
    if (version === '1.0' && (operationId === OP.HOLD_JOB || operationId === OP.RELEASE_JOB)) throw new IppProblem(C.OPERATION_NOT_SUPPORTED, `operation 0x${operationId.toString(16)} is not in IPP/1.0`);
    switch (operationId) {
      case OP.GET_PRINTER_ATTRIBUTES: {
        const p = printerOf(attrs, false)!;
        return { status: C.OK, groups: [{ tag: TAG.PRINTER, attributes: printerAttrs(p) }] };
      }
      case OP.CUPS_GET_PRINTERS:
        if (attrs.has('printer-uri')) throw new IppProblem(C.BAD_REQUEST, 'CUPS-Get-Printers takes no printer-uri');
        return { status: C.OK, groups: [...printers.values()].map((p) => ({ tag: TAG.PRINTER, attributes: printerAttrs(p) })) };
      case OP.GET_JOBS: {
        const p = printerOf(attrs, true);
        const which = (attrs.get('which-jobs')?.[0] as string | undefined) ?? 'not-completed';
        if (!WHICH_JOBS.has(which)) throw new IppProblem(0x040b, `which-jobs "${which}" is not supported`);
        const user = attrs.get('requesting-user-name')?.[0];
        const mine = attrs.get('my-jobs')?.[0] === true;
        const limit = attrs.get('limit')?.[0];
        let list = [...jobs.values()].filter((j) => (!p || j.printer === p.name) && (!mine || j.user === user));
        list = list.filter((j) => (which === 'all' ? true : which === 'completed' ? FINAL.has(j.state) : !FINAL.has(j.state)));
        if (which === 'completed') list.sort((a, b) => (b.completedAt ?? 0) - (a.completedAt ?? 0));
        if (typeof limit === 'number') list = list.slice(0, limit);
        return { status: C.OK, groups: list.map((j) => ({ tag: TAG.JOB, attributes: jobAttrs(j, unknownState) })) };
      }
      case OP.GET_JOB_ATTRIBUTES:
        return { status: C.OK, groups: [{ tag: TAG.JOB, attributes: jobAttrs(jobOf(attrs), unknownState) }] };
      case OP.CANCEL_JOB: {
        const j = jobOf(attrs);
        if (FINAL.has(j.state)) throw new IppProblem(C.NOT_POSSIBLE, `Job #${j.id} is already ${j.state === 9 ? 'completed' : j.state === 7 ? 'canceled' : 'aborted'} - can't cancel.`);
        Object.assign(j, { state: 7, reasons: ['job-canceled-by-user'], completedAt: now() });
        return { status: C.OK, groups: [] };
      }
      case OP.HOLD_JOB: {
        const j = jobOf(attrs);
        if (j.state !== 3 && j.state !== 4) throw new IppProblem(C.NOT_POSSIBLE, `Job #${j.id} is finished and cannot be altered.`);
        Object.assign(j, { state: 4, reasons: ['job-hold-until-specified'] });
        return { status: C.OK, groups: [] };
      }
      case OP.RELEASE_JOB: {
        const j = jobOf(attrs);
        if (j.state !== 4) throw new IppProblem(C.NOT_POSSIBLE, `Job #${j.id} is not held.`);
        Object.assign(j, { state: 3, reasons: ['none'] });
        return { status: C.OK, groups: [] };
      }
      default:
        throw new IppProblem(C.OPERATION_NOT_SUPPORTED, `operation 0x${operationId.toString(16)} is not supported`);
    }
  }

  function encode(requestId: number, status: number, message: string | undefined, groups: { tag: number; attributes: Attr[] }[]): Buffer {
    const op: Attr[] = [
      { tag: TAG.CHARSET, name: 'attributes-charset', value: ['utf-8'] },
      { tag: TAG.LANGUAGE, name: 'attributes-natural-language', value: ['en'] },
    ];
    if (message) op.push(text('status-message', message));
    return ipp.response.encode({ version: { major: 1, minor: 1 }, statusCode: status, requestId, groups: [{ tag: TAG.OPERATION, attributes: op }, ...groups] });
  }

  function takeFault(): IppFault | null {
    const f = faults[0];
    if (!f) return null;
    f.remaining -= 1;
    if (f.remaining <= 0) faults.shift();
    return f.fault;
  }

  const held = heldAnswers();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    // The header: version-number, operation-id, request-id (RFC 8010 3.1.1), read before anything else.
    const entry: IppRequestLogEntry = { version: versionOf(body), operationId: body.length >= 4 ? body.readUInt16BE(2) : -1, printerUri: null, user: null, status: 0 };
    requests.push(entry);
    const fault = takeFault();
    if (fault?.kind === 'reset') return void req.socket.destroy();
    if (fault?.kind === 'slow') await held.delay(res, fault.ms);
    const sendIpp = (buf: Buffer) => {
      if (res.destroyed) return;
      res.writeHead(200, { 'Content-Type': 'application/ipp', 'Content-Length': String(buf.length) });
      res.end(buf);
    };
    if (req.method !== 'POST' || (req.headers['content-type'] ?? '').split(';')[0].trim() !== 'application/ipp') {
      entry.status = 400;
      res.writeHead(400, { 'Content-Type': 'text/plain' });
      return void res.end('IPP requests are POSTs of application/ipp');
    }
    if (fault?.kind === 'http') {
      entry.status = fault.status;
      const headers: Record<string, string> = { 'Content-Type': 'text/html' };
      if (fault.retryAfterSeconds !== undefined) headers['Retry-After'] = String(fault.retryAfterSeconds);
      if (fault.wwwAuthenticate) headers['WWW-Authenticate'] = fault.wwwAuthenticate;
      res.writeHead(fault.status, headers);
      return void res.end(fault.body ?? `<html><body>Error ${fault.status}</body></html>`);
    }
    if (opts.versionRefusal === 'http-400' && entry.version && !versions.includes(entry.version)) {
      entry.status = 400;
      res.writeHead(400, { 'Content-Type': 'text/html' });
      return void res.end('<html><body>400 Bad Request</body></html>');
    }
    // The request-id is echoed even when the rest of the request is refused (RFC 8011 4.1.1).
    let requestId = body.length >= 8 ? body.readInt32BE(4) : 0;
    try {
      const r = parseRequest(body);
      requestId = r.requestId;
      entry.operationId = r.operationId;
      entry.printerUri = (r.attrs.get('printer-uri')?.[0] as string | undefined) ?? null;
      entry.user = (r.attrs.get('requesting-user-name')?.[0] as string | undefined) ?? null;
      if (fault?.kind === 'ipp-status') {
        entry.status = fault.status;
        return sendIpp(encode(requestId, fault.status, fault.message, []));
      }
      const out = operate(r.operationId, r.attrs, fault?.kind === 'unknown-state' ? fault.state : null, entry.version ?? '');
      entry.status = out.status;
      let buf = encode(requestId, out.status, out.message, out.groups);
      if (fault?.kind === 'wrong-type') {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        return void res.end('<html><body>Proxy error</body></html>');
      }
      if (fault?.kind === 'long-integer') {
        const name = Buffer.from('job-k-octets');
        const head = Buffer.concat([Buffer.from([TAG.INTEGER, 0, name.length]), name, Buffer.from([0, 4])]);
        const parts: Buffer[] = [];
        let from = 0;
        for (let at = buf.indexOf(head); at >= 0; at = buf.indexOf(head, from)) {
          const value = buf.subarray(at + head.length, at + head.length + 4);
          parts.push(buf.subarray(from, at), Buffer.from([TAG.INTEGER, 0, name.length]), name, Buffer.from([0, 8, 0, 0, 0, 0]), value);
          from = at + head.length + 4;
        }
        parts.push(buf.subarray(from));
        return sendIpp(Buffer.concat(parts));
      }
      if (fault?.kind === 'malformed') {
        if (fault.variant === 'truncated') buf = buf.subarray(0, Math.max(9, buf.length - 7));
        else if (fault.variant === 'garbage') buf = Buffer.from('%PDF-1.7 not an IPP answer');
        else {
          // A name length of 0xFFFE: read as signed, it walks the decoder backwards.
          const i = buf.indexOf(Buffer.from('attributes-charset')) - 2;
          buf.writeUInt16BE(0xfffe, i);
        }
        return sendIpp(buf);
      }
      if (fault?.kind === 'huge') {
        const pad = Math.max(0, fault.bytes - buf.length);
        const padGroups: { tag: number; attributes: Attr[] }[] = [];
        for (let left = pad; left > 0; left -= 30_000) padGroups.push({ tag: TAG.PRINTER, attributes: [text('printer-more-info', 'x'.repeat(Math.min(30_000, left)))] });
        buf = encode(requestId, out.status, out.message, [...out.groups, ...padGroups]);
        return sendIpp(buf);
      }
      if (fault?.kind === 'drip') {
        res.writeHead(200, { 'Content-Type': 'application/ipp', 'Content-Length': String(buf.length) });
        held.hold(res);
        for (let i = 0; i < buf.length; i++) {
          if (res.destroyed || !listener.online) return;
          res.write(buf.subarray(i, i + 1));
          await new Promise((r) => setTimeout(r, fault.intervalMs));
        }
        return void res.end();
      }
      return sendIpp(buf);
    } catch (err) {
      const status = err instanceof IppProblem ? err.status : 0x0500;
      entry.status = status;
      if (status === 0x0503 && opts.versionRefusalRequestId === 'zero') requestId = 0;
      return sendIpp(encode(requestId, status, err instanceof Error ? err.message : String(err), []));
    }
  }

  const listener = simulatorListener(
    handle,
    (res) => {
      if (!res.headersSent) res.writeHead(500).end();
    },
    opts.tls,
  );
  await listener.listen(0);

  return {
    get port() {
      return listener.port;
    },
    get heldAnswers() {
      return held.count;
    },
    get url() {
      return `${opts.tls ? 'https' : 'http'}://127.0.0.1:${listener.port}`;
    },
    printerUrl: (name) => printerUri(name),
    requests,
    addPrinter(p) {
      const full: SimPrinter = { state: 3, reasons: [], accepting: true, ...p };
      printers.set(full.name, full);
      return full;
    },
    printer(name) {
      const p = printers.get(name);
      if (!p) throw new Error(`no printer ${name}`);
      return p;
    },
    addJob(j) {
      if (!printers.has(j.printer)) throw new Error(`no printer ${j.printer}`);
      const full: SimJob = { id: nextJobId++, state: 3, reasons: ['none'], impressions: null, impressionsCompleted: 0, kOctets: 12, createdAt: now(), completedAt: null, ...j };
      if (FINAL.has(full.state) && full.completedAt === null) full.completedAt = now();
      nextJobId = Math.max(nextJobId, full.id + 1);
      jobs.set(full.id, full);
      return full;
    },
    job: (id) => jobs.get(id),
    tick(pages = 1) {
      for (const j of jobs.values()) {
        if (printers.get(j.printer)?.state === 5) continue;
        if (j.state === 3) Object.assign(j, { state: 5, reasons: ['job-printing'] });
        else if (j.state === 5) {
          j.impressionsCompleted += pages;
          if (j.impressions !== null && j.impressionsCompleted >= j.impressions) Object.assign(j, { state: 9, impressionsCompleted: j.impressions, reasons: ['job-completed-successfully'], completedAt: now() });
        }
      }
    },
    purge: (id) => void jobs.delete(id),
    injectFault(fault, times = Infinity) {
      faults.push({ fault, remaining: times });
    },
    clearFaults: () => void faults.splice(0),
    setVersions(next) {
      versions = [...next];
    },
    goOffline: () => listener.stop(),
    goOnline: async () => {
      if (!listener.online) await listener.listen(listener.port);
    },
    dropConnections: () => listener.dropConnections(),
    close: () => listener.stop(),
  };
}
