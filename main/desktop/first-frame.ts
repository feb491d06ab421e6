/**
 * The window's page served with its first frame in it: the app asks its own core what the window
 * asks first (its settings, the first rows of the queue under the saved view choices), renders the
 * window's own components from the answers (renderer/src/first-frame.tsx) and puts the markup and
 * the stylesheet into the page. The rows are then drawn as soon as the page is read, not once its
 * scripts have loaded, connected and rendered; the window takes the markup over when the whole
 * queue is in. Used by both ways the page is served: the app:// protocol (app-protocol.ts) and the
 * browser preview (main/web/server.ts), which serves it only to a request carrying the access token.
 *
 * The stylesheet goes into the page too (one request less before the first frame can be drawn),
 * and so do the rules for what the window's layout effects would have written (the rows' places,
 * the columns: renderer/src/first-frame.tsx), each allowed by its SHA-256 in the page's
 * Content-Security-Policy (csp.ts, withStyleHashes); nothing else inline is ever allowed. The frame
 * is inert and says it is busy until the window takes it over (start.tsx): its controls do nothing
 * before. When anything here fails or is late (FIRST_FRAME_TIMEOUT_MS), the page is served as
 * built, without a first frame: the window then draws its rows itself.
 */
import { createHash } from 'node:crypto';
import { dispatch, type Handlers, type SettingsView, type Snapshot } from '../../preload/contract/contract';
import { toAppError, type AppError, type Result } from '../../preload/contract/model';
import { FIRST_FRAME_ATTRIBUTE, FIRST_FRAME_ROWS, renderFirstFrame } from '../../renderer/src/first-frame';

/** The page's own root element for the window, as the built page has it (renderer/index.html). */
const APP_ROOT = '<div id="app"></div>';
/** A stylesheet link of the built page (a file of its own under assets/). */
const STYLESHEET_LINK = /<link\s+rel="stylesheet"(?:\s+crossorigin)?\s+href="\.?\/?(assets\/[A-Za-z0-9._-]+\.css)"\s*\/?>/g;

export interface FirstFramePage {
  html: string;
  /** CSP hash sources (`'sha256-…'`) of the page's inline stylesheets, for style-src. */
  styleHashes: string[];
}

export interface FirstFrameOptions {
  handlers: Handlers;
  /** Turns what a handler throws into the error envelope (the core's toError: secrets hidden). */
  toError?: (err: unknown) => AppError;
  /** The locale the window formats in: the system's regional format (desktop), the browser's first language (preview). */
  locale: string | undefined;
  /** The window's content size in CSS pixels, when the app has the window (desktop); unknown in the preview. */
  viewport?: () => { width: number; height: number } | null;
  /** Reads one of the page's files (`assets/…`) as text; null when it cannot be read. */
  readAsset(path: string): Promise<string | null>;
}

/** `'sha256-<base64>'` of a text, as a CSP hash source. */
export function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * The longest the page waits for its first frame: past it (a core that does not answer), the page
 * is served as built. The frame takes milliseconds, tens in a process that has not drawn one yet.
 */
export const FIRST_FRAME_TIMEOUT_MS = 2000;

/**
 * A stylesheet that can go inline as it is: nothing that would close the element early, and no
 * address that would resolve against the page rather than the stylesheet's folder.
 */
function inlineable(css: string): boolean {
  return !/<\/style/i.test(css) && !/@import|url\(\s*(?!['"]?data:)/i.test(css);
}

/**
 * The built page with the window's first frame and its stylesheet in it; null (serve the page as
 * built) when the page is not the window's, or the core cannot answer in FIRST_FRAME_TIMEOUT_MS, or
 * anything fails.
 */
export async function pageWithFirstFrame(page: string, opts: FirstFrameOptions): Promise<FirstFramePage | null> {
  // A page that carries its own policy would not allow the inline stylesheets their hashes allow.
  if (!page.includes(APP_ROOT) || /http-equiv\s*=\s*["']?content-security-policy/i.test(page)) return null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), FIRST_FRAME_TIMEOUT_MS)));
  try {
    return await Promise.race([framedPage(page, opts), late]);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

async function framedPage(page: string, opts: FirstFrameOptions): Promise<FirstFramePage | null> {
  const mapError = opts.toError ?? toAppError;
  const [settings, head] = (await Promise.all([dispatch(opts.handlers, 'getSettings', {}, mapError), dispatch(opts.handlers, 'getSnapshot', { first: FIRST_FRAME_ROWS }, mapError)])) as [Result<SettingsView>, Result<Snapshot>];
  if (!settings.ok || !head.ok) return null;
  const frame = await renderFirstFrame({ settings: settings.value, head: head.value, locale: opts.locale, viewport: viewportOf(opts) });
  const styleHashes: string[] = [];
  /** An inline stylesheet: its text as the page's parser will read it (line ends as LF), and its hash. */
  const inline = (css: string): string => {
    const text = css.replace(/\r\n?/g, '\n');
    styleHashes.push(cspHash(text));
    return `<style>${text}</style>`;
  };
  let html = page;
  for (const link of [...page.matchAll(STYLESHEET_LINK)]) {
    const css = await opts.readAsset(link[1]!);
    // A stylesheet that cannot be read or put inline stays a link: the page still works, its frame a little later.
    if (css === null || !inlineable(css)) continue;
    // The link stays, disabled (never fetched): the window's code loading its later parts finds the
    // stylesheet in the page by it, rather than fetching and applying it a second time.
    html = html.replace(link[0], () => `${inline(css)}${link[0].replace(/\s*\/?>$/, ' disabled>')}`);
  }
  if (!inlineable(frame.css)) return null;
  // The rows' places before the rows: no part of the frame is ever drawn without them.
  const root = `${inline(frame.css)}<div id="app" ${FIRST_FRAME_ATTRIBUTE} inert aria-busy="true">${frame.html}</div>`;
  html = html.replace(APP_ROOT, () => root);
  if (frame.theme !== 'system') html = html.replace(/<html\b/, () => `<html data-theme="${frame.theme}"`);
  return { html, styleHashes };
}

/** The window's size as the shell says it; unknown (the fallback frame) when it cannot say. */
function viewportOf(opts: FirstFrameOptions): { width: number; height: number } | null {
  try {
    return opts.viewport?.() ?? null;
  } catch {
    return null;
  }
}

/** The first language of an Accept-Language header (`en-GB,en;q=0.9` → `en-GB`); undefined when there is none. */
export function firstLanguage(header: string | string[] | undefined): string | undefined {
  const text = Array.isArray(header) ? header[0] : header;
  const tag = text?.split(',')[0]?.split(';')[0]?.trim();
  return tag && /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(tag) ? tag : undefined;
}
