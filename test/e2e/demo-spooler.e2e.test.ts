/**
 * In real Chromium through the preview, with this PC's print queues on the spooler host's stand-in
 * (as `npm run preview` and the demo show them): the ScriptX job handed to Office LaserJet says
 * where it is in that queue, its details show the spooler job with its own timeline, and a
 * spooler job's row menu offers Pause and Resume.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO_HANDOVER_PRINTER, DEMO_SPOOLER_SOURCE_ID } from '../simulators/windows-spooler/demo-queue';
import { WORKLOAD_SOURCE_IDS } from '../simulators/workload';
import { openWindow, row, saveShot, SKIP_BROWSER_TESTS, type BrowserRun } from './helpers';

let run: BrowserRun;
let page: Page;

describe.skipIf(SKIP_BROWSER_TESTS)('the demo\'s print queues on this PC in the browser', () => {
  beforeAll(async () => {
    run = await openWindow({ spoolerQueue: true });
    page = run.page;
  });
  afterAll(() => run?.close());

  it('shows the hand-over on the ScriptX row and both timelines in its details', async () => {
    const scriptx = () => run.preview.core.snapshot().jobs.find((j) => j.sourceId === WORKLOAD_SOURCE_IDS.scriptx && j.handover?.status === 'linked');
    await expect.poll(() => scriptx()?.key, { timeout: 15_000 }).toBeDefined();
    const key = scriptx()!.key;
    // Finished jobs are under All.
    await page.getByRole('radio', { name: 'All' }).click();
    await expect.poll(() => row(page, key).getByTestId('state-reason').textContent(), { timeout: 15_000 }).toMatch(new RegExp(`^Handed to ${DEMO_HANDOVER_PRINTER} → (printing|printing page \\d of 7|printed)$`));
    await row(page, key).dblclick();
    const section = page.getByTestId('handover');
    await section.getByTestId('handover-timeline').waitFor({ timeout: 10_000 });
    expect(await section.getByRole('heading').textContent()).toBe('In the printer’s queue');
    expect(await section.getByTestId('handover-timeline').locator('li').count()).toBeGreaterThan(0);
    await saveShot(page, 'handover-details');
    await page.keyboard.press('Escape');
  });

  it('offers Pause and Resume in the row menu of a job in the Windows queue', async () => {
    // The label printer's job, held for want of paper: it does not move on by itself.
    const held = () => run.preview.core.snapshot().jobs.find((j) => j.sourceId === DEMO_SPOOLER_SOURCE_ID && j.document === 'Pick list 8813');
    await expect.poll(() => held()?.state, { timeout: 15_000 }).toBe('paused');
    await row(page, held()!.key).click({ button: 'right' });
    const item = (id: string) => page.getByTestId('row-menu').locator(`[data-item="${id}"]`);
    expect(await item('pause').textContent()).toBe('Pause');
    expect(await item('pause').getAttribute('aria-disabled')).toBeNull();
    expect(await item('resume').getAttribute('aria-disabled')).toBe('true');
    // Shown Paused for want of paper, but not paused by anyone: Resume says what it waits for.
    expect(await item('resume').textContent()).toContain('The job is not paused: it waits for the printer (out of paper)');
    await page.keyboard.press('Escape');
  });
});
