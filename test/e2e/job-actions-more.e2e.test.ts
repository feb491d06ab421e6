/**
 * In real Chromium through the preview, with the simulated IPP print server beside the three
 * services: Hold and Release from a row's menu where the job's source allows them, and the Track
 * dialog naming a ScriptX token's document and printer.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { saveSettings as saveSettingsFile } from '../../main/state/settings';
import { WORKLOAD_IPP_SOURCE_ID, WORKLOAD_IPP_USER, WORKLOAD_SOURCE_IDS } from '../simulators/workload';
import { axeViolations, closeDialog, closeOverlays, FAST_POLLING, openWindow, row, saveShot, SKIP_BROWSER_TESTS, sourceLine, type BrowserRun } from './helpers';

let run: BrowserRun;
let page: Page;

const menu = () => page.getByTestId('row-menu');
const item = (id: string) => menu().locator(`[data-item="${id}"]`);

describe.skipIf(SKIP_BROWSER_TESTS)('hold, release and track in the browser', () => {
  beforeAll(async () => {
    run = await openWindow({ printServer: true, polling: { ...FAST_POLLING, ipp: { activeMs: 300, idleMs: 1000 } } });
    page = run.page;
  });
  afterAll(() => run?.close());
  beforeEach(() => closeOverlays(page));

  it('holds a waiting IPP job and releases it again from its row menu', async () => {
    const ipp = run.preview.sims!.ipp;
    // A printer of its own, paused, so the job waits instead of printing.
    ipp.addPrinter({ name: 'hold-test', state: 5, reasons: ['paused'] });
    const job = ipp.addJob({ printer: 'hold-test', name: 'Hold me.pdf', user: WORKLOAD_IPP_USER, state: 3, impressions: 2 });
    const key = `${WORKLOAD_IPP_SOURCE_ID}:hold-test/${job.id}`;
    await expect.poll(() => row(page, key).getAttribute('data-state'), { timeout: 15_000 }).toBe('queued');

    await row(page, key).click({ button: 'right' });
    await expect.poll(() => menu().count()).toBe(1);
    expect(await item('hold').textContent()).toBe('Hold');
    expect(await item('hold').getAttribute('aria-disabled')).toBeNull();
    // Release does not apply to a job that is not held: disabled, with the source's reason.
    if (await item('release').count()) expect(await item('release').getAttribute('aria-disabled')).toBe('true');
    // IPP jobs declare no pause or resume: never offered.
    expect(await item('pause').count()).toBe(0);
    const violations = await axeViolations(page, '[data-testid="row-menu"]');
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    await item('hold').click();
    await expect.poll(() => ipp.job(job.id)?.state, { timeout: 10_000 }).toBe(4);
    await expect.poll(() => row(page, key).getAttribute('data-state'), { timeout: 10_000 }).toBe('paused');
    await expect.poll(() => page.getByTestId('notice').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('Held “Hold me.pdf”')]));

    await row(page, key).click({ button: 'right' });
    await expect.poll(() => menu().count()).toBe(1);
    expect(await item('release').getAttribute('aria-disabled')).toBeNull();
    await item('release').click();
    await expect.poll(() => ipp.job(job.id)?.state, { timeout: 10_000 }).toBe(3);
    await expect.poll(() => row(page, key).getAttribute('data-state'), { timeout: 10_000 }).toBe('queued');
    await expect.poll(() => page.getByTestId('notice').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('Released “Hold me.pdf”')]));
  });

  it('Track names a ScriptX token’s document and printer, which the row then shows', async () => {
    const token = run.preview.sims!.scriptx.addJob({ kind: 'html', steps: [{ status: 1, afterMs: 0 }] });
    await page.getByRole('button', { name: 'Track a job…' }).click();
    const dialog = page.getByTestId('track-dialog');
    await dialog.getByLabel('Source').selectOption(WORKLOAD_SOURCE_IDS.scriptx);
    await dialog.getByLabel('Job id or token').fill(token);
    await dialog.getByLabel('Document name (optional)').fill('Delivery note 4410');
    await dialog.getByLabel('Printer (optional)').fill('Warehouse laser');
    const violations = await axeViolations(page, '[data-testid="track-dialog"]');
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    await dialog.getByRole('button', { name: 'Track', exact: true }).click();
    const key = `${WORKLOAD_SOURCE_IDS.scriptx}:${token}`;
    await expect.poll(() => row(page, key).count(), { timeout: 10_000 }).toBe(1);
    expect(await row(page, key).locator('.cell-document').textContent()).toContain('Delivery note 4410');
    expect(await row(page, key).locator('.cell-printer').textContent()).toContain('Warehouse laser');
  });

  it('Track refuses a document name with a control character, naming the field', async () => {
    await page.getByRole('button', { name: 'Track a job…' }).click();
    const dialog = page.getByTestId('track-dialog');
    await dialog.getByLabel('Source').selectOption(WORKLOAD_SOURCE_IDS.scriptx);
    await dialog.getByLabel('Job id or token').fill('77');
    await dialog.getByLabel('Document name (optional)').fill('a\u0007b');
    await dialog.getByRole('button', { name: 'Track', exact: true }).click();
    await expect.poll(() => dialog.locator('#track-title-error').textContent()).toContain('control character');
    expect(await dialog.getByLabel('Document name (optional)').getAttribute('aria-invalid')).toBe('true');
  });
});

describe.skipIf(SKIP_BROWSER_TESTS)('service control, as the settings file sets it', () => {
  let svc: BrowserRun;
  let p: Page;
  beforeAll(async () => {
    svc = await openWindow();
    p = svc.page;
  });
  afterAll(() => svc?.close());

  const openService = async () => {
    await p.getByRole('button', { name: 'Sources', exact: true }).click();
    // A source restarted by a save is found again first.
    await expect.poll(() => sourceLine(p, WORKLOAD_SOURCE_IDS.scriptx).getAttribute('data-status'), { timeout: 15_000 }).toBe('ok');
    await sourceLine(p, WORKLOAD_SOURCE_IDS.scriptx).getByRole('button', { name: 'Service…' }).click();
    const panel = p.getByTestId('service-panel');
    await expect.poll(() => panel.textContent(), { timeout: 10_000 }).toContain('2.23.1.5');
    return panel;
  };

  it('the service panel says how to enable Start and Restart, and where, when nothing is set', async () => {
    const panel = await openService();
    const section = panel.getByTestId('service-control-settings');
    const configPath = (await svc.preview.core.handlers.getSettings({})).configPath;
    await expect.poll(() => section.textContent()).toContain('Start, Stop and Restart are not set up');
    const text = (await section.textContent()) ?? '';
    expect(text).toContain(configPath);
    expect(text).toContain('sources[0].service');
    expect(text).toContain('windowsServiceName');
    // Nothing there can be typed into: the file is the only place.
    expect(await section.locator('input, textarea, select').count()).toBe(0);
    await saveShot(p, 'service-control', panel);
    await closeDialog(p, 'service-panel');
    if (await p.getByTestId('sources-dialog').count()) await closeDialog(p, 'sources-dialog');
  });

  it('commands set in the file show read-only in the service panel and in the source’s settings form', async () => {
    const view = await svc.preview.core.handlers.getSettings({});
    const sources = view.settings.sources.map((s) =>
      s.id === WORKLOAD_SOURCE_IDS.scriptx ? { ...s, service: { restart: { file: 'C:\\Program Files\\MeadCo\\restart.cmd', args: ['--quiet'] }, windowsServiceName: 'MeadCo ScriptX.Services' } } : s,
    );
    // The file is edited (the only place these are set) and read again.
    await saveSettingsFile(view.configPath, { ...view.settings, sources });
    await svc.preview.core.reloadSettings();
    // The window opened afresh.
    await p.goto('about:blank');
    await p.goto(svc.preview.url);
    await p.getByRole('button', { name: 'Sources', exact: true }).waitFor({ timeout: 10_000 });

    const panel = await openService();
    const section = panel.getByTestId('service-control-settings');
    await expect.poll(() => section.textContent()).toContain('"C:\\Program Files\\MeadCo\\restart.cmd" --quiet');
    expect(await section.textContent()).toContain('MeadCo ScriptX.Services');
    expect(await section.textContent()).toContain('Set in the settings file only');
    await closeDialog(p, 'service-panel');
    if (await p.getByTestId('sources-dialog').count()) await closeDialog(p, 'sources-dialog');

    await p.getByRole('button', { name: 'Settings', exact: true }).click();
    const dialog = p.getByTestId('settings-dialog');
    await dialog.getByRole('tab', { name: 'Sources' }).click();
    const name = view.settings.sources.find((s) => s.id === WORKLOAD_SOURCE_IDS.scriptx)!.name!;
    await dialog.getByRole('button', { name: `Edit ${name}` }).click();
    const form = dialog.getByTestId('source-editor').getByTestId('service-control-settings');
    await expect.poll(() => form.textContent()).toContain('restart.cmd" --quiet');
    expect(await form.textContent()).toContain(view.configPath);
    expect(await form.locator('input, textarea, select').count()).toBe(0);
    const violations = await axeViolations(p);
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    await closeDialog(p, 'settings-dialog');
  });
});
