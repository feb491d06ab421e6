/**
 * The window's own origin: `app://window/`, a privileged custom scheme answered from the built
 * renderer folder (Electron's security checklist recommends a custom protocol over file://). Every
 * page is answered with the app's Content-Security-Policy as a real response header (the page
 * carries no meta policy), so the policy is written once (main/desktop/csp.ts).
 *
 * The handler is plain: a fetch Request in, a Response out; main/window.ts registers it with
 * Electron's protocol.handle.
 */
import { promises as fsp } from 'node:fs';
import { extname, resolve } from 'node:path';
import { APP_HOST, APP_SCHEME } from './app-identity';
import { appContentSecurityPolicy, withStyleHashes } from './csp';
import { CONTENT_TYPES, resolveRendererFile } from './renderer-files';
import { pageWithFirstFrame, type FirstFrameOptions } from './first-frame';

/** What the window's page is drawn from (first-frame.ts): the core's handlers, the window's locale and size; null until the core is open. */
export type FirstFrameSource = () => Pick<FirstFrameOptions, 'handlers' | 'toError' | 'locale' | 'viewport'> | null;

export { APP_PAGE_URL, APP_SCHEME } from './app-identity';

/**
 * For protocol.registerSchemesAsPrivileged, before 'ready': standard (an origin, relative URLs,
 * module scripts) and secure (a secure context, like https); no fetch, CORS or service workers for
 * anyone else.
 */
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true, codeCache: true } as const;

const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function answer(status: number, text: string, extra: Record<string, string> = {}): Response {
  return new Response(text, { status, headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', ...extra } });
}

export function createAppProtocolHandler(opts: { rendererDir: string; csp?: string; firstFrame?: FirstFrameSource }): (request: Request) => Promise<Response> {
  const root = resolve(opts.rendererDir);
  const csp = opts.csp ?? appContentSecurityPolicy();
  const readAsset = async (path: string): Promise<string | null> => {
    const file = await resolveRendererFile(root, `/${path}`);
    return file ? fsp.readFile(file, 'utf8').catch(() => null) : null;
  };
  return async (request) => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return answer(400, 'Bad address.');
    }
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST || url.username || url.password) return answer(404, 'Not found.');
    if (request.method !== 'GET' && request.method !== 'HEAD') return answer(405, 'Method not allowed.', { Allow: 'GET, HEAD' });
    const path = await resolveRendererFile(root, url.pathname);
    if (!path) return answer(404, 'Not found.');
    let body: Buffer;
    try {
      body = await fsp.readFile(path);
    } catch {
      return answer(404, 'Not found.');
    }
    const type = CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
    const headers: Record<string, string> = { ...SECURITY_HEADERS, 'Content-Type': type, 'Cache-Control': 'no-cache' };
    if (type.startsWith('text/html')) {
      // The window's page with its first rows drawn in it, once the core can answer.
      const source = opts.firstFrame?.();
      const framed = source ? await pageWithFirstFrame(body.toString('utf8'), { ...source, readAsset }) : null;
      if (framed) body = Buffer.from(framed.html, 'utf8');
      headers['Content-Security-Policy'] = withStyleHashes(csp, framed?.styleHashes ?? []);
      headers['Cache-Control'] = 'no-store';
    }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers });
  };
}
