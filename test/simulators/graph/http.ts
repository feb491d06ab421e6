/** The Graph simulator's HTTP plumbing: whole-request faults, sending (at once or dripping) and dispatching each request. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { oauthError, tokenEndpoint } from './auth';
import { batch } from './batch';
import { type Answer, b64url, err, type LoggedRequest, type SimFault } from './model';
import { route } from './routes';
import { authenticate, type SimState } from './state';
import { betaRoute, upload } from './uploads';
import { dripBody } from '../held-answers';

export function takeFault(st: SimState, method: string, path: string): SimFault | null {
  for (const r of st.faults) {
    if (r.times > 0 && r.match(method, path)) {
      r.times -= 1;
      st.faults = st.faults.filter((x) => x.times > 0);
      return r.fault;
    }
  }
  return null;
}

export function send(res: ServerResponse, a: Answer): void {
  const headers: Record<string, string> = { ...(a.headers ?? {}) };
  if (a.raw !== undefined) {
    headers['Content-Type'] ??= 'application/json';
    res.writeHead(a.status, headers).end(a.raw);
    return;
  }
  if (a.body === undefined) {
    res.writeHead(a.status, headers).end();
    return;
  }
  headers['Content-Type'] ??= 'application/json; odata.metadata=minimal';
  res.writeHead(a.status, headers).end(JSON.stringify(a.body));
}

/** Sends an answer one byte at a time; stops when the client goes away. */
export function drip(st: SimState, res: ServerResponse, a: Answer, intervalMs: number): void {
  const payload = a.raw ?? (a.body === undefined ? '' : JSON.stringify(a.body));
  res.writeHead(a.status, { 'Content-Type': 'application/json', ...(a.headers ?? {}), 'Content-Length': String(Buffer.byteLength(payload)) });
  dripBody(st.held, res, payload, intervalMs);
}

