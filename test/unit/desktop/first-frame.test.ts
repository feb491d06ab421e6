/**
 * The window's page served with its first frame in it (main/desktop/first-frame.ts), by both ways
 * the page is served: the app:// protocol (desktop) and the browser preview's server, which gives
 * the rows only to a request that carries the access token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cspHash, FIRST_FRAME_TIMEOUT_MS, firstLanguage, pageWithFirstFrame } from '../../../main/desktop/first-frame';
import { appContentSecurityPolicy, withStyleHashes } from '../../../main/desktop/csp';
import { createAppProtocolHandler, APP_PAGE_URL } from '../../../main/desktop/app-protocol';
import { startWebTransport } from '../../../main/web/server';
import { AppFailure, Settings } from '../../../preload/contract/model';
import { snapshotAnswer } from '../../../preload/contract/queue-view';
import { createFakeCore, sampleJob } from '../web/fake-core';
import { layoutColumns } from '../../../renderer/src/state/columns';
import { FALLBACK_ROWS_HEIGHT, OVERSCAN_ROWS, ROW_HEIGHT, ROWS_TOP_ESTIMATE } from '../../../renderer/src/components/QueueGrid';

const CSS = '.app{display:flex}[role=row]{height:32px}';
/** The built window page's shape (renderer/index.html after the build). */
const PAGE = `<!doctype html><html lang="en"><head><script type="module" crossorigin src="./assets/index-a1.js"></script><link rel="stylesheet" crossorigin href="./assets/index-b2.css"></head><body><div id="app"></div></body></html>`;

const jobs = Array.from({ length: 5 }, (_, i) => sampleJob({ key: `local:tok-${i}`, nativeId: `tok-${i}`, document: `Invoice ${i}`, updatedAt: `2026-01-05T09:0${i}:00.000Z` }));

function core(ui: Record<string, unknown> = { view: 'all' }, fail = false) {
  const settings = Settings.parse({ version: 1, sources: [], ui });
  return createFakeCore({
    getSettings: async () => {
      if (fail) throw new AppFailure('internal', 'The settings file is locked.');
      return { settings, problems: [], secrets: [], configPath: '/tmp/settings.json' };
    },
    getSnapshot: async ({ first }) => snapshotAnswer({ jobs, sources: [], paused: null }, settings.ui, first),
  });
}

const readAsset = async (path: string) => (path === 'assets/index-b2.css' ? CSS : null);
const rowKeys = (html: string) => [...html.matchAll(/data-testid="job-row"[^>]*data-key="([^"]+)"/g)].map((m) => m[1]);

