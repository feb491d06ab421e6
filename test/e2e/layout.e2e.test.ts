/**
 * The queue window as it loads and lays out in real Chromium through the preview: no console
 * error, no axe finding of any impact (light and dark), and nothing clipped (header labels, toolbar
 * controls, and a row's numbers and times, the widest it shows) at 1280×800, 900×600
 * and 150% zoom (a 1280×800 window at 150% lays out as 853×533 CSS pixels); the queue keeps rows in
 * view there with the Printers and History sections open above it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { JOB_STATES } from '../../preload/contract/job-states';
import { WORKLOAD_SOURCE_IDS } from '../simulators/workload';
import { axeViolations, openPreview, row, saveShot, SKIP_BROWSER_TESTS, type BrowserRun } from './helpers';

/** The meta CSP's frame-ancestors directive is reported by Chromium; it goes once the window is served by the app's own protocol with the header. */
const KNOWN_SHELL_MESSAGE = /frame-ancestors/;

let run: BrowserRun;
let page: Page;
const errors: string[] = [];

async function expectNoAxeFindings(): Promise<void> {
  const found = await axeViolations(page);
  expect(found, JSON.stringify(found, null, 2)).toEqual([]);
}

/** The window's sizes: 1280×800, 900×600, and 1280×800 at 150% zoom (853×533 CSS pixels). */
const SIZES: [name: string, width: number, height: number][] = [
  ['1280x800', 1280, 800],
  ['900x600', 900, 600],
  ['zoom-150', 853, 533],
];

/** A long job's page count, the widest a pages cell shows in this window (three digits each). */
const LONG_JOB_PAGES = '128 of 250';

/** Header cells whose label is cut, row cells whose number or time is cut, and toolbar controls outside the window. */
async function clipped(): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const h of document.querySelectorAll<HTMLElement>('[role="columnheader"]')) {
      if (h.offsetParent === null) continue;
      const label = h.querySelector<HTMLElement>('.sort-button') ?? h;
      // The room for the label: the cell without its padding (the column's resize edge lies in it).
      const style = getComputedStyle(h);
      const room = h.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      // The text's own width (a button's scrollWidth does not grow with the text it cuts).
      const text = document.createRange();
      text.selectNodeContents(label);
      const need = Math.max(label.scrollWidth, text.getBoundingClientRect().width);
      if (need > room + 1) out.push(`header ${h.textContent} (${need} > ${room})`);
    }
    // A number or a time cut short reads as another one ("19 of …", "11:36:5…"): these cells are
    // never cut, unlike names, which end in an ellipsis and are whole in their tooltip.
    for (const c of document.querySelectorAll<HTMLElement>('[data-testid="job-row"] :is(.cell-pages, .cell-size, .cell-created, .cell-updated, .cell-progress)')) {
      if (c.scrollWidth > c.clientWidth + 1) out.push(`cell ${c.className} "${c.textContent}" (${c.scrollWidth} > ${c.clientWidth})`);
    }
    for (const b of document.querySelectorAll<HTMLElement>('.command-bar button, .command-bar summary, .filter-bar button, .filter-bar summary, .filter-bar input')) {
      const r = b.getBoundingClientRect();
      if (r.width === 0) continue;
      if (r.right > window.innerWidth + 1 || r.bottom > window.innerHeight + 1) out.push(`control ${b.textContent || b.getAttribute('aria-label')} outside the window`);
    }
    return out;
  });
}

