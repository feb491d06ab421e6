/**
 * The Content-Security-Policy of the app's pages. Strict: only the app's own scripts and styles,
 * no network access at all from the renderer (everything goes through the bridge). The dev server
 * build adds its own origin and websocket for hot reload.
 */
export function appContentSecurityPolicy(devServerUrl?: string | null): string {
  const directives: [string, string][] = [
    ['default-src', "'none'"],
    ['script-src', "'self'"],
    ['style-src', "'self'"],
    ['img-src', "'self' data:"],
    ['font-src', "'self'"],
    ['connect-src', "'none'"],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'none'"],
    ['frame-ancestors', "'none'"],
    ['frame-src', "'none'"],
    ['worker-src', "'none'"],
  ];
  if (devServerUrl) {
    const dev = new URL(devServerUrl);
    const ws = `${dev.protocol === 'https:' ? 'wss:' : 'ws:'}//${dev.host}`;
    for (const d of directives) {
      if (d[0] === 'script-src' || d[0] === 'style-src') d[1] = `'self' 'unsafe-inline' ${dev.origin}`;
      if (d[0] === 'connect-src') d[1] = `'self' ${dev.origin} ${ws}`;
    }
  }
  return directives.map(([k, v]) => `${k} ${v}`).join('; ');
}
