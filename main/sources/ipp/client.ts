/**
 * IPP over the shared HTTP layer: each operation is an HTTP POST of `application/ipp` to the
 * printer's URI with ipp:// read as http:// and ipps:// as https:// (RFC 8010 4, RFC 7472), so
 * timeouts, the size cap, proxies and error kinds are those of every other source.
 */
import { CleartextRefusedError, describeTarget, HttpError, type HttpClient, type HttpResponse } from '../../http/client';
import { decodeResponse, encodeRequest, IppFormatError, OP, statusMessage, statusName, TAG, type IppAnswer, type RequestAttribute, type RequestGroup } from './codec';

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
  FORBIDDEN: 0x0401,
  NOT_AUTHENTICATED: 0x0402,
  NOT_AUTHORIZED: 0x0403,
  NOT_POSSIBLE: 0x0404,
  NOT_FOUND: 0x0406,
  GONE: 0x0407,
  OPERATION_NOT_SUPPORTED: 0x0501,
} as const;

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
}

export class IppClient {
  private requestId = 0;
  private withheld = false;
  /** Values the answers since the last takeUnreadable() held that could not be read (and were left out). */
  private unreadable: string[] = [];
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

  /** Sends one operation to a printer (or server) URI; resolves with a successful answer only. */
  async call(uri: string, operationId: number, attributes: RequestAttribute[], signal: AbortSignal, what: string, groups: RequestGroup[] = []): Promise<IppAnswer> {
    this.requestId = (this.requestId % 0x7fffffff) + 1;
    const requestId = this.requestId;
    // CUPS-Get-Printers names no printer; every other operation is addressed to one (or the server).
    const target: RequestAttribute[] = operationId === OP.CUPS_GET_PRINTERS ? [] : [{ tag: TAG.URI, name: 'printer-uri', value: uri }];
    const body = encodeRequest(operationId, requestId, [...target, { tag: TAG.NAME, name: 'requesting-user-name', value: this.opts.user }, ...attributes], groups);
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
    if (answer.requestId !== requestId) {
      throw new HttpError('malformed', `${where} answered request ${answer.requestId} instead of ${requestId}`, { status: res.status, target: where });
    }
    if (answer.statusCode < 0 || answer.statusCode >= 0x0400) throw new IppStatusError(answer.statusCode, statusMessage(answer), what);
    return answer;
  }
}
