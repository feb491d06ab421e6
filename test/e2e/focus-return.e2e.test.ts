/**
 * Where the keyboard focus goes when a dialog or panel closes, in real Chromium through the
 * preview against the ScriptX simulator: back to what opened it, or, once that is gone, to the
 * grid it acted on, never to the page itself; and the settings panel keeps edits across its tabs
 * and asks before closing drops them. Every job here is placed by the test.
 */
import { describe, expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import { WORKLOAD_SOURCE_IDS } from '../simulators/workload';
import { row, SKIP_BROWSER_TESTS, windowForTests } from './helpers';

let suite: ReturnType<typeof windowForTests>;
const page = () => suite.page;
const run = () => suite.run;

/** A queued ScriptX job in the simulator, tracked by the app; resolves with its key once its row shows. */
async function placeQueuedJob(): Promise<string> {
  const token = run().preview.sims!.scriptx.addJob({ kind: 'html', steps: [{ status: 1, afterMs: 0 }] });
  await run().preview.core.handlers.trackJob({ sourceId: WORKLOAD_SOURCE_IDS.scriptx, id: token, kind: 'html' });
  const key = `${WORKLOAD_SOURCE_IDS.scriptx}:${token}`;
  await expect.poll(() => row(page(), key).getAttribute('data-state'), { timeout: 10_000 }).toBe('queued');
  return key;
}

/** What has the focus: its role and accessible name as far as the test needs them. */
function focusedElement(): Promise<string> {
  return page().evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'body';
    return `${el.getAttribute('role') ?? el.tagName.toLowerCase()}:${el.getAttribute('aria-label') ?? el.textContent?.trim() ?? ''}`;
  });
}

function hasFocus(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => el === document.activeElement);
}

describe.skipIf(SKIP_BROWSER_TESTS)('focus when dialogs close, in the browser', () => {
  suite = windowForTests();

  it('a cancel confirmed from the keyboard in the detail panel leaves the focus on the grid, at a row that is there', async () => {
    const first = await placeQueuedJob();
    const second = await placeQueuedJob();
    await row(page(), first).dblclick();
    const panel = page().getByTestId('detail-panel');
    await panel.getByRole('button', { name: 'Cancel job' }).focus();
    await page().keyboard.press('Enter');
    const confirm = page().getByTestId('confirm-dialog');
    await confirm.waitFor();
    // The dialog takes the focus once drawn (Keep has it); then Shift+Tab reaches Cancel job.
    await expect.poll(() => confirm.evaluate((d) => d.contains(document.activeElement) && !document.activeElement!.classList.contains('danger'))).toBe(true);
    await page().keyboard.press('Shift+Tab');
    await expect.poll(() => hasFocus(confirm.locator('button.danger'))).toBe(true);
    await page().keyboard.press('Enter');
    await confirm.waitFor({ state: 'detached' });
    await expect.poll(() => run().preview.sims!.scriptx.jobStatus(first.split(':')[1]!)?.status, { timeout: 10_000 }).toBe(-2);
    // The job's Cancel button went with its state: the focus is on the grid, not on the page.
    await expect.poll(focusedElement, { timeout: 10_000 }).toBe('grid:Print jobs');
    // The active row is one that is there (once the grid has drawn the list without the canceled job).
    const grid = page().getByRole('grid');
    const activeRow = (): Promise<string | null> =>
      grid.evaluate((g) => {
        const id = g.getAttribute('aria-activedescendant');
        return (id && document.getElementById(id)?.getAttribute('data-key')) || null;
      });
    await expect.poll(activeRow).not.toBeNull();
    expect([first, second]).toContain(await activeRow());
    await panel.getByRole('button', { name: 'Close' }).click();
    await panel.waitFor({ state: 'detached' });
    // Beside the list, the panel's Close button gives the focus to the grid too.
    await expect.poll(focusedElement).toBe('grid:Print jobs');
  });

  it('settings keep edits across tabs and ask before closing drops them; the focus goes back to Settings', async () => {
    const settingsButton = page().getByRole('button', { name: 'Settings', exact: true });
    await settingsButton.focus();
    await page().keyboard.press('Enter');
    const dialog = page().getByTestId('settings-dialog');
    await expect.poll(() => dialog.getByTestId('settings-panel').count(), { timeout: 10_000 }).toBe(1);
    await dialog.getByRole('tab', { name: 'Polling' }).click();
    const idle = dialog.getByLabel('ScriptX.Services: interval when idle (seconds)');
    const before = await idle.inputValue();
    await idle.fill('42');
    await dialog.getByRole('tab', { name: 'History' }).click();
    await dialog.getByRole('tab', { name: 'Polling' }).click();
    expect(await idle.inputValue()).toBe('42');

    await idle.focus();
    await page().keyboard.press('Escape');
    const ask = page().getByRole('alertdialog', { name: 'Discard unsaved changes?' });
    await ask.waitFor();
    // The question takes the focus once drawn (Keep editing); Enter is pressed only then.
    await expect.poll(() => hasFocus(ask.getByRole('button', { name: 'Keep editing' }))).toBe(true);
    await page().keyboard.press('Enter');
    await ask.waitFor({ state: 'detached' });
    await expect.poll(() => hasFocus(idle)).toBe(true);
    expect(await idle.inputValue()).toBe('42');

    await page().keyboard.press('Escape');
    await ask.waitFor();
    await ask.getByRole('button', { name: 'Discard' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => hasFocus(settingsButton)).toBe(true);
    const saved = await run().preview.core.handlers.getSettings({});
    expect(String(saved.settings.polling.scriptx.idleMs / 1000)).toBe(before);
  });
});
