/**
 * A stand-in for Electron 45's `net.request` (ClientRequest), as its documentation describes it,
 * over Node's http: `redirect: 'follow'` (the default) follows, `'error'` fails the request, and
 * `'manual'` emits `redirect` (statusCode, method, redirectUrl, responseHeaders) and cancels the
 * request unless `followRedirect()` is called during the event. A response is an IncomingMessage-like
 * emitter of `data` / `end` / `error`; connection errors are named as Chromium names them
 * (net::ERR_...). Plain JavaScript so that both vitest and the start-up test's child process load it.
 */
import { EventEmitter } from 'node:events';
import { request as httpRequest } from 'node:http';

function chromiumError(e) {
  return new Error(e.code === 'ECONNREFUSED' ? 'net::ERR_CONNECTION_REFUSED' : e.code === 'ECONNRESET' ? 'net::ERR_CONNECTION_RESET' : 'net::ERR_FAILED');
}

export function netRequest(opts) {
  const cr = new EventEmitter();
  const chunks = [];
  let current = null;
  let aborted = false;
  let following = false;
  cr.write = (c) => void chunks.push(Buffer.from(c));
  cr.followRedirect = () => {
    following = true;
  };
  cr.abort = () => {
    if (aborted) return;
    aborted = true;
    current?.destroy();
    queueMicrotask(() => cr.emit('abort'));
  };
  const send = (url, method) => {
    current = httpRequest(url, { method, headers: opts.headers }, (res) => {
      const location = res.headers.location;
      if (res.statusCode >= 300 && res.statusCode < 400 && location) {
        res.resume();
        const next = new URL(location, url).toString();
        const mode = opts.redirect ?? 'follow';
        if (mode === 'follow') return send(next, method);
        if (mode === 'error') return void cr.emit('error', new Error('Request cannot follow redirect with the current redirect mode'));
        following = false;
        const raw = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) raw[k] = Array.isArray(v) ? v : [String(v)];
        cr.emit('redirect', res.statusCode, method, next, raw);
        if (following) return send(next, method);
        if (!aborted) cr.emit('error', new Error('Redirect was cancelled'));
        return;
      }
      const incoming = Object.assign(new EventEmitter(), { statusCode: res.statusCode, statusMessage: res.statusMessage ?? '', headers: res.headers });
      cr.emit('response', incoming);
      res.on('data', (c) => incoming.emit('data', c));
      res.on('end', () => incoming.emit('end'));
      res.on('error', (e) => incoming.emit('error', e));
    });
    current.on('error', (e) => {
      if (!aborted) cr.emit('error', chromiumError(e));
    });
    current.end(Buffer.concat(chunks));
  };
  cr.end = () => send(opts.url, opts.method ?? 'GET');
  return cr;
}
