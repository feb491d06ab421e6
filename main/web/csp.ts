/**
 * The browser preview's Content-Security-Policy: the app's own policy (main/desktop/csp.ts, or a
 * meta tag if a page carries one) with exactly one addition, `ws://127.0.0.1:<port>` in connect-src, so the
 * page can reach the web transport and nothing else. The app's own CSP is never changed; the
 * preview rewrites the served copy on the fly.
 */
import { appContentSecurityPolicy } from '../desktop/csp';

/** The policy used when the page carries none (the built page never does): the app's own. */
const BASE_POLICY = appContentSecurityPolicy();

export function previewContentSecurityPolicy(port: number, basePolicy: string = BASE_POLICY): string {
  const origin = `ws://127.0.0.1:${port}`;
  const directives = basePolicy
    .split(';')
    .map((d) => d.trim())
    .filter(Boolean);
  let found = false;
  const out = directives.map((d) => {
    const [name, ...values] = d.split(/\s+/);
    if (name.toLowerCase() !== 'connect-src') return d;
    found = true;
    const kept = values.filter((v) => v !== "'none'");
    return ['connect-src', ...kept, origin].join(' ');
  });
  if (!found) out.push(`connect-src ${origin}`);
  return out.join('; ');
}

const META_CSP = /<meta\b[^>]*http-equiv\s*=\s*["']?Content-Security-Policy["']?[^>]*>/gi;
const CONTENT_ATTR = /\bcontent\s*=\s*("([^"]*)"|'([^']*)')/i;

function decodeAttr(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

function encodeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
}

/**
 * Rewrites every CSP meta tag of the page for the preview. Returns the new html and the policy of
 * the (first) meta tag, or null when the page had none.
 */
export function rewriteCspMeta(html: string, port: number): { html: string; policy: string | null } {
  let policy: string | null = null;
  const out = html.replace(META_CSP, (tag) => {
    const m = CONTENT_ATTR.exec(tag);
    const current = m ? decodeAttr(m[2] ?? m[3] ?? '') : BASE_POLICY;
    const next = previewContentSecurityPolicy(port, current);
    policy ??= next;
    const attr = `content="${encodeAttr(next)}"`;
    return m ? tag.replace(CONTENT_ATTR, () => attr) : tag.replace(/\s*\/?>$/, () => ` ${attr}>`);
  });
  return { html: out, policy };
}
