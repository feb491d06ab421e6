/**
 * The queue's columns and the narrow window, in real Chromium through the preview: a column resized
 * with the mouse, the keyboard and a double-click (and saved), the lowest-priority columns left out
 * at 900×600 with the column chooser to keep one (the grid then scrolls sideways), the detail panel
 * over the list when narrow, and a notice in the window when one of your jobs ends. axe finds
 * nothing on any of it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { WORKLOAD_SOURCE_IDS } from '../simulators/workload';
import { axeViolations, closeOverlays, openWindow, row, saveShot, SKIP_BROWSER_TESTS, type BrowserRun } from './helpers';

let run: BrowserRun;
let page: Page;

/** A ScriptX job in the simulator, tracked by the app with a name; resolves with its key once its row shows `state`. */
async function placeJob(status: number, state: string, title: string): Promise<string> {
  const token = run.preview.sims!.scriptx.addJob({ kind: 'html', steps: [{ status, afterMs: 0 }] });
  await run.preview.core.handlers.trackJob({ sourceId: WORKLOAD_SOURCE_IDS.scriptx, id: token, kind: 'html', title, printer: 'Office laser' });
  const key = `${WORKLOAD_SOURCE_IDS.scriptx}:${token}`;
  await row(page, key).and(page.locator(`[data-state="${state}"]`)).waitFor({ timeout: 10_000 });
  return key;
}

