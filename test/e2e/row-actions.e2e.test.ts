/**
 * Acting where the job is, in real Chromium through the preview against the ScriptX simulator: the
 * row's context menu (right-click, Shift+F10, the Menu key), bulk cancel of a mixed selection, and
 * the notice strip's limits. Every job here is placed by the test.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { WORKLOAD_SOURCE_IDS } from '../simulators/workload';
import { axeViolations, closeOverlays, openWindow, row, saveShot, SKIP_BROWSER_TESTS, type BrowserRun } from './helpers';

const TOO_LATE = 'pages are already printing; ScriptX cannot stop this job';
/** The same reason on a line of its own, beside what it disables: a sentence. */
const TOO_LATE_LINE = 'Pages are already printing; ScriptX cannot stop this job.';

let run: BrowserRun;
let page: Page;

/** A ScriptX job in the simulator, tracked by the app; resolves with its key once its row shows `state`. */
async function placeJob(status: number, state: string): Promise<{ key: string; token: string }> {
  const token = run.preview.sims!.scriptx.addJob({ kind: 'html', steps: [{ status, afterMs: 0 }] });
  await run.preview.core.handlers.trackJob({ sourceId: WORKLOAD_SOURCE_IDS.scriptx, id: token, kind: 'html' });
  const key = `${WORKLOAD_SOURCE_IDS.scriptx}:${token}`;
  await expect.poll(() => row(page, key).getAttribute('data-state'), { timeout: 10_000 }).toBe(state);
  return { key, token };
}

const menu = () => page.getByTestId('row-menu');
const item = (id: string) => menu().locator(`[data-item="${id}"]`);

