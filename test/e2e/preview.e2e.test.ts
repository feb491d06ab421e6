/**
 * End to end: the real renderer in Debian Chromium, against the real app core and its real
 * sources, talking to the three simulators through the browser preview (web transport).
 * Needs a built renderer (out/renderer) and /usr/bin/chromium: fails without them unless
 * PQM_SKIP_BROWSER_TESTS=1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPreview, type Preview } from '../preview/start-preview';
import { WORKLOAD_SOURCE_IDS, WORKLOAD_USER } from '../simulators/workload';
import { assertBrowserReady, FAST_POLLING, launchChromium, saveShot, seriousViolations, SKIP_BROWSER_TESTS } from './helpers';

let preview: Preview;
let context: BrowserContext;
let page: Page;
let profile: string;

/** Opens the socket the way a foreign page or process would, and reports how it ended. */
function trySocket(url: string, origin: string, token: string | null): Promise<string> {
  return new Promise((done) => {
    const ws = new WebSocket(url, { headers: { Origin: origin } });
    ws.on('unexpected-response', (_req, res) => done(`http ${res.statusCode}`));
    ws.on('error', (err) => done(`error ${err.message}`));
    ws.on('open', () => ws.send(JSON.stringify(token === null ? { type: 'request', id: 1, name: 'getSnapshot', input: {} } : { type: 'hello', token })));
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { type: string };
      if (msg.type === 'ready') {
        done('ready');
        ws.close();
      }
    });
    ws.on('close', (code) => done(`closed ${code}`));
  });
}

