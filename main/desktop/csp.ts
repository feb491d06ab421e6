/**
 * The window page's one inline script (renderer/index.html): in the browser preview it opens the
 * socket to the app while the page is still being read. It is allowed by its SHA-256 (a CSP hash
 * source), so no other inline script runs; test/unit/desktop/csp.test.ts pins the hash to the
 * script in the page, as written and as built.
 */
export const EARLY_SOCKET_SCRIPT_HASH = "'sha256-UW9XGLYeP5Rup9SxfG7eVKXQgmJkVNob8gcwJPMo7yg='";

/**
 * The Content-Security-Policy of the app's pages. Strict: only the app's own scripts (its files, and
 * the page's one inline script by its hash) and styles, no network access at all from the renderer
 * (everything goes through the bridge). The dev server build adds its own origin and websocket for
 * hot reload.
 */
export function appContentSecurityPolicy(devServerUrl?: string | null): string {
  const directives: [string, string][] = [
    ['default-src', "'none'"],
    ['script-src', `'self' ${EARLY_SOCKET_SCRIPT_HASH}`],
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

/**
 * `policy` allowing, beside the page's own stylesheets, the inline ones whose hashes are given
 * (the stylesheet a page served with its first frame carries, first-frame.ts); unchanged without.
 */
export function withStyleHashes(policy: string, hashes: readonly string[]): string {
  if (hashes.length === 0) return policy;
  return policy
    .split(';')
    .map((d) => d.trim())
    .filter(Boolean)
    .map((d) => (/^style-src\s/i.test(d) ? `${d} ${hashes.join(' ')}` : d))
    .join('; ');
}
