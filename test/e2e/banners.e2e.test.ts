/**
 * What is wrong, said over the queue without taking its place, in real Chromium through the
 * preview: with all four sources down at 900×600 and at 150% zoom (a 1280×800 window at 150% lays
 * out as 853×533 CSS pixels) the banners fit in their own region and the queue keeps whole rows in
 * view; and when the preview server goes away the queue itself says it is not updating (dimmed,
 * since when) until the reconnect has read it afresh.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startWebTransport, type WebTransport } from '../../main/web/server';
import { DEFAULT_RENDERER_DIR } from '../preview/start-preview';
import { axeViolations, openPreview, saveShot, SKIP_BROWSER_TESTS, type BrowserRun } from './helpers';

/** Whole rows the queue must keep in view whatever the banners say. */
const MIN_ROWS = 4;

const SIZES: [name: string, width: number, height: number][] = [
  ['900x600', 900, 600],
  ['zoom-150', 853, 533],
];

/** Jobs enough to fill the queue at any size: stopped ones, which the simulator leaves as they are. */
async function addJobs(run: BrowserRun, n: number): Promise<void> {
  for (let i = 1; i <= n; i++) run.preview.sims!.ipp.addJob({ printer: 'front-desk', user: 'sam.lee', state: 6, reasons: ['printer-stopped'], name: `Report ${i}.pdf`, impressions: 4, impressionsCompleted: 1 });
}

/** How the window lays out now: whole rows in view, where the banners' region lies, whether the page scrolls. */
function layout(page: Page) {
  return page.evaluate(() => {
    const body = document.querySelector('.grid-body')?.getBoundingClientRect();
    const whole = body
      ? [...document.querySelectorAll('[data-testid="job-row"]')].filter((r) => {
          const b = r.getBoundingClientRect();
          return b.top >= body.top - 1 && b.bottom <= Math.min(body.bottom, window.innerHeight) + 1;
        }).length
      : 0;
    // The first thing the banners say is on screen, not under the queue or past the window's edge.
    const title = document.querySelector<HTMLElement>('[data-testid="outage-banner"] strong');
    const t = title?.getBoundingClientRect();
    const at = t && document.elementFromPoint(t.left + 2, t.top + t.height / 2);
    const titleSeen = !!title && !!t && t.height > 0 && t.bottom <= window.innerHeight && !!at && title.contains(at);
    const region = document.querySelector<HTMLElement>('[data-testid="outage-banner"]')!.closest<HTMLElement>('.banners, .app')!;
    return {
      whole,
      titleSeen,
      bannersAboveGrid: !!body && region.getBoundingClientRect().bottom <= body.top + 1,
      pageScrolls: document.documentElement.scrollHeight > window.innerHeight,
      regionScrolls: region.scrollHeight > region.clientHeight + 1,
    };
  });
}

describe.skipIf(SKIP_BROWSER_TESTS)('four sources down: the banners fit over the queue', () => {
  let run: BrowserRun;
  let page: Page;

  beforeAll(async () => {
    run = await openPreview({ printServer: true });
    page = run.page;
    await addJobs(run, 14);
    await page.goto(run.preview.url);
    await page.getByTestId('job-row').nth(MIN_ROWS).waitFor({ timeout: 10_000 });
    const { scriptx, graph, aodocs, ipp } = run.preview.sims!;
    await scriptx.setFault({ type: 'refuse' });
    await graph.goOffline();
    await aodocs.goOffline();
    await ipp.goOffline();
  });

  afterAll(async () => {
    await run?.close();
  });

  it('says the four outages in one alert that names each source', async () => {
    const banner = page.getByTestId('outage-banner');
    for (const s of run.preview.sims!.sources) await expect.poll(() => banner.textContent().catch(() => ''), { timeout: 20_000 }).toContain(s.name);
    expect(await banner.getByRole('alert').count()).toBe(1);
  });

  it.each(SIZES)('keeps at least four whole rows in view at %s, the banners in their own region', async (name, width, height) => {
    await page.setViewportSize({ width, height });
    await expect.poll(() => layout(page)).toEqual({ whole: expect.any(Number), titleSeen: true, bannersAboveGrid: true, pageScrolls: false, regionScrolls: expect.any(Boolean) });
    expect((await layout(page)).whole, `whole rows in view at ${name}`).toBeGreaterThanOrEqual(MIN_ROWS);
    await saveShot(page, `banners-${name}`);
  });

  it.each(SIZES)('shows every source’s details on demand at %s, scrolled in the region, the rows kept', async (name, width, height) => {
    await page.setViewportSize({ width, height });
    const toggle = page.getByTestId('outage-banner').getByRole('button', { name: 'Details' });
    await toggle.click();
    try {
      const details = page.locator('#outage-details > li');
      await expect.poll(() => details.count()).toBe(4);
      await expect.poll(() => layout(page)).toEqual({ whole: expect.any(Number), titleSeen: true, bannersAboveGrid: true, pageScrolls: false, regionScrolls: true });
      expect((await layout(page)).whole, `whole rows in view at ${name}`).toBeGreaterThanOrEqual(MIN_ROWS);
      // Each source's own message is there, reached by scrolling the region.
      const last = details.last();
      await last.scrollIntoViewIfNeeded();
      expect(await last.textContent()).toMatch(/What failed: /);
      expect((await layout(page)).whole, `whole rows in view at ${name}, details scrolled`).toBeGreaterThanOrEqual(MIN_ROWS);
      const found = await axeViolations(page);
      expect(found, JSON.stringify(found, null, 2)).toEqual([]);
      await saveShot(page, `banners-${name}-details`);
    } finally {
      await toggle.click();
    }
  });

  it.each(SIZES)('keeps the rows in view at %s with everything said at once: the outages, the lost connection, the queue not live', async (name, width, height) => {
    await page.setViewportSize({ width, height });
    await run.preview.transport.close();
    await expect.poll(() => page.getByTestId('not-live').count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => page.getByTestId('connection-banner').count()).toBe(1);
    await expect.poll(() => layout(page)).toEqual({ whole: expect.any(Number), titleSeen: expect.any(Boolean), bannersAboveGrid: true, pageScrolls: false, regionScrolls: expect.any(Boolean) });
    expect((await layout(page)).whole, `whole rows in view at ${name}`).toBeGreaterThanOrEqual(MIN_ROWS);
    // What is said first is in view: the lost connection and since when the queue is not updated.
    const seen = await page.evaluate(() =>
      ['connection-banner', 'not-live'].map((id) => {
        const e = document.querySelector<HTMLElement>(`[data-testid="${id}"]`)!;
        const b = e.getBoundingClientRect();
        const at = document.elementFromPoint(b.left + 8, b.top + Math.min(b.height, 20) / 2);
        return !!at && e.contains(at);
      }),
    );
    expect(seen, `the connection banner and the not-live note in view at ${name}`).toEqual([true, true]);
    await saveShot(page, `banners-${name}-not-live`);
  });
});