describe.skipIf(SKIP_BROWSER_TESTS)('the window loads clean and lays out at every size', () => {
  beforeAll(async () => {
    // With the print server, whose jobs have page counts.
    run = await openPreview({ printServer: true });
    page = run.page;
    page.on('console', (m) => {
      if (m.type() === 'error' && !KNOWN_SHELL_MESSAGE.test(m.text())) errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('requestfailed', (r) => errors.push(`${r.url()} failed`));
    page.on('response', (r) => {
      if (r.status() >= 400) errors.push(`${r.url()} answered ${r.status()}`);
    });
    const { scriptx, ipp } = run.preview.sims!;
    // The widest numbers and times a row shows: stopped jobs (a printing job's count moves on with
    // the simulator's clock), one at three-digit pages, one at 100%, and jobs handed in late in
    // the evening on each of the six days before today (weekday and time) and a month ago (date).
    const [printed, pages] = LONG_JOB_PAGES.split(' of ').map(Number);
    const stopped = { printer: 'front-desk', user: 'sam.lee', state: 6, reasons: ['printer-stopped'] };
    ipp.addJob({ ...stopped, name: 'Annual report.pdf', impressions: pages!, impressionsCompleted: printed! });
    ipp.addJob({ ...stopped, name: 'Proofs.pdf', impressions: 40, impressionsCompleted: 40 });
    const today = new Date();
    for (const daysAgo of [1, 2, 3, 4, 5, 6, 30]) {
      const at = new Date(today.getFullYear(), today.getMonth(), today.getDate() - daysAgo, 22, 58, 58).getTime();
      ipp.addJob({ ...stopped, name: `Evening job, day -${daysAgo}.pdf`, impressions: 2, impressionsCompleted: 1, createdAt: at });
    }
    for (const status of [1, 5, 8, -1]) {
      const token = scriptx.addJob({ kind: 'html', steps: [{ status, afterMs: 0 }] });
      await run.preview.core.handlers.trackJob({ sourceId: WORKLOAD_SOURCE_IDS.scriptx, id: token, kind: 'html' });
    }
    await page.goto(run.preview.url);
    await page.getByRole('button', { name: 'Sources', exact: true }).waitFor({ timeout: 10_000 });
    await page.getByTestId('job-row').nth(2).waitFor({ timeout: 10_000 });
    await page.getByText(LONG_JOB_PAGES, { exact: true }).waitFor({ timeout: 10_000 });
  });

  afterAll(async () => {
    await run?.close();
  });

  it('loads without a console error, with its icon', async () => {
    expect(errors).toEqual([]);
    const icon = await page.locator('link[rel="icon"]').getAttribute('href');
    expect(icon).toBeTruthy();
    const res = await page.request.get(new URL(icon!, run.preview.url.split('#')[0]).href);
    expect(res.status()).toBe(200);
  });

  it('has no axe finding of any impact, light and dark, with stale rows and an active one', async () => {
    await expectNoAxeFindings();
    // A row with a reason, active and selected: its muted words keep their contrast.
    await page.locator('[data-testid="job-row"]', { has: page.getByTestId('state-reason') }).first().click();
    await expectNoAxeFindings();
    await run.preview.sims!.scriptx.setFault({ type: 'refuse' });
    try {
      await expect.poll(() => page.locator('[data-testid="job-row"].is-stale').count(), { timeout: 15_000 }).toBeGreaterThan(0);
      await expectNoAxeFindings();
      // A stale row's time says it was last seen, and is not cut either.
      expect(await page.locator('[data-testid="job-row"].is-stale .cell-updated').first().textContent()).toMatch(/^last seen /);
      expect(await clipped()).toEqual([]);
      await page.emulateMedia({ colorScheme: 'dark' });
      await expectNoAxeFindings();
      await saveShot(page, 'window-dark-stale');
    } finally {
      await page.emulateMedia({ colorScheme: 'light' });
      await run.preview.sims!.scriptx.setFault(null);
    }
  });

  it("draws every state's icon from the stylesheet, its shape kept in forced colours (High Contrast)", async () => {
    /** Per state: the icon's size and its painted border sides (its own and its pseudo-elements'), and any text in it. */
    const drawn = () =>
      page.evaluate((states) => {
        const box = document.createElement('div');
        document.body.append(box);
        try {
          return states.map((state) => {
            const badge = document.createElement('span');
            badge.className = `badge badge-${state}`;
            const icon = document.createElement('span');
            icon.className = 'state-icon';
            icon.dataset.icon = state;
            badge.append(icon, state);
            box.append(badge);
            const r = icon.getBoundingClientRect();
            const sides: string[] = [];
            for (const pseudo of [null, '::before', '::after']) {
              const cs = getComputedStyle(icon, pseudo);
              if (pseudo && cs.content === 'none') continue;
              for (const side of ['Top', 'Right', 'Bottom', 'Left'] as const) {
                const width = parseFloat(cs.getPropertyValue(`border-${side.toLowerCase()}-width`));
                const colour = cs.getPropertyValue(`border-${side.toLowerCase()}-color`);
                if (width > 0 && colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') sides.push(`${pseudo ?? ''}${side}`);
              }
              if (pseudo && cs.content !== '""' && cs.content !== "''") sides.push(`${pseudo} ${cs.content}`);
            }
            return { state, width: r.width, height: r.height, text: icon.textContent, sides };
          });
        } finally {
          box.remove();
        }
      }, [...JOB_STATES]);
    for (const mode of ['none', 'active'] as const) {
      await page.emulateMedia({ forcedColors: mode });
      try {
        const icons = await drawn();
        for (const i of icons) {
          expect(i.text, `${i.state} (${mode})`).toBe('');
          expect(i.width * i.height, `${i.state} (${mode})`).toBeGreaterThan(0);
          expect(i.sides.length, `${i.state} (${mode})`).toBeGreaterThan(0);
        }
        const sides = (state: string) => icons.find((i) => i.state === state)!.sides;
        // The shapes that are made of transparent sides keep them: a triangle, an open ring.
        expect(sides('printing'), mode).toEqual(['Left']);
        expect(sides('processing'), mode).toEqual(['Top', 'Bottom', 'Left']);
        expect(sides('paused'), mode).toEqual(['Right', 'Left']);
        // An icon, and each part of it, is in its word's colour: on a plain row and on the selected
        // one (which keeps its authored colours in forced colours).
        await page.getByTestId('job-row').first().click();
        const colours = await page.evaluate(() =>
          [...document.querySelectorAll<HTMLElement>('[data-testid="job-row"] .state-icon')].map((icon) => {
            const word = getComputedStyle(icon.parentElement!).color;
            const parts = [null, '::before', '::after'].map((pseudo) => getComputedStyle(icon, pseudo).color);
            return { selected: icon.closest('.row')!.classList.contains('is-selected'), word, parts };
          }),
        );
        expect(colours.some((c) => c.selected), mode).toBe(true);
        for (const c of colours) expect(c.parts, `${mode}${c.selected ? ', selected' : ''}`).toEqual([c.word, c.word, c.word]);
      } finally {
        await page.emulateMedia({ forcedColors: 'none' });
      }
    }
  });

  it.each(SIZES)('clips nothing at %s', async (name, width, height) => {
    await page.setViewportSize({ width, height });
    const first = page.getByTestId('job-row').first();
    await first.waitFor();
    expect(await clipped()).toEqual([]);
    await saveShot(page, `window-${name}`);
    // The detail panel opens over the list in a narrow window, and is announced.
    await first.dblclick();
    const panel = page.getByTestId('detail-panel');
    await panel.waitFor();
    expect(await clipped()).toEqual([]);
    await saveShot(page, `window-${name}-details`);
    await panel.getByRole('button', { name: 'Close' }).click();
    expect(await row(page, (await first.getAttribute('data-key'))!).count()).toBe(1);
  });

  it.each(SIZES)('keeps the queue in view with Printers and History open at %s, the page itself never scrolling', async (name, width, height) => {
    await page.setViewportSize({ width, height });
    const printers = page.getByTestId('printers-view');
    const history = page.getByTestId('history-section');
    await printers.locator('summary').click();
    await history.locator('summary').click();
    await page.getByTestId('history-jobs-chart').waitFor();
    try {
      const seen = await page.evaluate(() => {
        const body = document.querySelector('.grid-body')!.getBoundingClientRect();
        const whole = [...document.querySelectorAll('[data-testid="job-row"]')].filter((r) => {
          const b = r.getBoundingClientRect();
          return b.top >= body.top - 1 && b.bottom <= Math.min(body.bottom, window.innerHeight) + 1;
        }).length;
        // Each section's title stays on screen, to close it.
        const titles = [...document.querySelectorAll<HTMLElement>('.app-section summary')].map((t) => {
          const b = t.getBoundingClientRect();
          const at = document.elementFromPoint(b.left + 4, b.top + b.height / 2);
          return b.height > 0 && b.bottom <= window.innerHeight && !!at && t.contains(at);
        });
        return { whole, titles, pageScrolls: document.documentElement.scrollHeight > window.innerHeight };
      });
      expect(seen).toEqual({ whole: expect.any(Number), titles: [true, true], pageScrolls: false });
      expect(seen.whole, `whole rows in view at ${name}`).toBeGreaterThanOrEqual(4);
      await saveShot(page, `window-${name}-sections`);
    } finally {
      await printers.locator('summary').click();
      await history.locator('summary').click();
    }
  });
});
