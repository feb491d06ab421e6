/**
 * The app's HTTP transport: a fetch over Electron's `net.request`, so requests use Chromium's
 * network stack (the Windows proxy / PAC settings and certificate store).
 *
 * `net.fetch` cannot be used for this: the shared HTTP layer follows redirects itself (one policy
 * for every runtime, main/http/client.ts) and so asks for `redirect: 'manual'`, which `net.fetch`
 * answers by rejecting the request ("Redirect was cancelled", electron#43715). `net.request` with
 * `redirect: 'manual'` shows the redirect in its `redirect` event instead: it is answered here as
 * the 3xx response it is (with its Location), the request is aborted, and the HTTP layer decides.
 */
import type { ClientRequest, ClientRequestConstructorOptions, IncomingMessage } from 'electron';

export interface NetLike {
  request(options: ClientRequestConstructorOptions): ClientRequest;
}

/** Headers Chromium sets itself and refuses from the app. */
const RESTRICTED = new Set(['content-length', 'host', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'cookie2']);
/** Statuses whose response has no body (the Response constructor refuses one). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

function responseHeaders(raw: Record<string, string | string[]>): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(raw)) for (const one of Array.isArray(v) ? v : [v]) h.append(k, one);
  return h;
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The request was aborted.', 'AbortError');
}

export function createNetFetch(net: NetLike): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const req = input instanceof Request ? input : new Request(input instanceof URL ? input.toString() : input, init);
    const signal = init?.signal ?? req.signal;
    if (signal?.aborted) throw abortError(signal);
    const body = req.body ? Buffer.from(await req.arrayBuffer()) : null;
    const headers: Record<string, string> = {};
    req.headers.forEach((value, name) => {
      if (!RESTRICTED.has(name.toLowerCase())) headers[name] = value;
    });

    return new Promise<Response>((resolve, reject) => {
      let settled = false;
      const cr = net.request({ method: req.method, url: req.url, headers, redirect: 'manual' });
      const onAbort = () => {
        cr.abort();
        settle(() => reject(abortError(signal!)));
      };
      function settle(fn: () => void): void {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        fn();
      }
      signal?.addEventListener('abort', onAbort, { once: true });

      cr.on('redirect', (statusCode, _method, redirectUrl, raw) => {
        // Not followed here (no followRedirect): the HTTP layer applies its policy to the answer.
        const h = responseHeaders(raw);
        h.set('location', redirectUrl);
        settle(() => resolve(new Response(null, { status: statusCode, headers: h })));
        cr.abort();
      });
      cr.on('response', (res: IncomingMessage) => {
        const h = responseHeaders(res.headers);
        if (NULL_BODY.has(res.statusCode)) {
          res.on('data', () => undefined);
          settle(() => resolve(new Response(null, { status: res.statusCode, statusText: res.statusMessage, headers: h })));
          return;
        }
        let open = true;
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            const done = (fn: () => void) => {
              if (!open) return;
              open = false;
              fn();
            };
            res.on('data', (chunk: Buffer) => open && controller.enqueue(new Uint8Array(chunk)));
            res.on('end', () => done(() => controller.close()));
            res.on('error', (e: Error) => done(() => controller.error(e)));
            res.on('aborted', () => done(() => controller.error(new Error('net::ERR_ABORTED'))));
          },
          cancel() {
            // The reader gave up (size limit, deadline): stop the transfer.
            open = false;
            cr.abort();
          },
        });
        settle(() => resolve(new Response(stream, { status: res.statusCode, statusText: res.statusMessage, headers: h })));
      });
      // Chromium names its errors "net::ERR_...": the HTTP layer classifies them.
      cr.on('error', (e: Error) => settle(() => reject(e)));
      cr.on('abort', () => settle(() => reject(signal?.aborted ? abortError(signal) : new Error('net::ERR_ABORTED'))));
      if (body && body.length) cr.write(body);
      cr.end();
    });
  }) as typeof fetch;
}