describe.skipIf(SKIP_BROWSER_TESTS)('the preview server goes away: the queue says it is not live', () => {
  let run: BrowserRun;
  let page: Page;
  let again: WebTransport | null = null;

  beforeAll(async () => {
    run = await openPreview({ printServer: true });
    page = run.page;
    await addJobs(run, 3);
    await page.goto(run.preview.url);
    await page.getByTestId('job-row').nth(2).waitFor({ timeout: 10_000 });
  });

  afterEach(async () => {
    await again?.close();
    again = null;
  });

  afterAll(async () => {
    await run?.close();
  });

  it('marks the grid not updating since the loss, and live again once reconnected and read afresh', async () => {
    const grid = page.getByTestId('queue-grid');
    expect(await grid.getAttribute('data-live')).not.toBe('false');
    expect(await page.getByTestId('not-live').count()).toBe(0);

    await run.preview.transport.close();
    await expect.poll(() => grid.getAttribute('data-live'), { timeout: 10_000 }).toBe('false');
    const note = page.getByTestId('not-live');
    // Since when, with its date: an outage over night must not read as today's.
    expect(await note.textContent()).toMatch(/^Not updating since \d{1,2}\/\d{1,2}\/\d{2,4}, \d{1,2}:\d{2}:\d{2}/);
    // No live region of its own: the connection's banner alerts the loss; the note describes the grid.
    expect(await note.getAttribute('role')).toBeNull();
    // The grid is described by the note, and its rows look still: grey, in muted colour.
    expect(await grid.getAttribute('aria-describedby')).toBe(await note.getAttribute('id'));
    expect(await grid.evaluate((g) => getComputedStyle(g.querySelector('.grid-body')!).filter)).toBe('grayscale(1)');
    const found = await axeViolations(page);
    expect(found, JSON.stringify(found, null, 2)).toEqual([]);
    await saveShot(page, 'queue-not-live');
    // Windows High Contrast: no grey over the system colours; a selected row keeps HighlightText, and the rows say it without colour.
    await page.getByTestId('job-row').first().click();
    await page.emulateMedia({ forcedColors: 'active' });
    try {
      const seen = await grid.evaluate((g) => {
        const probe = document.body.appendChild(document.createElement('span'));
        probe.style.color = 'HighlightText';
        const highlightText = getComputedStyle(probe).color;
        probe.remove();
        const row = g.querySelector<HTMLElement>('.row.is-selected, .row.is-active')!;
        return { filter: getComputedStyle(g.querySelector('.grid-body')!).filter, selected: getComputedStyle(row).color === highlightText, italic: getComputedStyle(row).fontStyle };
      });
      expect(seen).toEqual({ filter: 'none', selected: true, italic: 'italic' });
    } finally {
      await page.emulateMedia({ forcedColors: 'none' });
      await page.keyboard.press('Escape');
    }

    // What changes meanwhile is seen once the connection is back.
    run.preview.sims!.ipp.addJob({ printer: 'front-desk', user: 'sam.lee', state: 6, reasons: ['printer-stopped'], name: 'Sent while away.pdf', impressions: 2, impressionsCompleted: 0 });
    again = await startWebTransport({ core: run.preview.core, rendererDir: DEFAULT_RENDERER_DIR, port: run.preview.port, token: run.preview.token });
    await expect.poll(() => grid.getAttribute('data-live'), { timeout: 20_000 }).toBe('true');
    expect(await page.getByTestId('not-live').count()).toBe(0);
    expect(await grid.getAttribute('aria-describedby')).toBeNull();
    expect(await grid.evaluate((g) => getComputedStyle(g.querySelector('.grid-body')!).filter)).toBe('none');
    await expect.poll(() => page.getByText('Sent while away.pdf').count(), { timeout: 10_000 }).toBeGreaterThan(0);
  });
});
