/**
 * IPP over the shared HTTP layer: each operation is an HTTP POST of `application/ipp` to the
 * printer's URI with ipp:// read as http:// and ipps:// as https:// (RFC 8010 4, RFC 7472), so
 * timeouts, the size cap, proxies and error kinds are those of every other source.
 */
import { CleartextRefusedError, describeTarget, HttpError, type HttpClient, type HttpResponse } from '../../http/client';
import { decodeResponse, encodeRequest, IPP_VERSIONS, IppFormatError, OP, statusMessage, statusName, TAG, type IppAnswer, type IppVersion, type RequestAttribute, type RequestGroup } from './codec';

/** IPP answers are small; a server sending more than this is refused (the HTTP layer enforces it). */
export const IPP_MAX_BYTES = 4 * 1024 * 1024;

/** An operation the server answered with an IPP error status (client-error-..., server-error-...). */
export class IppStatusError extends Error {
  readonly status: number;
  readonly statusName: string;
  /** The server's status-message, when it gave one. */
  readonly serviceMessage: string | null;
  constructor(status: number, serviceMessage: string | null, what: string) {
    super(`${what} was refused: ${statusName(status)}${serviceMessage ? ` ("${serviceMessage}")` : ''}`);
    this.name = 'IppStatusError';
    this.status = status;
    this.statusName = statusName(status);
    this.serviceMessage = serviceMessage;
  }
}

export const IPP_STATUS = {
  BAD_REQUEST: 0x0400,
  FORBIDDEN: 0x0401,
  NOT_AUTHENTICATED: 0x0402,
  NOT_AUTHORIZED: 0x0403,
  NOT_POSSIBLE: 0x0404,
  NOT_FOUND: 0x0406,
  GONE: 0x0407,
  OPERATION_NOT_SUPPORTED: 0x0501,
  VERSION_NOT_SUPPORTED: 0x0503,
} as const;

/**
 * The printer refused every IPP version the monitor speaks (server-error-version-not-supported
 * to IPP/2.0, 1.1 and 1.0): `tried` lists the versions asked, newest first.
 */
export class IppVersionError extends IppStatusError {
  readonly tried: readonly IppVersion[];
  constructor(serviceMessage: string | null, what: string, tried: readonly IppVersion[]) {
    super(IPP_STATUS.VERSION_NOT_SUPPORTED, serviceMessage, what);
    this.name = 'IppVersionError';
    this.tried = tried;
    this.message = `${what} was refused in ${versionWords(tried)}: ${this.statusName}${serviceMessage ? ` ("${serviceMessage}")` : ''}`;
  }
}

/** "IPP/2.0, 1.1 and 1.0" */
export function versionWords(versions: readonly IppVersion[]): string {
  const words = versions.map((v, i) => (i === 0 ? `IPP/${v}` : v));
  return words.length > 1 ? `${words.slice(0, -1).join(', ')} and ${words.at(-1)}` : words.join('');
}

/** The HTTP URL an ipp:// or ipps:// URI is reached at (port 631 unless it names one). */
export function httpUrlOf(uri: string): string {
  const u = new URL(uri);
  if (u.protocol === 'ipp:' || u.protocol === 'ipps:') {
    const secure = u.protocol === 'ipps:';
    return `${secure ? 'https' : 'http'}://${u.hostname.includes(':') && !u.hostname.startsWith('[') ? `[${u.hostname}]` : u.hostname}:${u.port || '631'}${u.pathname}${u.search}`;
  }
  return u.toString();
}

export interface IppClientOptions {
  http: HttpClient;
  /** requesting-user-name */
  user: string;
  /** The Authorization header value, when a password is stored. */
  authorization(): Promise<string | undefined>;
  timeoutMs?: number;
  /** The pinned SHA-256 fingerprint of the printer's own certificate (ipps://). */
  certificateSha256?: string;
  /** A printer refused a newer IPP version: its requests go in `version` from now on. */
  onVersion?(uri: string, version: IppVersion, refused: readonly IppVersion[]): void;
}

export class IppClient {
  private requestId = 0;
  private withheld = false;
  /** Values the answers since the last takeUnreadable() held that could not be read (and were left out). */
  private unreadable: string[] = [];
  /** Printer URI -> the older IPP version it accepted after refusing a newer one. */
  private readonly versions = new Map<string, IppVersion>();
  constructor(private readonly opts: IppClientOptions) {}

  /**
   * A password is stored but is not sent: the HTTP layer sends credentials only over https
   * (ipps://) or to this PC, never in clear text over the network, and refused the first request
   * that carried it. The requests go on without it: a CUPS server on plain http answers most of
   * them, and asks (401) only where its policy wants to know who asks.
   */
  get credentialsWithheld(): boolean {
    return this.withheld;
  }

  /** What the answers since the last call left out as unreadable, once each. */
  takeUnreadable(): string[] {
    const out = [...new Set(this.unreadable)];
    this.unreadable = [];
    return out;
  }

  get user(): string {
    return this.opts.user;
  }

  /** The IPP version requests to `uri` go in: the newest, unless the printer refused it before. */
  versionFor(uri: string): IppVersion {
    return this.versions.get(uri) ?? IPP_VERSIONS[0];
  }

