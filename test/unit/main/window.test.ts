/** main/window.ts with Electron mocked: the security checklist, navigation, popups, permissions, CSP. */
import { describe, expect, it, vi } from 'vitest';

const openExternal = vi.fn(async () => undefined);
vi.mock('electron', () => {
  const shell = { openExternal };
  const mod = { shell, BrowserWindow: vi.fn(), screen: {}, session: {} };
  return { ...mod, default: mod };
});

const { secureWebPreferences, buildWindowOptions, hardenWebContents, hardenSession } = await import('../../../main/window');
const { silentLogger } = await import('../../../main/ports/ports');

const where = { devServerUrl: null };

describe('secure window options', () => {
  it('match the Electron security checklist', () => {
    const prefs = secureWebPreferences('/app/out/preload/index.cjs');
    expect(prefs).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      devTools: false,
    });
    expect(prefs.preload).toMatch(/\.cjs$/);
  });

  it("hand the preload the system's regional format as one argument, or none", () => {
    expect(secureWebPreferences('/p.cjs').additionalArguments).toEqual([]);
    expect(secureWebPreferences('/p.cjs', { systemLocale: 'en_GB' }).additionalArguments).toEqual(['--pqm-format-locale=en-GB']);
    expect(secureWebPreferences('/p.cjs', { systemLocale: 'en GB --inspect' }).additionalArguments).toEqual([]);
    const options = buildWindowOptions({ preloadPath: '/p.cjs', bounds: { x: 1, y: 2, width: 900, height: 700 }, show: false, systemLocale: 'de-DE' });
    expect(options.webPreferences).toEqual(secureWebPreferences('/p.cjs', { systemLocale: 'de-DE' }));
  });

  it('are the ones the window is built with', () => {
    const options = buildWindowOptions({ preloadPath: '/p.cjs', bounds: { x: 1, y: 2, width: 900, height: 700 }, show: false });
    expect(options.webPreferences).toEqual(secureWebPreferences('/p.cjs'));
    expect(options).toMatchObject({ x: 1, y: 2, width: 900, height: 700, show: false, title: 'Print Queue Monitor' });
  });
});

function fakeContents() {
  const handlers = new Map<string, (event: { preventDefault(): void; url?: string }) => void>();
  let openHandler: ((d: { url: string }) => { action: string }) | null = null;
  return {
    on: (name: string, fn: (event: { preventDefault(): void; url?: string }) => void) => handlers.set(name, fn),
    setWindowOpenHandler: (fn: (d: { url: string }) => { action: string }) => {
      openHandler = fn;
    },
    fire(name: string, url?: string) {
      const event = { preventDefault: vi.fn(), url };
      handlers.get(name)!(event);
      return event.preventDefault.mock.calls.length > 0;
    },
    open: (url: string) => openHandler!({ url }),
  };
}

