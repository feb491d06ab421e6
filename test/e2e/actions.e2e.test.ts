/**
 * The queue window's actions, sources, sign-in, service panel and settings in real Chromium
 * through the browser preview, against the real app core and sources and the simulators (no
 * workload: every job here is placed by the test). Screenshots of each panel go to
 * test/e2e/artifacts; axe-core checks each open panel.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { WORKLOAD_SOURCE_IDS, WORKLOAD_USER } from '../simulators/workload';
import { closeOverlays, openWindow, row, rowKeys, saveShot, seriousViolations, SKIP_BROWSER_TESTS, sourceLine, type BrowserRun } from './helpers';

const TOO_LATE = 'pages are already printing; ScriptX cannot stop this job';
/** The same reason on a line of its own, beside what it disables: a sentence. */
const TOO_LATE_LINE = 'Pages are already printing; ScriptX cannot stop this job.';

let run: BrowserRun;
let page: Page;

async function track(token: string, kind: 'html' | 'pdf'): Promise<string> {
  await run.preview.core.handlers.trackJob({ sourceId: WORKLOAD_SOURCE_IDS.scriptx, id: token, kind });
  return `${WORKLOAD_SOURCE_IDS.scriptx}:${token}`;
}

async function expectAccessible(scope?: string): Promise<void> {
  const serious = await seriousViolations(page, scope);
  expect(serious, JSON.stringify(serious, null, 2)).toEqual([]);
}

async function closeDialog(testId: string): Promise<void> {
  const dialog = page.getByTestId(testId);
  await dialog.getByRole('button', { name: 'Close' }).first().click();
  await expect.poll(() => dialog.count()).toBe(0);
}