const headers = () => page.locator('[role="columnheader"]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.col ?? ''));
const headerWidth = (col: string) => page.locator(`[role="columnheader"][data-col="${col}"]`).evaluate((e) => Math.round(e.getBoundingClientRect().width));
const savedColumns = async () => {
  const r = await run.preview.core.handlers.getSettings({});
  return r.settings.ui.columns;
};

/** Opens the column chooser (a click on its button toggles it). */
async function openChooser(): Promise<void> {
  const chooser = page.getByTestId('column-chooser');
  if ((await chooser.getAttribute('open')) === null) await chooser.locator('summary').click();
}

async function expectNoAxeFindings(selector?: string): Promise<void> {
  const found = await axeViolations(page, selector);
  expect(found, JSON.stringify(found, null, 2)).toEqual([]);
}

describe.skipIf(SKIP_BROWSER_TESTS)('columns, the narrow window and notices of your jobs in the browser', () => {
  beforeAll(async () => {
    run = await openWindow();
    page = run.page;
    await page.setViewportSize({ width: 1280, height: 800 });
    await placeJob(1, 'queued', 'Quarterly report with a long name.html');
    await placeJob(5, 'printing', 'Invoice.html');
  });

  afterAll(async () => {
    await run?.close();
  });

  beforeEach(async () => {
    await closeOverlays(page);
    if (await page.getByRole('button', { name: 'Dismiss all' }).count()) await page.getByRole('button', { name: 'Dismiss all' }).click();
    for (const n of await page.getByTestId('notice').all()) await n.getByRole('button', { name: 'Dismiss notification' }).click();
  });

  it('resizes a column by dragging its edge, from the keyboard and by a double-click, and keeps the width', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    const before = await headerWidth('owner');
    const edge = page.getByTestId('resize-owner');
    const box = (await edge.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 40, box.y + box.height / 2, { steps: 4 });
    await page.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    await expect.poll(() => headerWidth('owner')).toBe(before + 80);
    // The body's cells follow the header's.
    const cell = await page.locator('[data-testid="job-row"] .cell-owner').first().evaluate((e) => Math.round(e.getBoundingClientRect().width));
    expect(cell).toBe(before + 80);
    await expect.poll(async () => (await savedColumns()).widths.owner, { timeout: 10_000 }).toBe(before + 80);

    await edge.focus();
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => headerWidth('owner')).toBe(before + 64);
    expect(await edge.getAttribute('aria-valuenow')).toBe(String(before + 64));

    // A double-click fits the widest text shown: the long document name is shown whole.
    await page.getByTestId('resize-document').dblclick();
    await expect
      .poll(() => page.locator('[data-testid="job-row"] .cell-document').evaluateAll((els) => els.every((e) => e.scrollWidth <= e.clientWidth)))
      .toBe(true);
    await expectNoAxeFindings();
    await openChooser();
    await page.getByTestId('reset-columns').click();
    await expect.poll(async () => (await savedColumns()).widths, { timeout: 10_000 }).toEqual({});
    await page.keyboard.press('Escape');
  });

  it('leaves the lowest-priority columns out at 900×600 and 150% zoom; the chooser keeps one, and the grid scrolls sideways', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await expect.poll(headers).toEqual(['source', 'printer', 'document', 'owner', 'state', 'progress', 'pages', 'size', 'createdAt', 'updatedAt']);
    await page.setViewportSize({ width: 900, height: 600 });
    await expect.poll(headers).toEqual(['source', 'printer', 'document', 'owner', 'state', 'updatedAt']);
    const body = page.locator('.grid-body');
    expect(await body.evaluate((e) => e.scrollWidth <= e.clientWidth)).toBe(true);
    // 150% zoom of 1280×800: fewer still, Document and State always, nothing to scroll.
    await page.setViewportSize({ width: 853, height: 533 });
    await expect.poll(async () => (await headers()).length).toBeLessThanOrEqual(6);
    expect(await headers()).toEqual(expect.arrayContaining(['document', 'state']));
    expect(await headers()).not.toContain('pages');
    expect(await body.evaluate((e) => e.scrollWidth <= e.clientWidth)).toBe(true);

    await page.setViewportSize({ width: 900, height: 600 });
    await openChooser();
    const chooser = page.getByTestId('column-chooser');
    expect(await chooser.locator('[data-col="size"]').textContent()).toContain('left out: too narrow');
    await expectNoAxeFindings();
    await saveShot(page, 'column-chooser');
    // Keeping one column leaves out the next least needed one instead.
    await chooser.getByRole('checkbox', { name: /^Size/ }).check();
    await expect.poll(headers).toEqual(['source', 'printer', 'document', 'state', 'size', 'updatedAt']);
    expect(await body.evaluate((e) => e.scrollWidth <= e.clientWidth)).toBe(true);
    // Every column kept although they do not fit: the rows are wider than the grid, which scrolls
    // sideways, header with body.
    // (A column shown but not kept may be left out as others are kept: ticked again, it is kept.)
    const unticked = chooser.getByRole('checkbox', { checked: false });
    for (let i = 0; i < 16 && (await unticked.count()) > 0; i++) await unticked.first().check();
    await expect.poll(async () => (await headers()).length).toBe(10);
    expect(await body.evaluate((e) => e.scrollWidth > e.clientWidth)).toBe(true);
    await body.evaluate((e) => e.scrollTo({ left: e.scrollWidth }));
    await expect.poll(() => page.locator('.grid-head').evaluate((e) => e.scrollLeft)).toBeGreaterThan(0);
    expect(await page.locator('.grid-head').evaluate((e) => e.scrollLeft)).toBe(await body.evaluate((e) => e.scrollLeft));
    await expect.poll(async () => (await savedColumns()).shown.length, { timeout: 10_000 }).toBe(8);
    await chooser.getByTestId('reset-columns').click();
    await expect.poll(headers).not.toContain('size');
    await page.keyboard.press('Escape');
  });

  it('opens the detail panel over the list when narrow, with the focus in it and back on Escape; beside it when wide', async () => {
    await page.setViewportSize({ width: 900, height: 600 });
    const grid = page.getByRole('grid');
    await grid.focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('Enter');
    const panel = page.getByTestId('detail-panel');
    await panel.waitFor();
    expect(await panel.getAttribute('data-overlay')).toBe('true');
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('[data-testid="detail-panel"]') !== null)).toBe(true);
    // Over the list: the panel's box lies on the grid's, which keeps its whole width.
    const [p, g] = [(await panel.boundingBox())!, (await grid.boundingBox())!];
    expect(p.x).toBeLessThan(g.x + g.width);
    expect(g.x + g.width).toBeGreaterThan(880);
    await expectNoAxeFindings();
    await saveShot(page, 'detail-overlay-900x600');
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('grid');

    await page.setViewportSize({ width: 1280, height: 800 });
    await page.keyboard.press('Enter');
    await panel.waitFor();
    expect(await panel.getAttribute('data-overlay')).toBe('false');
    const [wide, list] = [(await panel.boundingBox())!, (await grid.boundingBox())!];
    expect(wide.x).toBeGreaterThanOrEqual(list.x + list.width - 1);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('grid');
  });

  it('tells, in the window, that a job of yours was canceled elsewhere, with Details', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    const key = await placeJob(1, 'queued', 'Leave form.html');
    // Canceled by someone else (another client of the app), not from this window.
    await run.preview.core.handlers.cancelJob({ key });
    const notice = page.getByTestId('notice').filter({ hasText: 'Canceled: Leave form.html' });
    await notice.waitFor({ timeout: 15_000 });
    // One sentence pair, punctuated, whatever the service's own words end with.
    expect(await notice.locator('.notice-body > span').first().textContent()).toMatch(/^Canceled: Leave form\.html\. .+\.$/);
    expect(await notice.getAttribute('data-level')).toBe('warning');
    await expectNoAxeFindings();
    await saveShot(page, 'notice-own-job');
    await notice.getByRole('button', { name: 'Show details' }).click();
    await expect.poll(() => page.getByTestId('detail-panel').locator('h2').textContent()).toBe('Leave form.html');
  });
});