  /**
   * Sends one operation to a printer (or server) URI; resolves with a successful answer only.
   *
   * A printer that answers server-error-version-not-supported is asked again in the next older
   * version, 2.0 -> 1.1 -> 1.0 (RFC 8011 4.1.8, as CUPS's own ipp backend does), and the version it
   * accepted is kept for its URI. An IPP/2.0 request refused as a bad request (the IPP status or
   * HTTP 400) is asked again in 1.1 too: old printers cannot read the 2.0 header at all. When no
   * version is accepted the operation fails with an IppVersionError naming them, and the next
   * request starts again from the newest (the printer may have been updated).
   */
  async call(uri: string, operationId: number, attributes: RequestAttribute[], signal: AbortSignal, what: string, groups: RequestGroup[] = []): Promise<IppAnswer> {
    const tried: IppVersion[] = [];
    /** A version was refused as such (server-error-version-not-supported), not as a bad request. */
    let versionRefused = false;
    for (let i = IPP_VERSIONS.indexOf(this.versionFor(uri)); ; i++) {
      const version = IPP_VERSIONS[i];
      const older = i + 1 < IPP_VERSIONS.length;
      tried.push(version);
      let answer: IppAnswer;
      try {
        answer = await this.exchange(uri, operationId, attributes, signal, groups, version);
      } catch (err) {
        if (version === '2.0' && err instanceof HttpError && err.kind === 'http' && err.status === 400) continue;
        throw err;
      }
      const status = answer.statusCode;
      const refused = status === IPP_STATUS.VERSION_NOT_SUPPORTED || (version === '2.0' && status === IPP_STATUS.BAD_REQUEST);
      if (status === IPP_STATUS.VERSION_NOT_SUPPORTED) versionRefused = true;
      if (refused && older) continue;
      if (refused) {
        this.versions.delete(uri);
        throw new IppVersionError(statusMessage(answer), what, tried);
      }
      const accepted = status >= 0 && status < 0x0400;
      // An older version is kept when a newer one was refused as a version (0x0503), or once it has
      // worked: a bad request in 2.0 that 1.1 refuses too was no version refusal, and the printer is
      // asked in 2.0 again next time.
      if (version !== this.versionFor(uri) && (accepted || versionRefused)) {
        this.versions.set(uri, version);
        this.opts.onVersion?.(uri, version, tried.slice(0, -1));
      }
      if (!accepted) throw new IppStatusError(status, statusMessage(answer), what);
      return answer;
    }
  }

  /** One request and its answer, in one IPP version, whatever status the answer has. */
  private async exchange(uri: string, operationId: number, attributes: RequestAttribute[], signal: AbortSignal, groups: RequestGroup[], version: IppVersion): Promise<IppAnswer> {
    this.requestId = (this.requestId % 0x7fffffff) + 1;
    const requestId = this.requestId;
    // CUPS-Get-Printers names no printer; every other operation is addressed to one (or the server).
    const target: RequestAttribute[] = operationId === OP.CUPS_GET_PRINTERS ? [] : [{ tag: TAG.URI, name: 'printer-uri', value: uri }];
    const body = encodeRequest(operationId, requestId, [...target, { tag: TAG.NAME, name: 'requesting-user-name', value: this.opts.user }, ...attributes], groups, version);
    const url = httpUrlOf(uri);
    const headers: Record<string, string> = { 'Content-Type': 'application/ipp', Accept: 'application/ipp' };
    const auth = this.withheld ? undefined : await this.opts.authorization();
    const send = (authorization: string | undefined): Promise<HttpResponse<Buffer>> =>
      this.opts.http.request<Buffer>({ method: 'POST', url, headers: authorization ? { ...headers, Authorization: authorization } : headers, body: new Uint8Array(body), responseType: 'bytes', signal, maxBytes: IPP_MAX_BYTES, timeoutMs: this.opts.timeoutMs, certificateSha256: this.opts.certificateSha256 });
    let res: HttpResponse<Buffer>;
    try {
      res = await send(auth);
    } catch (err) {
      if (!(auth && err instanceof CleartextRefusedError)) throw err;
      this.withheld = true;
      res = await send(undefined);
    }
    const type = (res.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const where = describeTarget('POST', url);
    if (type !== 'application/ipp') {
      throw new HttpError('malformed', `${where} answered with ${type || 'no content type'} instead of application/ipp`, { status: res.status, target: where });
    }
    let answer: IppAnswer;
    try {
      answer = decodeResponse(res.data);
    } catch (err) {
      if (err instanceof IppFormatError) throw new HttpError('malformed', `${where} sent a malformed IPP answer: ${err.message}`, { status: res.status, target: where, cause: err });
      throw err;
    }
    if (answer.unreadable.length) this.unreadable.push(...answer.unreadable.map((u) => `${u} from ${where}`));
    // An old stack refusing the version may not have read the request-id it could not parse
    // (answering 0): the refusal stands, so that an older version is tried.
    const versionRefusal = answer.statusCode === IPP_STATUS.VERSION_NOT_SUPPORTED || (version === '2.0' && answer.statusCode === IPP_STATUS.BAD_REQUEST);
    if (answer.requestId !== requestId && !versionRefusal) {
      throw new HttpError('malformed', `${where} answered request ${answer.requestId} instead of ${requestId}`, { status: res.status, target: where });
    }
    return answer;
  }
}