describe.skipIf(SKIP_BROWSER_TESTS)('queue window actions in the browser', () => {
  beforeAll(async () => {
    run = await openWindow();
    page = run.page;
  });

  afterAll(async () => {
    await run?.close();
  });

  // A failed test must not leave a dialog or the detail panel over the next one.
  beforeEach(() => closeOverlays(page));

  it('cannot cancel a ScriptX job that is already printing, and says why', async () => {
    const { scriptx } = run.preview.sims!;
    const token = scriptx.addJob({ kind: 'html', steps: [{ status: 1, afterMs: 0 }, { status: 5, afterMs: 300 }] });
    const key = await track(token, 'html');
    await expect.poll(() => row(page, key).getAttribute('data-state'), { timeout: 10_000 }).toBe('printing');

    await row(page, key).dblclick();
    const panel = page.getByTestId('detail-panel');
    const cancel = panel.getByRole('button', { name: 'Cancel job' });
    await expect.poll(() => cancel.isDisabled()).toBe(true);
    // The reason sits next to the button and describes it.
    const reasonId = await cancel.getAttribute('aria-describedby');
    expect(reasonId).toBeTruthy();
    expect(await panel.locator(`[id="${reasonId}"]`).textContent()).toBe(TOO_LATE_LINE);
    await panel.getByRole('button', { name: 'Close' }).click();

    // Delete on the row asks to cancel: the refusal and its reason are shown, nothing is sent.
    await row(page, key).click();
    await page.keyboard.press('Delete');
    await expect.poll(() => page.getByTestId('notice').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining(TOO_LATE)]));
    expect(await page.getByTestId('confirm-dialog').count()).toBe(0);
    expect(scriptx.jobStatus(token)?.status).toBe(5);
  });

  it('cancels a queued ScriptX job from the UI; the simulator has it cancelled', async () => {
    const { scriptx } = run.preview.sims!;
    // An HTML job: ScriptX.Services cannot cancel PDF jobs (its PDF printing API has no cancel).
    const token = scriptx.addJob({ kind: 'html', steps: [{ status: 1, afterMs: 0 }] });
    const key = await track(token, 'html');
    await expect.poll(() => row(page, key).getAttribute('data-state'), { timeout: 10_000 }).toBe('queued');
    await row(page, key).dblclick();
    const panel = page.getByTestId('detail-panel');
    await panel.getByRole('button', { name: 'Cancel job' }).click();
    const confirm = page.getByTestId('confirm-dialog');
    await saveShot(page, 'panel-confirm-cancel');
    await expectAccessible('[data-testid="confirm-dialog"]');
    await confirm.locator('button.danger').click();
    await expect.poll(() => scriptx.jobStatus(token)?.status, { timeout: 10_000 }).toBe(-2);
    await page.getByRole('radio', { name: 'All' }).click();
    await expect.poll(() => row(page, key).getAttribute('data-state'), { timeout: 10_000 }).toBe('canceled');
    await panel.getByRole('button', { name: 'Close' }).click();
  });

  it('prints a URL through ScriptX from the Print… dialog; the job appears and completes', async () => {
    const { scriptx } = run.preview.sims!;
    // The next print moves queued -> downloading -> printing -> completed over about two seconds.
    scriptx.setNextPrint({ status: 1, steps: [{ status: 1, afterMs: 0 }, { status: 3, afterMs: 400 }, { status: 5, afterMs: 900 }, { status: 6, afterMs: 1800 }] });
    const before = new Set(await rowKeys(page));
    await page.getByRole('button', { name: 'Print…' }).click();
    const dialog = page.getByTestId('print-dialog');
    await dialog.locator('select').first().selectOption(WORKLOAD_SOURCE_IDS.scriptx);
    await dialog.getByRole('radio', { name: 'A web page or PDF by its URL' }).check();
    await dialog.getByLabel('URL', { exact: true }).fill('http://127.0.0.1:9/e2e/delivery-note.html');
    await dialog.getByLabel('Title').fill('E2E delivery note');
    await saveShot(page, 'panel-print');
    await expectAccessible();
    await dialog.getByRole('button', { name: 'Print', exact: true }).click();
    await expect.poll(() => dialog.count(), { timeout: 10_000 }).toBe(0);

    const printed = page.locator('[data-testid="job-row"]', { hasText: 'E2E delivery note' });
    await expect.poll(() => printed.count(), { timeout: 10_000 }).toBe(1);
    const key = (await printed.getAttribute('data-key'))!;
    expect(key.startsWith(`${WORKLOAD_SOURCE_IDS.scriptx}:`)).toBe(true);
    expect(before.has(key)).toBe(false);
    await expect.poll(() => row(page, key).getAttribute('data-state'), { timeout: 10_000 }).toBe('completed');
    expect(scriptx.jobStatus(key.slice(key.indexOf(':') + 1))?.status).toBe(6);
  });

  it('shows a source that goes down and comes back in the sources panel; screenshots the panel', async () => {
    const { scriptx } = run.preview.sims!;
    await page.getByRole('button', { name: 'Sources', exact: true }).click();
    const line = sourceLine(page, WORKLOAD_SOURCE_IDS.scriptx);
    await expect.poll(() => line.getAttribute('data-status'), { timeout: 10_000 }).toBe('ok');
    await saveShot(page, 'panel-sources');
    await expectAccessible();

    await scriptx.setFault({ type: 'refuse' });
    try {
      await expect.poll(() => line.getAttribute('data-status'), { timeout: 15_000 }).toBe('down');
      expect(await line.locator('.source-message').textContent()).toBeTruthy();
      await saveShot(page, 'panel-sources-down');
      expect(await sourceLine(page, WORKLOAD_SOURCE_IDS.aodocs).getAttribute('data-status')).toBe('ok');
    } finally {
      await scriptx.setFault(null);
    }
    await line.getByRole('button', { name: 'Refresh now' }).click();
    await expect.poll(() => line.getAttribute('data-status'), { timeout: 15_000 }).toBe('ok');
    await closeDialog('sources-dialog');
  });

  it('shows the ScriptX service panel: where it was found, version, license, printers; screenshots it', async () => {
    await page.getByRole('button', { name: 'Sources', exact: true }).click();
    await sourceLine(page, WORKLOAD_SOURCE_IDS.scriptx).getByRole('button', { name: 'Service…' }).click();
    const panel = page.getByTestId('service-panel');
    await expect.poll(() => panel.textContent(), { timeout: 10_000 }).toContain('2.23.1.5');
    const text = (await panel.textContent()) ?? '';
    expect(text).toContain(new URL(run.preview.sims!.scriptx.url).host);
    for (const printer of ['Office LaserJet', 'Label printer', 'Microsoft Print to PDF']) expect(text).toContain(printer);
    // The license GUID is a secret: never shown.
    expect(text).not.toContain(run.preview.sims!.secrets[WORKLOAD_SOURCE_IDS.scriptx].LICENSE!);
    await saveShot(page, 'panel-service');
    await expectAccessible();
    await closeDialog('service-panel');
    if (await page.getByTestId('sources-dialog').count()) await closeDialog('sources-dialog');
  });

  it('tracks a pasted job token from the Track a job… dialog; screenshots it', async () => {
    const { scriptx } = run.preview.sims!;
    const token = scriptx.addJob({ kind: 'html', steps: [{ status: 1, afterMs: 0 }] });
    await page.getByRole('button', { name: 'Track a job…' }).click();
    const dialog = page.getByTestId('track-dialog');
    await dialog.locator('select').first().selectOption(WORKLOAD_SOURCE_IDS.scriptx);
    await dialog.getByLabel('Job id or token').fill(`  ${token}  `);
    await saveShot(page, 'panel-track');
    await expectAccessible();
    await dialog.getByRole('button', { name: 'Track', exact: true }).click();
    await expect.poll(() => dialog.count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => row(page, `${WORKLOAD_SOURCE_IDS.scriptx}:${token}`).count(), { timeout: 10_000 }).toBe(1);
  });

  it('tracks a Universal Print job on a share nobody watches by <share id>/<job id>, named by that share', async () => {
    const { graph } = run.preview.sims!;
    graph.addPrinter({ id: 'printer-annex', displayName: 'Annex printer' });
    graph.addShare({ id: 'share-annex', displayName: 'Annex', printerId: 'printer-annex' });
    graph.addJob({ id: 'e2e-annex-1', printerId: 'printer-annex', shareId: 'share-annex', upn: WORKLOAD_USER, displayName: 'Floor plan.pdf', lifecycle: 'processingForever' });
    await page.getByRole('button', { name: 'Track a job…' }).click();
    const dialog = page.getByTestId('track-dialog');
    await dialog.locator('select').first().selectOption(WORKLOAD_SOURCE_IDS.graph);
    await dialog.getByLabel('Job id or token').fill('share-annex/e2e-annex-1');
    await dialog.getByRole('button', { name: 'Track', exact: true }).click();
    await expect.poll(() => dialog.count(), { timeout: 10_000 }).toBe(0);
    const tracked = row(page, `${WORKLOAD_SOURCE_IDS.graph}:share-annex/e2e-annex-1`);
    await expect.poll(() => tracked.count(), { timeout: 10_000 }).toBe(1);
    expect(await tracked.locator('.cell-printer').textContent()).toBe('Annex');
  });

  it('round-trips a polling interval, in seconds, through the settings dialog; screenshots it', async () => {
    const label = 'ScriptX.Services: interval while jobs are active (seconds)';
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    let dialog = page.getByTestId('settings-dialog');
    await expect.poll(() => dialog.getByTestId('settings-panel').count(), { timeout: 10_000 }).toBe(1);
    await saveShot(page, 'panel-settings');
    await expectAccessible();
    await dialog.getByRole('tab', { name: 'Polling' }).click();
    const field = dialog.getByLabel(label);
    expect(await field.inputValue()).toBe('0.3');

    // Invalid input is refused at the field, and nothing is saved.
    await field.fill('');
    await dialog.getByTestId('settings-polling').getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => field.getAttribute('aria-invalid')).toBe('true');
    expect((await run.preview.core.handlers.getSettings({})).settings.polling.scriptx.activeMs).toBe(300);

    await field.fill('0.75');
    await dialog.getByTestId('settings-polling').getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => dialog.getByTestId('settings-outcome').textContent()).toBe('Settings saved.');
    await saveShot(page, 'panel-settings-polling');
    await expectAccessible();
    await closeDialog('settings-dialog');

    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    dialog = page.getByTestId('settings-dialog');
    await dialog.getByRole('tab', { name: 'Polling' }).click();
    expect(await dialog.getByLabel(label).inputValue()).toBe('0.75');
    await closeDialog('settings-dialog');
    const saved = await run.preview.core.handlers.getSettings({});
    expect(saved.settings.polling.scriptx.activeMs).toBe(750);
    expect(saved.problems).toEqual([]);
  });

  // Last: the AODocs credential stays expired for the rest of the run.
  it('shows sign-in needed with its message when the AODocs credential expires', async () => {
    const { aodocs, secrets } = run.preview.sims!;
    aodocs.expireCredential(secrets[WORKLOAD_SOURCE_IDS.aodocs].SECURITY_CODE!);
    await page.getByRole('button', { name: 'Sources', exact: true }).click();
    const line = sourceLine(page, WORKLOAD_SOURCE_IDS.aodocs);
    await expect.poll(() => line.getAttribute('data-status'), { timeout: 15_000 }).toBe('auth-required');
    expect(await line.locator('.badge').first().textContent()).toBe('Sign-in needed');
    expect(await line.locator('.source-message').textContent()).toMatch(/expired/i);
    expect(await line.getByRole('button', { name: 'Sign in' }).isVisible()).toBe(true);
    // The other sources are not affected.
    expect(await sourceLine(page, WORKLOAD_SOURCE_IDS.scriptx).getAttribute('data-status')).toBe('ok');
    await saveShot(page, 'panel-sources-sign-in');
    await expectAccessible();
    await closeDialog('sources-dialog');
  });
});