describe.skipIf(SKIP_BROWSER_TESTS)('browser preview end to end', () => {
  beforeAll(async () => {
    assertBrowserReady();
    preview = await startPreview({
      workload: false,
      polling: FAST_POLLING,
    });
    const { scriptx, graph, aodocs } = preview.sims!;
    aodocs.addJob({ jobId: 'e2e-export', libraryId: 'lib-contracts', requestor: WORKLOAD_USER, type: 'EXPORT_FOLDER', totalTasks: 50, plan: { tasksPerTick: 0, stuck: true } });
    graph.addJob({ id: 'e2e-up-1', printerId: 'printer-hq-2f', shareId: 'share-hq-2f', upn: WORKLOAD_USER, displayName: 'Board pack.pdf', lifecycle: 'processingForever', documents: [{ displayName: 'Board pack.pdf', contentType: 'application/pdf', size: 120_000 }] });
    const token = scriptx.addJob({ kind: 'pdf', steps: [{ status: 1, afterMs: 0 }, { status: 5, afterMs: 600_000 }] });
    await preview.core.handlers.trackJob({ sourceId: WORKLOAD_SOURCE_IDS.scriptx, id: token, kind: 'pdf' });

    profile = mkdtempSync(join(tmpdir(), 'pqm-chromium-'));
    // A fresh profile per run (playwright passes it as --user-data-dir).
    context = await launchChromium(profile);
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto(preview.url);
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await preview?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('shows jobs from all three sources, and keeps the token out of the address bar', async () => {
    const rows = page.getByTestId('job-row');
    await expect.poll(async () => new Set(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-key')?.split(':')[0]))).size, { timeout: 10_000 }).toBe(3);
    expect(page.url()).not.toContain('token=');
    await expect.poll(() => page.locator('[data-key="aodocs:e2e-export"]').count()).toBe(1);
  });

  it("opens one socket to the app, from the page's inline script, and breaks no rule of the page's policy", async () => {
    const other = await context.newPage();
    try {
      await other.addInitScript({ content: `window.__violations = []; document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));` });
      const sockets: string[] = [];
      other.on('websocket', (ws) => sockets.push(ws.url()));
      const panelsAsked: string[] = [];
      other.on('request', (r) => /\/assets\/panels-[^/]*\.js$/.test(r.url()) && panelsAsked.push(r.url()));
      const sheetsAsked: string[] = [];
      other.on('request', (r) => /\/assets\/index-[^/]*\.css$/.test(r.url()) && sheetsAsked.push(r.url()));
      await other.goto(preview.url);
      await expect.poll(() => other.getByTestId('job-row').count(), { timeout: 10_000 }).toBeGreaterThan(0);
      // The panels' code loads by itself once the window is idle, before any panel is opened.
      await expect.poll(() => panelsAsked.length, { timeout: 10_000 }).toBe(1);
      // The bridge took over the socket the page opened while it was read (a second one would be
      // the bridge's own); the policy allowed the script that opened it.
      expect(sockets).toEqual([`ws://127.0.0.1:${preview.port}/ws`]);
      // With the panels loaded too (the settings' forms validate with zod, which must not try eval).
      await other.getByRole('button', { name: 'Settings', exact: true }).click();
      await expect.poll(() => other.getByTestId('settings-dialog').count(), { timeout: 10_000 }).toBe(1);
      await other.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
      expect(await other.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([]);
      expect(await other.evaluate(() => '__pqmEarlySocket' in window)).toBe(false);
      // The stylesheet came inline with the page: never fetched, not when the panels loaded either.
      expect(sheetsAsked).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it("draws the queue's first rows from the page itself, styled, before any of its scripts runs; a page without the token shows none", async () => {
    const other = await context.newPage();
    try {
      // None of the window's code is let in: what shows is the page as the app served it.
      await other.route('**/assets/*.js', (route) => route.abort());
      await other.goto(preview.url);
      const rows = other.getByTestId('job-row');
      expect(await rows.count()).toBeGreaterThan(0);
      expect(await other.locator('#app').getAttribute('data-first-frame')).toBe('');
      // The stylesheet in the page applied (its hash in the policy): rows laid out as in the window.
      await expect.poll(() => page.getByTestId('job-row').count(), { timeout: 10_000 }).toBeGreaterThan(0);
      const look = (r: Element) => [getComputedStyle(r).display, getComputedStyle(r).height, getComputedStyle(r.parentElement!).position].join(' ');
      expect(await rows.first().evaluate(look)).toBe(await page.getByTestId('job-row').first().evaluate(look));
      expect(await rows.first().evaluate(look)).not.toMatch(/^block /);
      // Each row in its place, one row height below the one before, in the queue's order: the
      // same rows, at the same places, as the window's own once its code runs.
      const places = (p: Page) => p.getByTestId('job-row').evaluateAll((els) => els.map((e) => [e.getAttribute('data-key'), Math.round(e.getBoundingClientRect().top)] as const).sort((a, b) => a[1] - b[1]));
      const drawn = await places(other);
      expect(drawn.length).toBeGreaterThan(2);
      for (let i = 1; i < drawn.length; i++) expect(drawn[i]![1] - drawn[i - 1]![1]).toBe(32);
      const shown = await places(page);
      expect(drawn).toEqual(shown.slice(0, drawn.length));
      // Inert and busy until the window's code takes it over.
      expect(await other.locator('#app').evaluate((el) => [el.hasAttribute('inert'), el.getAttribute('aria-busy')])).toEqual([true, 'true']);
      expect(await page.locator('#app').evaluate((el) => [el.hasAttribute('data-first-frame'), el.hasAttribute('inert'), el.hasAttribute('aria-busy')])).toEqual([false, false, false]);
      const bare = await fetch(`http://127.0.0.1:${preview.port}/`);
      const html = await bare.text();
      expect(html).toContain('<div id="app"></div>');
      expect(html).not.toContain('job-row');
    } finally {
      await other.close();
    }
  });

  it('shows a state change made in a simulator as a row update', async () => {
    const row = page.locator('[data-key^="universal-print:"][data-key$="/e2e-up-1"]');
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 10_000 }).toBe('processing');
    preview.sims!.graph.setJobStatus('printer-hq-2f', 'e2e-up-1', { state: 'paused', details: ['releaseWait'], description: 'Waiting for release.' });
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 10_000 }).toBe('paused');
  });

  it('filters with the search box', async () => {
    const search = page.getByRole('searchbox', { name: 'Search' }).or(page.getByLabel('Search', { exact: true })).first();
    await search.fill('Export folder');
    await expect.poll(() => page.getByTestId('job-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-key'))), { timeout: 5000 }).toEqual(['aodocs:e2e-export']);
    await search.fill('');
    await expect.poll(() => page.getByTestId('job-row').count(), { timeout: 5000 }).toBe(3);
  });

  it('opens the detail panel and cancels a job from it; the cancel reaches the simulator', async () => {
    await page.locator('[data-key="aodocs:e2e-export"]').dblclick();
    const panel = page.getByTestId('detail-panel');
    await expect.poll(() => panel.isVisible()).toBe(true);
    await panel.getByRole('button', { name: 'Cancel job' }).click();
    const confirm = page.getByTestId('confirm-dialog');
    await confirm.locator('button.danger').click();
    await expect.poll(() => preview.sims!.aodocs.getJob('e2e-export')?.status, { timeout: 10_000 }).toBe('CANCELLED');
    await page.getByRole('radio', { name: 'All' }).click();
    await expect.poll(() => page.locator('[data-key="aodocs:e2e-export"]').getAttribute('data-state'), { timeout: 10_000 }).toBe('canceled');
    await panel.getByRole('button', { name: 'Close' }).click();
  });

  it('shows a source that drops out in the sources panel, and its recovery', async () => {
    await preview.sims!.aodocs.goOffline();
    try {
      await page.getByRole('button', { name: 'Sources', exact: true }).click();
      const line = page.locator(`[data-testid="source-line"][data-source="${WORKLOAD_SOURCE_IDS.aodocs}"]`);
      await expect.poll(() => line.getAttribute('data-status'), { timeout: 15_000 }).not.toBe('ok');
      const ok = page.locator(`[data-testid="source-line"][data-source="${WORKLOAD_SOURCE_IDS.graph}"]`);
      expect(await ok.getAttribute('data-status')).toBe('ok');
    } finally {
      await preview.sims!.aodocs.goOnline();
    }
    const line = page.locator(`[data-testid="source-line"][data-source="${WORKLOAD_SOURCE_IDS.aodocs}"]`);
    await expect.poll(() => line.getAttribute('data-status'), { timeout: 15_000 }).toBe('ok');
    await page.keyboard.press('Escape');
  });

  it('has no serious accessibility violations (axe-core), and saves a screenshot', async () => {
    const serious = await seriousViolations(page);
    expect(serious, JSON.stringify(serious, null, 2)).toEqual([]);
    await saveShot(page, 'queue');
  });

  it('refuses a wrong or missing token and a foreign origin', async () => {
    const ws = `ws://127.0.0.1:${preview.port}/ws`;
    const origin = `http://127.0.0.1:${preview.port}`;
    expect(await trySocket(ws, origin, preview.token)).toBe('ready');
    expect(await trySocket(ws, origin, 'not-the-token')).toBe('closed 1008');
    expect(await trySocket(ws, origin, null)).toBe('closed 1008');
    expect(await trySocket(ws, 'http://evil.example', preview.token)).toBe('http 403');
    expect(await trySocket(ws, 'http://127.0.0.1:1', preview.token)).toBe('http 403');

    // A page opened without the token says it cannot connect and shows no jobs.
    const other = await context.newPage();
    try {
      await other.goto(`http://127.0.0.1:${preview.port}/#token=wrong`);
      await expect.poll(() => other.getByTestId('connection-banner').or(other.getByTestId('load-error')).first().textContent(), { timeout: 10_000 }).toMatch(/access token/);
      expect(await other.getByTestId('job-row').count()).toBe(0);
      // Said in the banner, once: not repeated as a notice for each read that failed with it.
      await other.getByTestId('load-error').waitFor();
      expect(await other.getByTestId('connection-banner').textContent()).toMatch(/access token/);
      expect(await other.getByTestId('notice').allTextContents()).toEqual([]);
    } finally {
      await other.close();
    }
  });
});