describe('pageWithFirstFrame', () => {
  it('puts the first rows, newest first, and the stylesheet into the page, the stylesheet allowed by its hash', async () => {
    const page = await pageWithFirstFrame(PAGE, { handlers: core().handlers, locale: 'en-US', readAsset });
    expect(page).not.toBeNull();
    expect(rowKeys(page!.html)).toEqual(['local:tok-4', 'local:tok-3', 'local:tok-2', 'local:tok-1', 'local:tok-0']);
    // Inert and busy until the window takes it over.
    expect(page!.html).toContain('<div id="app" data-first-frame inert aria-busy="true"><div class="app">');
    // The stylesheet inline; its link kept, disabled, for the window's code to find.
    expect(page!.html).toContain(`<style>${CSS}</style><link rel="stylesheet" crossorigin href="./assets/index-b2.css" disabled>`);
    // The scripts stay as they were.
    expect(page!.html).toContain('<script type="module" crossorigin src="./assets/index-a1.js"></script>');
    // Two inline stylesheets, each allowed by its own hash: the page's, and the rows' places.
    const styles = [...page!.html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
    expect(styles[0]).toBe(CSS);
    expect(styles[1]).toContain('#app[data-first-frame] .grid-body .row[aria-rowindex="2"]{transform:translateY(0px)}');
    expect(styles[1]).toContain('#app[data-first-frame] .grid-body .row[aria-rowindex="6"]{transform:translateY(128px)}');
    expect(styles[1]).toContain('#app[data-first-frame] .grid-sizer{height:160px}');
    expect(page!.styleHashes).toEqual(styles.map((css) => `'sha256-${createHash('sha256').update(css).digest('base64')}'`));
    expect(cspHash(CSS)).toBe(page!.styleHashes[0]);
    expect(page!.html).toMatch(/^<!doctype html><html lang="en">/);
  });

  it("sets the theme the settings choose on the page's root element", async () => {
    const page = await pageWithFirstFrame(PAGE, { handlers: core({ view: 'all', theme: 'dark' }).handlers, locale: 'en-US', readAsset });
    expect(page!.html).toMatch(/^<!doctype html><html data-theme="dark" lang="en">/);
  });

  it('serves nothing drawn when the core cannot answer, or the page is not the window, or carries its own policy', async () => {
    expect(await pageWithFirstFrame(PAGE, { handlers: core({ view: 'all' }, true).handlers, locale: 'en-US', readAsset })).toBeNull();
    expect(await pageWithFirstFrame('<!doctype html><title>x</title>', { handlers: core().handlers, locale: 'en-US', readAsset })).toBeNull();
    for (const meta of [`<meta http-equiv="Content-Security-Policy" content="default-src 'self'">`, `<meta http-equiv='content-security-policy' content="x">`, '<meta http-equiv=Content-Security-Policy content="x">']) {
      expect(await pageWithFirstFrame(PAGE.replace('<head>', `<head>${meta}`), { handlers: core().handlers, locale: 'en-US', readAsset }), meta).toBeNull();
    }
  });

  it('puts the rows\' places before the frame, so that no part of it is drawn without them', async () => {
    const page = await pageWithFirstFrame(PAGE, { handlers: core().handlers, locale: 'en-US', readAsset });
    const places = page!.html.indexOf('aria-rowindex="2"]{transform');
    expect(places).toBeGreaterThan(0);
    expect(places).toBeLessThan(page!.html.indexOf('<div id="app"'));
  });

  it('keeps a stylesheet it cannot read, or cannot put inline as it is, as a link', async () => {
    const unsafe = ['a{}</style><script>alert(1)</script>', 'a{}</STYLE ><script>alert(1)</script>', '@import "x.css";', '.a{background:url(icon.png)}', ".a{background:url( 'x.svg')}"];
    for (const css of [null, ...unsafe]) {
      const page = await pageWithFirstFrame(PAGE, { handlers: core().handlers, locale: 'en-US', readAsset: async () => css });
      expect(page!.html, String(css)).toContain('<link rel="stylesheet" crossorigin href="./assets/index-b2.css"></head>');
      // Only the rows' places inline.
      expect(page!.html.match(/<style>/g), String(css)).toHaveLength(1);
      expect(page!.styleHashes).toHaveLength(1);
      expect(rowKeys(page!.html)).toHaveLength(5);
    }
  });

  it('puts a stylesheet inline with its line ends as the parser reads them, and hashes that text', async () => {
    const page = await pageWithFirstFrame(PAGE, { handlers: core().handlers, locale: 'en-US', readAsset: async () => '.a{color:red}\r\n.b{background:url(data:image/png;base64,AA==)}\r.c{}' });
    const text = '.a{color:red}\n.b{background:url(data:image/png;base64,AA==)}\n.c{}';
    expect(page!.html).toContain(`<style>${text}</style>`);
    expect(page!.styleHashes[0]).toBe(cspHash(text));
  });

  it('serves the page as built when the core is late or its error mapping throws', async () => {
    const hanging = createFakeCore({ getSettings: () => new Promise(() => undefined), getSnapshot: async () => ({ jobs, sources: [], paused: null }) });
    const started = Date.now();
    expect(await pageWithFirstFrame(PAGE, { handlers: hanging.handlers, locale: 'en-US', readAsset })).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(FIRST_FRAME_TIMEOUT_MS - 20);
    const failing = core({ view: 'all' }, true);
    const toError = () => {
      throw new Error('the mapping failed');
    };
    expect(await pageWithFirstFrame(PAGE, { handlers: failing.handlers, toError, locale: 'en-US', readAsset })).toBeNull();
    expect(await pageWithFirstFrame(PAGE, { handlers: core().handlers, locale: 'en-US', readAsset: () => Promise.reject(new Error('disk gone')) })).toBeNull();
  });
});

describe('the frame drawn for the window the app has', () => {
  const many = Array.from({ length: 60 }, (_, i) => sampleJob({ key: `local:m-${String(i).padStart(2, '0')}`, nativeId: `m-${i}`, updatedAt: new Date(Date.UTC(2026, 0, 5, 9, i)).toISOString() }));
  const manyCore = () => {
    const settings = Settings.parse({ version: 1, sources: [], ui: { view: 'all' } });
    return createFakeCore({
      getSettings: async () => ({ settings, problems: [], secrets: [], configPath: '/tmp/settings.json' }),
      getSnapshot: async ({ first }) => snapshotAnswer({ jobs: many, sources: [], paused: null }, settings.ui, first),
    });
  };
  const frameFor = async (viewport: { width: number; height: number } | null) => {
    const page = await pageWithFirstFrame(PAGE, { handlers: manyCore().handlers, locale: 'en-US', readAsset, viewport: viewport ? () => viewport : undefined });
    const placement = /<style>([^<]*aria-rowindex[^<]*)<\/style>/.exec(page!.html)![1]!;
    return { rows: rowKeys(page!.html).length, headers: (page!.html.match(/role="columnheader"/g) ?? []).length, placement };
  };

  it("draws the rows and columns the window's own first frame draws at its size; unknown, those of the fallback", async () => {
    const ui = Settings.parse({ version: 1, sources: [], ui: {} }).ui;
    // The desktop's default window: the columns the grid squeezes out at that width are left out.
    const narrow = await frameFor({ width: 1100, height: 720 });
    const layout = layoutColumns(ui.columns, 1100);
    expect(layout.squeezed.length).toBeGreaterThan(0);
    expect(narrow.headers).toBe(layout.shown.length);
    expect(narrow.placement).toContain(`--pq-cols:${layout.template};--pq-row-min:${layout.minWidth}px`);
    // The rows a window of that height shows, and the overscan.
    const rowsFor = (height: number) => Math.ceil((height - ROWS_TOP_ESTIMATE) / ROW_HEIGHT) + OVERSCAN_ROWS;
    expect(narrow.rows).toBe(rowsFor(720));
    expect((await frameFor({ width: 2560, height: 1400 })).rows).toBe(rowsFor(1400));
    // The size assumed for one frame is not assumed for the next.
    await frameFor({ width: 900, height: 1400 });
    const unknown = await frameFor(null);
    expect(unknown.rows).toBe(rowsFor(ROWS_TOP_ESTIMATE + FALLBACK_ROWS_HEIGHT));
    expect(unknown.headers).toBe(layoutColumns(ui.columns, 0).shown.length);
  });
});

describe('firstLanguage and withStyleHashes', () => {
  it('takes the first language of Accept-Language, and nothing that is not a language tag', () => {
    expect(firstLanguage('de-DE,de;q=0.9,en;q=0.8')).toBe('de-DE');
    expect(firstLanguage('en-GB')).toBe('en-GB');
    expect(firstLanguage(['fr-CA;q=1', 'en'])).toBe('fr-CA');
    for (const bad of [undefined, '', '*', '"><script>', 'x'.repeat(20)]) expect(firstLanguage(bad), String(bad)).toBeUndefined();
  });

  it('adds the hashes to style-src only, and changes nothing without any', () => {
    const policy = appContentSecurityPolicy();
    expect(withStyleHashes(policy, [])).toBe(policy);
    const next = withStyleHashes(policy, ["'sha256-AAA='", "'sha256-BBB='"]);
    expect(next).toBe(policy.replace("style-src 'self'", "style-src 'self' 'sha256-AAA=' 'sha256-BBB='"));
    expect(next).toContain("script-src 'self' 'sha256-");
    expect(next).not.toContain('unsafe-inline');
  });
});

describe('the two ways the page is served', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pqm-first-frame-'));
    await mkdir(join(dir, 'assets'), { recursive: true });
    await writeFile(join(dir, 'index.html'), PAGE);
    await writeFile(join(dir, 'assets', 'index-b2.css'), CSS);
    await writeFile(join(dir, 'assets', 'index-a1.js'), 'export {}');
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('app:// serves the page drawn once the core is open, with the stylesheet hash in its policy', async () => {
    let source: { handlers: ReturnType<typeof core>['handlers']; locale: string } | null = null;
    const handle = createAppProtocolHandler({ rendererDir: dir, firstFrame: () => source });
    // Before the core is open: the page as built, the app's own policy.
    const before = await handle(new Request(APP_PAGE_URL));
    expect(await before.text()).toBe(PAGE);
    expect(before.headers.get('content-security-policy')).toBe(appContentSecurityPolicy());
    source = { handlers: core().handlers, locale: 'en-GB' };
    const after = await handle(new Request(APP_PAGE_URL));
    const html = await after.text();
    expect(rowKeys(html)).toHaveLength(5);
    const placement = /<style>([^<]*aria-rowindex[^<]*)<\/style>/.exec(html)![1]!;
    expect(after.headers.get('content-security-policy')).toBe(withStyleHashes(appContentSecurityPolicy(), [cspHash(CSS), cspHash(placement)]));
    expect(after.headers.get('cache-control')).toBe('no-store');
  });

  it('the preview gives the rows only to a request with the access token', async () => {
    const t = await startWebTransport({ core: core(), rendererDir: dir, port: 0 });
    try {
      expect(t.url).toBe(`http://127.0.0.1:${t.port}/?token=${t.token}`);
      const page = async (path: string) => {
        const res = await fetch(`http://127.0.0.1:${t.port}${path}`, { headers: { 'accept-language': 'en-US' } });
        return { html: await res.text(), csp: res.headers.get('content-security-policy') ?? '' };
      };
      const withToken = await page(`/?token=${encodeURIComponent(t.token)}`);
      expect(rowKeys(withToken.html)).toHaveLength(5);
      expect(withToken.csp).toContain(`style-src 'self' ${cspHash(CSS)}`);
      for (const path of ['/', '/index.html', '/?token=wrong', `/?token=${t.token}x`, `/#token=${t.token}`, `/?other=${t.token}`]) {
        const plain = await page(path);
        expect(rowKeys(plain.html), path).toEqual([]);
        expect(plain.html, path).toContain('<div id="app"></div>');
        expect(plain.csp, path).not.toContain(cspHash(CSS));
      }
    } finally {
      await t.close();
    }
    const off = await startWebTransport({ core: core(), rendererDir: dir, port: 0, firstFrame: false });
    try {
      const res = await fetch(off.url);
      expect(rowKeys(await res.text())).toEqual([]);
    } finally {
      await off.close();
    }
  });
});
