/**
 * Every panel and dialog of the queue window, in real Chromium through the preview, light and dark:
 * axe-core reports no violation of any impact (minor and moderate included) on the whole page with
 * the panel open.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { WORKLOAD_SOURCE_IDS } from '../simulators/workload';
import { axeViolations, closeDialog, closeOverlays, openWindow, row, SKIP_BROWSER_TESTS, sourceLine, type BrowserRun } from './helpers';


let run: BrowserRun;
let page: Page;
let queuedKey = '';

async function noFindings(what: string): Promise<void> {
  const found = await axeViolations(page);
  expect(found, `${what}: ${JSON.stringify(found, null, 2)}`).toEqual([]);
}

describe.skipIf(SKIP_BROWSER_TESTS)('every panel passes axe with no finding of any impact', () => {
  beforeAll(async () => {
    run = await openWindow();
    page = run.page;
    const token = run.preview.sims!.scriptx.addJob({ kind: 'html', steps: [{ status: 1, afterMs: 0 }] });
    await run.preview.core.handlers.trackJob({ sourceId: WORKLOAD_SOURCE_IDS.scriptx, id: token, kind: 'html', title: 'Axe check.html' });
    queuedKey = `${WORKLOAD_SOURCE_IDS.scriptx}:${token}`;
    await page.locator(`[data-testid="job-row"][data-key="${queuedKey}"][data-state="queued"]`).waitFor({ timeout: 10_000 });
  });

  afterAll(async () => {
    await run?.close();
  });

  for (const scheme of ['light', 'dark'] as const) {
    describe(scheme, () => {
      beforeAll(async () => {
        await closeOverlays(page);
        await page.emulateMedia({ colorScheme: scheme });
      });

      it('settings, every tab', async () => {
        await page.getByRole('button', { name: 'Settings', exact: true }).click();
        const dialog = page.getByTestId('settings-dialog');
        await expect.poll(() => dialog.getByTestId('settings-panel').count(), { timeout: 10_000 }).toBe(1);
        for (const tab of ['Sources', 'Polling', 'Notifications', 'History', 'General']) {
          await dialog.getByRole('tab', { name: tab }).click();
          await expect.poll(() => dialog.getByRole('tab', { name: tab }).getAttribute('aria-selected')).toBe('true');
          await noFindings(`settings, ${tab}`);
        }
        await closeDialog(page, 'settings-dialog');
      });

      it('sources and the service panel', async () => {
        await page.getByRole('button', { name: 'Sources', exact: true }).click();
        await expect.poll(() => sourceLine(page, WORKLOAD_SOURCE_IDS.scriptx).count(), { timeout: 10_000 }).toBe(1);
        await noFindings('sources');
        await sourceLine(page, WORKLOAD_SOURCE_IDS.scriptx).getByRole('button', { name: 'Service…' }).click();
        await expect.poll(() => page.getByTestId('service-panel').textContent(), { timeout: 10_000 }).toContain('2.23.1.5');
        await noFindings('service panel');
        await closeDialog(page, 'service-panel');
        if (await page.getByTestId('sources-dialog').count()) await closeDialog(page, 'sources-dialog');
      });

      it('track and print dialogs', async () => {
        await page.getByRole('button', { name: 'Track a job…' }).click();
        await expect.poll(() => page.getByTestId('track-dialog').count()).toBe(1);
        await noFindings('track');
        await closeDialog(page, 'track-dialog');
        await page.getByRole('button', { name: 'Print…' }).click();
        await expect.poll(() => page.locator('.modal').count()).toBe(1);
        await noFindings('print');
        await page.locator('.modal .modal-head button').click();
      });

      it('the detail panel and the cancel confirmation', async () => {
        await row(page, queuedKey).dblclick();
        const panel = page.getByTestId('detail-panel');
        await expect.poll(() => panel.getByTestId('timeline').count(), { timeout: 5000 }).toBe(1);
        await noFindings('details');
        await panel.getByRole('button', { name: 'Cancel job' }).click();
        await expect.poll(() => page.getByTestId('confirm-dialog').count()).toBe(1);
        await noFindings('cancel confirmation');
        // "Keep": nothing is canceled.
        await page.getByTestId('confirm-dialog').getByRole('button', { name: 'Keep' }).click();
        await panel.getByRole('button', { name: 'Close' }).click();
        await expect.poll(() => panel.count()).toBe(0);
      });
    });
  }
});