describe('hardenWebContents', () => {
  const contents = fakeContents();
  hardenWebContents(contents as never, where, silentLogger);

  it('refuses navigation away from the app page', () => {
    expect(contents.fire('will-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.fire('will-navigate', 'file:///C:/Windows/system32/calc.exe')).toBe(true);
    expect(contents.fire('will-redirect', 'http://127.0.0.1:8080/')).toBe(true);
    // The window lives at app://window/; file:// is no longer its origin.
    expect(contents.fire('will-navigate', 'file:///app/out/renderer/index.html')).toBe(true);
    expect(contents.fire('will-navigate', 'app://evil/index.html')).toBe(true);
    expect(contents.fire('will-navigate', 'app://user:pw@window/index.html')).toBe(true);
    expect(contents.fire('will-navigate', 'app://window/index.html#job')).toBe(false);
  });

  it('refuses webviews', () => expect(contents.fire('will-attach-webview')).toBe(true));

  it('never opens a window; only allow-listed https links go to the browser', () => {
    openExternal.mockClear();
    expect(contents.open('https://evil.example/')).toEqual({ action: 'deny' });
    expect(contents.open('file:///C:/x.exe')).toEqual({ action: 'deny' });
    expect(openExternal).not.toHaveBeenCalled();
    expect(contents.open('https://learn.microsoft.com/universal-print')).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledWith('https://learn.microsoft.com/universal-print');
  });
});

describe('hardenSession', () => {
  it('denies every permission but writing to the clipboard for the app\'s page; the CSP header is added only to the development server\'s pages (app:// pages carry their own)', () => {
    let request: ((c: unknown, p: string, cb: (ok: boolean) => void, d?: { requestingUrl: string; isMainFrame: boolean }) => void) | null = null;
    let check: ((c?: unknown, p?: string, o?: string, d?: { requestingUrl: string; isMainFrame: boolean }) => boolean) | null = null;
    let device: (() => boolean) | null = null;
    let headers: ((d: { url: string; responseHeaders?: Record<string, string[]> }, cb: (r: unknown) => void) => void) | null = null;
    const ses = {
      setPermissionRequestHandler: (fn: typeof request) => (request = fn),
      setPermissionCheckHandler: (fn: typeof check) => (check = fn),
      setDevicePermissionHandler: (fn: typeof device) => (device = fn),
      webRequest: { onHeadersReceived: (fn: typeof headers) => (headers = fn) },
    };
    hardenSession(ses as never, { devServerUrl: 'http://localhost:5173' });
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      const cb = vi.fn();
      request!(null, permission, cb);
      expect(cb).toHaveBeenCalledWith(false);
    }
    expect(check!()).toBe(false);
    expect(device!()).toBe(false);
    // Writing to the clipboard (Copy job id, the sign-in code) is the one permission granted: Chromium
    // checks, then requests 'clipboard-sanitized-write'; only for the app's own page, in its main frame.
    const ownPage = { requestingUrl: 'app://window/index.html', isMainFrame: true };
    for (const [url, main, ok] of [['app://window/index.html', true, true], ['http://localhost:5173/', true, true], ['app://window/index.html', false, false], ['https://evil.example/', true, false], ['app://other/index.html', true, false]] as const) {
      expect(check!(null, 'clipboard-sanitized-write', '', { requestingUrl: url, isMainFrame: main }), url).toBe(ok);
      const cb = vi.fn();
      request!(null, 'clipboard-sanitized-write', cb, { requestingUrl: url, isMainFrame: main });
      expect(cb).toHaveBeenCalledWith(ok);
    }
    for (const permission of ['clipboard-read', 'media', 'notifications', 'fullscreen']) {
      expect(check!(null, permission, 'app://window', ownPage), permission).toBe(false);
      const cb = vi.fn();
      request!(null, permission, cb, ownPage);
      expect(cb).toHaveBeenCalledWith(false);
    }

    const own = vi.fn();
    headers!({ url: 'http://localhost:5173/index.html', responseHeaders: { 'content-security-policy': ['default-src *'] } }, own);
    const sent = own.mock.calls[0][0].responseHeaders as Record<string, string[]>;
    expect(Object.keys(sent)).toEqual(['Content-Security-Policy']);
    expect(sent['Content-Security-Policy'][0]).toMatch(/default-src 'none'/);
    expect(sent['Content-Security-Policy'][0]).not.toMatch(/unsafe-eval/);
    const other = vi.fn();
    headers!({ url: 'https://example.com/' }, other);
    expect(other).toHaveBeenCalledWith({});
    const page = vi.fn();
    headers!({ url: 'app://window/index.html', responseHeaders: { 'Content-Security-Policy': ['x'] } }, page);
    expect(page).toHaveBeenCalledWith({});
  });
});

describe('the app:// protocol', () => {
  it('serves the built window with the CSP as its one response header; nothing outside the folder, no other host or method', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { createAppProtocolHandler, APP_PAGE_URL } = await import('../../../main/desktop/app-protocol');
    const { appContentSecurityPolicy } = await import('../../../main/desktop/csp');
    const dir = mkdtempSync(join(tmpdir(), 'pqm-app-protocol-'));
    try {
      mkdirSync(join(dir, 'renderer', 'assets'), { recursive: true });
      writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>x</title>');
      writeFileSync(join(dir, 'renderer', 'assets', 'a.js'), 'export {}');
      writeFileSync(join(dir, 'secret.txt'), 'secret');
      const handle = createAppProtocolHandler({ rendererDir: join(dir, 'renderer') });
      const page = await handle(new Request(APP_PAGE_URL));
      expect(APP_PAGE_URL).toBe('app://window/index.html');
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.headers.get('content-security-policy')).toBe(appContentSecurityPolicy());
      expect(await page.text()).toBe('<!doctype html><title>x</title>');
      const script = await handle(new Request('app://window/assets/a.js'));
      expect([script.status, script.headers.get('content-type'), script.headers.get('x-content-type-options')]).toEqual([200, 'text/javascript; charset=utf-8', 'nosniff']);
      for (const url of ['app://window/../secret.txt', 'app://window/%2e%2e/secret.txt', 'app://window/..%2fsecret.txt', 'app://other/index.html', 'app://window/missing.js']) {
        expect((await handle(new Request(url))).status, url).toBe(404);
      }
      expect((await handle(new Request(APP_PAGE_URL, { method: 'POST', body: 'x' }))).status).toBe(405);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