describe.skipIf(SKIP_BROWSER_TESTS)('acting on rows in the browser', () => {
  beforeAll(async () => {
    run = await openWindow();
    page = run.page;
  });

  afterAll(async () => {
    await run?.close();
  });

  beforeEach(async () => {
    if (await menu().count()) await page.keyboard.press('Escape');
    await closeOverlays(page);
    if (await page.getByRole('button', { name: 'Dismiss all' }).count()) await page.getByRole('button', { name: 'Dismiss all' }).click();
    for (const n of await page.getByTestId('notice').all()) await n.getByRole('button', { name: 'Dismiss notification' }).click();
  });

  it('cancels a queued job from its right-click menu, after the confirmation', async () => {
    const { key, token } = await placeJob(1, 'queued');
    await row(page, key).click({ button: 'right' });
    await expect.poll(() => menu().count()).toBe(1);
    expect(await menu().getAttribute('aria-label')).toBe(`Actions for ScriptX job ${token}`);
    // The first item has the focus; the shortcut is named.
    expect(await item('cancel').evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await item('cancel').textContent()).toBe('Cancel jobDelete');
    expect(await item('cancel').getAttribute('aria-keyshortcuts')).toBe('Delete');
    await saveShot(page, 'row-menu');
    const violations = await axeViolations(page, '[data-testid="row-menu"]');
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);

    await item('cancel').click();
    expect(await menu().count()).toBe(0);
    const confirm = page.getByTestId('confirm-dialog');
    await confirm.locator('button.danger').click();
    await expect.poll(() => run.preview.sims!.scriptx.jobStatus(token)?.status, { timeout: 10_000 }).toBe(-2);
    await expect.poll(() => page.getByTestId('notice').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining(`Canceled “ScriptX job ${token}”.`)]));
  });

  it('opens the menu from the keyboard (Shift+F10, the Menu key); what does not apply is disabled with the reason', async () => {
    const { key, token } = await placeJob(5, 'printing');
    await row(page, key).click();
    await page.keyboard.press('Shift+F10');
    await expect.poll(() => menu().count()).toBe(1);
    expect(await item('cancel').getAttribute('aria-disabled')).toBe('true');
    const why = await item('cancel').getAttribute('aria-describedby');
    expect(await page.locator(`[id="${why}"]`).textContent()).toBe(TOO_LATE_LINE);
    expect(await item('retry').getAttribute('aria-disabled')).toBe('true');
    // The focus starts on the first item that applies; the arrows reach every item.
    expect(await item('details').evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Home');
    expect(await item('cancel').evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Escape');
    expect(await menu().count()).toBe(0);
    expect(await page.getByTestId('queue-grid').evaluate((el) => el === document.activeElement)).toBe(true);

    await page.keyboard.press('ContextMenu');
    await expect.poll(() => menu().count()).toBe(1);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('detail-panel').count()).toBe(1);
    expect(await page.getByTestId('detail-panel').getAttribute('aria-label')).toBe(`Details: ScriptX job ${token}`);
    await page.getByTestId('detail-panel').getByRole('button', { name: 'Close' }).click();
    expect(run.preview.sims!.scriptx.jobStatus(token)?.status).toBe(5);
  });

  it('cancels a mixed selection: confirms how many and why the others will not be, then lists each outcome', async () => {
    const a = await placeJob(1, 'queued');
    const b = await placeJob(1, 'queued');
    const c = await placeJob(5, 'printing');
    await row(page, a.key).click();
    await row(page, b.key).click({ modifiers: ['Control'] });
    await row(page, c.key).click({ modifiers: ['Control'] });
    await row(page, c.key).click({ button: 'right' });
    expect(await item('cancel').textContent()).toBe('Cancel 2 of 3 selected jobs…Delete');
    await item('cancel').click();
    const confirm = page.getByTestId('confirm-dialog');
    expect(await confirm.textContent()).toContain('Cancel 2 print jobs? This cannot be undone. 1 will not be canceled:');
    expect(await confirm.textContent()).toContain(`ScriptX job ${c.token}: ${TOO_LATE}`);
    await saveShot(page, 'bulk-confirm');
    await confirm.locator('button.danger').click();
    const notice = page.getByTestId('notice').filter({ hasText: 'canceled, ' });
    await expect.poll(() => notice.locator('span').first().textContent(), { timeout: 10_000 }).toBe(`2 canceled, 1 skipped: ${TOO_LATE}.`);
    await notice.getByText('Details').click();
    expect(await notice.locator('li').allTextContents()).toEqual([`ScriptX job ${a.token}: canceled.`, `ScriptX job ${b.token}: canceled.`, `ScriptX job ${c.token}: skipped (${TOO_LATE}).`]);
    expect(run.preview.sims!.scriptx.jobStatus(a.token)?.status).toBe(-2);
    expect(run.preview.sims!.scriptx.jobStatus(b.token)?.status).toBe(-2);
    expect(run.preview.sims!.scriptx.jobStatus(c.token)?.status).toBe(5);
  });

  it('shows at most three notices with "and N more", counts repeats once, and never covers the grid', async () => {
    const jobs = [];
    for (let i = 0; i < 4; i++) jobs.push(await placeJob(5, 'printing'));
    for (const j of jobs) {
      await row(page, j.key).click();
      await page.keyboard.press('Delete');
    }
    await page.keyboard.press('Delete');
    const notices = page.getByTestId('notice');
    await expect.poll(() => notices.count()).toBe(3);
    expect(await notices.last().textContent()).toContain(`ScriptX job ${jobs[3].token}: ${TOO_LATE} (2 times)`);
    expect(await page.getByTestId('notices-more').textContent()).toBe('and 1 moreDismiss all');
    const grid = (await page.locator('.grid-body').boundingBox())!;
    const strip = (await page.getByTestId('notices').boundingBox())!;
    expect(strip.y).toBeGreaterThanOrEqual(grid.y + grid.height - 1);
    await saveShot(page, 'notices-limit');
    await page.getByRole('button', { name: 'Dismiss all' }).click();
    expect(await notices.count()).toBe(0);
  });
});