export async function handle(st: SimState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  const u = new URL(req.url ?? '/', st.origin);
  const method = (req.method ?? 'GET').toUpperCase();
  const path = u.pathname;
  const entry: LoggedRequest = { method, path, query: u.search.slice(1), status: 0, viaBatch: false, hadAuthorization: !!req.headers.authorization };
  st.log.push(entry);

  const fault = takeFault(st, method, path);
  if (fault?.kind === 'refuse') {
    entry.status = -1;
    req.socket.destroy();
    return;
  }
  if (fault?.kind === 'slow') await st.held.delay(res, fault.delayMs);
  if (fault?.kind === 'status') {
    const a = err(fault.status, fault.code ?? (fault.status === 429 ? 'TooManyRequests' : fault.status === 503 ? 'ServiceUnavailable' : 'InternalServerError'), fault.message ?? 'The service is temporarily unavailable.', fault.retryAfter ? { 'Retry-After': fault.retryAfter } : undefined);
    entry.status = a.status;
    send(res, a);
    return;
  }

  let answer: Answer;
  const tokenRoute = path.match(/^\/([^/]+)\/oauth2\/v2\.0\/(token|devicecode|authorize)$/);
  const uploadRoute = path.match(/^\/upload\/([^/]+)$/);
  if (tokenRoute) {
    if (tokenRoute[2] === 'authorize') {
      // The "browser" step of an interactive sign-in: signs in the configured user at once.
      const q = u.searchParams;
      const upn = q.get('login_hint') ?? st.opts.autoApproveDeviceCodeAs ?? '';
      const redirectUri = q.get('redirect_uri') ?? '';
      if (!upn || !st.users.has(upn.toLowerCase())) answer = { status: 400, raw: 'no user to sign in', headers: { 'Content-Type': 'text/plain' } };
      else if (!/^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/|$)/.test(redirectUri)) answer = { status: 400, raw: 'redirect_uri must be a loopback address', headers: { 'Content-Type': 'text/plain' } };
      else {
        const code = `code-${randomUUID()}`;
        st.authCodes.set(code, { upn, clientId: q.get('client_id') ?? '', scopes: (q.get('scope') ?? '').split(/\s+/).filter(Boolean), nonce: q.get('nonce'), redirectUri });
        const fields: Record<string, string> = { code };
        if (q.get('state')) fields.state = q.get('state')!;
        if (q.get('client_info')) fields.client_info = b64url(JSON.stringify({ uid: `oid-${upn.toLowerCase()}`, utid: 'tenant-1' }));
        if (q.get('response_mode') === 'form_post') {
          // As Entra does for response_mode=form_post: a page that POSTs the answer to the redirect URI.
          const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
          const inputs = Object.entries(fields).map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}"/>`).join('');
          answer = { status: 200, headers: { 'Content-Type': 'text/html' }, raw: `<html><body onload="document.forms[0].submit()"><form method="POST" action="${esc(redirectUri)}">${inputs}</form></body></html>` };
        } else {
          const target = new URL(redirectUri);
          for (const [k, v] of Object.entries(fields)) target.searchParams.set(k, v);
          answer = { status: 302, headers: { Location: target.toString() } };
        }
      }
    } else if (method !== 'POST') answer = oauthError(st, 'invalid_request', 'AADSTS900561: The endpoint only accepts POST requests.');
    else answer = tokenEndpoint(st, tokenRoute[1], tokenRoute[2], new URLSearchParams(raw.toString('utf8')));
  } else if (uploadRoute) {
    answer = upload(st, method, uploadRoute[1], req.headers, raw);
  } else if (path.startsWith('/beta/')) {
    const caller = authenticate(st, req.headers.authorization);
    answer = 'error' in caller ? caller.error : raw.length > 0 ? err(400, 'BadRequest', 'Do not supply a request body for this method.') : betaRoute(st, method, path.slice('/beta'.length), u.searchParams, caller.token);
  } else if (path === '/v1.0/$batch' || path.startsWith('/v1.0/')) {
    let body: unknown = null;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        body = undefined;
      }
    }
    if (body === undefined) answer = err(400, 'BadRequest', 'The request body is not valid JSON.');
    else if (path === '/v1.0/$batch') {
      answer = method === 'POST' ? batch(st, body, req.headers.authorization) : err(405, 'MethodNotAllowed', '$batch accepts POST only.');
      if (answer.status === 200) {
        const caller = authenticate(st, req.headers.authorization);
        // Graph checks the outer token too: a missing or expired token fails the whole batch.
        if ('error' in caller) answer = caller.error;
      }
    } else {
      const caller = authenticate(st, req.headers.authorization);
      answer = 'error' in caller ? caller.error : route(st, method, path.slice('/v1.0'.length), u.searchParams, body, caller.token);
    }
  } else {
    answer = err(404, 'NotFound', `No such endpoint: ${path}`);
  }
  if (fault?.kind === 'malformed' && answer.status < 300 && answer.status !== 204) {
    answer = { status: answer.status, raw: '{"value": [ {"id": "1", "status": ', headers: answer.headers };
  }
  if (fault?.kind === 'wrong-shape' && answer.status < 300 && answer.status !== 204) {
    const b = answer.body as { responses?: { status: number; body?: unknown }[] } | undefined;
    if (b && Array.isArray(b.responses)) answer = { ...answer, body: { responses: b.responses.map((it) => (it.status < 300 ? { ...it, body: { value: 42 } } : it)) } };
    else answer = { ...answer, body: { value: 42 } };
  }
  if (fault?.kind === 'huge') answer = { status: 200, raw: JSON.stringify('x'.repeat(Math.max(0, fault.bytes - 2))), headers: { 'Content-Type': 'application/json' } };
  entry.status = answer.status;
  if (fault?.kind === 'drip') {
    drip(st, res, answer, fault.intervalMs);
    return;
  }
  send(res, answer);
}
