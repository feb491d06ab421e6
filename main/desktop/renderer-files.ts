/**
 * The files of the built window (out/renderer) as the app's own protocol and the browser preview
 * serve them: which file an address names (never one outside the folder, hidden, or reached through
 * a link out of it) and its content type.
 */
import { promises as fsp } from 'node:fs';
import { resolve, sep } from 'node:path';

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** The path part of a request URL, for routing and logs (never the query). */
export function safePath(url: string | undefined): string {
  const raw = url ?? '/';
  const q = raw.search(/[?#]/);
  return q === -1 ? raw : raw.slice(0, q);
}

/**
 * Maps a URL path to a file inside the renderer folder, or null. Refuses encoded or literal
 * traversal, NUL bytes, backslashes, dot files and anything that resolves (through symlinks too)
 * outside the folder.
 */
/** The path under `root` an address names, before links are resolved; null for any address outside it or hidden. */
export function rendererCandidate(root: string, url: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(safePath(url));
  } catch {
    return null;
  }
  if (!path.startsWith('/') || path.includes('\0') || path.includes('\\')) return null;
  if (path === '/') path = '/index.html';
  const segments = path.split('/').slice(1);
  if (segments.some((s) => s === '' || s === '.' || s === '..' || s.startsWith('.'))) return null;
  const candidate = resolve(root, ...segments);
  return candidate.startsWith(root + sep) ? candidate : null;
}

export async function resolveRendererFile(root: string, url: string): Promise<string | null> {
  const candidate = rendererCandidate(root, url);
  if (!candidate) return null;
  try {
    const [real, realRoot] = await Promise.all([fsp.realpath(candidate), fsp.realpath(root)]);
    if (!real.startsWith(realRoot + sep)) return null;
    const stat = await fsp.stat(real);
    return stat.isFile() ? real : null;
  } catch {
    return null;
  }
}
