/**
 * The queue window in real Chromium through the browser preview, against the real app core and
 * sources talking to the simulators (no workload: the tests drive the simulators):
 * a job's timeline in the detail panel, filters and search, light and dark themes, axe-core.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { WORKLOAD_SOURCE_IDS, WORKLOAD_USER } from '../simulators/workload';
import { openPreview, row, rowKeys, saveShot, seriousViolations, SKIP_BROWSER_TESTS, type BrowserRun } from './helpers';

let run: BrowserRun;
let page: Page;
let movingKey: string;
const upKey = 'universal-print:share-hq-mail/e2e-win-up';
const exportKey = 'aodocs:e2e-win-export';

describe.skipIf(SKIP_BROWSER_TESTS)('queue window in the browser', () => {
  beforeAll(async () => {
    run = await openPreview();
    page = run.page;
    const { scriptx, graph, aodocs } = run.preview.sims!;
    aodocs.addJob({ jobId: 'e2e-win-export', libraryId: 'lib-contracts', requestor: WORKLOAD_USER, type: 'EXPORT_FOLDER', totalTasks: 40, plan: { tasksPerTick: 0, stuck: true } });
    graph.addJob({ id: 'e2e-win-up', printerId: 'printer-hq-mail', shareId: 'share-hq-mail', upn: WORKLOAD_USER, displayName: 'Mailroom labels.pdf', lifecycle: 'processingForever', documents: [{ displayName: 'Mailroom labels.pdf', contentType: 'application/pdf', size: 20_000 }] });
    // A ScriptX job that moves: queued, then downloading, then printing (and stays there).
    const token = scriptx.addJob({ kind: 'html', steps: [{ status: 1, afterMs: 0 }, { status: 3, afterMs: 900 }, { status: 5, afterMs: 1800 }] });
    movingKey = `${WORKLOAD_SOURCE_IDS.scriptx}:${token}`;
    await run.preview.core.handlers.trackJob({ sourceId: WORKLOAD_SOURCE_IDS.scriptx, id: token, kind: 'html' });
    await page.goto(run.preview.url);
  });

  afterAll(async () => {
    await run?.close();
  });

  it('shows the jobs of all three sources', async () => {
    await expect.poll(async () => new Set((await rowKeys(page)).map((k) => k.split(':')[0])), { timeout: 10_000 }).toEqual(new Set(['scriptx', 'universal-print', 'aodocs']));
    expect(await row(page, exportKey).count()).toBe(1);
  });

  it('shows the timeline of state transitions of a job that moved in the detail panel', async () => {
    const upRow = row(page, upKey);
    await expect.poll(() => upRow.getAttribute('data-state'), { timeout: 10_000 }).toBe('processing');
    run.preview.sims!.graph.setJobStatus('printer-hq-mail', 'e2e-win-up', { state: 'paused', details: ['releaseWait'], description: 'Waiting for release at the printer.' });
    await expect.poll(() => upRow.getAttribute('data-state'), { timeout: 10_000 }).toBe('paused');
    await upRow.dblclick();
    const panel = page.getByTestId('detail-panel');
    await expect.poll(() => panel.isVisible()).toBe(true);
    const entries = panel.getByTestId('timeline').locator('li');
    await expect.poll(() => entries.count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    const texts = await entries.allTextContents();
    const processing = texts.findIndex((s) => s.includes('processing'));
    const paused = texts.findIndex((s) => s.includes('paused'));
    expect(processing, texts.join(' | ')).toBeGreaterThanOrEqual(0);
    expect(paused, texts.join(' | ')).toBeGreaterThan(processing);
    expect(await panel.getByRole('alert').count(), (await panel.textContent()) ?? '').toBe(0);
    await saveShot(page, 'panel-detail');
    await panel.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => panel.count()).toBe(0);
  });

  it('has no serious or critical accessibility violation with the detail panel open (axe-core)', async () => {
    await row(page, upKey).dblclick();
    const panel = page.getByTestId('detail-panel');
    await expect.poll(() => panel.getByTestId('timeline').count(), { timeout: 5000 }).toBe(1);
    try {
      expect(await seriousViolations(page, '[data-testid="detail-panel"]')).toEqual([]);
      // The whole window with the panel open: the grid narrows beside it.
      const serious = await seriousViolations(page);
      expect(serious, JSON.stringify(serious, null, 2)).toEqual([]);
    } finally {
      await panel.getByRole('button', { name: 'Close' }).click();
      await expect.poll(() => panel.count()).toBe(0);
    }
  });

  it('shows the timeline of a ScriptX job (a source without details of its own) in the detail panel', async () => {
    await expect.poll(() => row(page, movingKey).getAttribute('data-state'), { timeout: 10_000 }).toBe('printing');
    await row(page, movingKey).dblclick();
    const panel = page.getByTestId('detail-panel');
    await expect.poll(() => panel.isVisible()).toBe(true);
    try {
      // Queued first, printing last, in the order they happened (downloading may fall between polls).
      await expect
        .poll(async () => ((await panel.getByRole('alert').count()) ? [`error: ${await panel.getByRole('alert').first().textContent()}`] : await panel.getByTestId('timeline').locator('li').allTextContents()), { timeout: 5000 })
        .toEqual(expect.arrayContaining([expect.stringContaining('1 Queued'), expect.stringContaining('5 Printing')]));
      const texts = await panel.getByTestId('timeline').locator('li').allTextContents();
      expect(texts.findIndex((s) => s.includes('1 Queued')), texts.join(' | ')).toBeLessThan(texts.findIndex((s) => s.includes('5 Printing')));
    } finally {
      await panel.getByRole('button', { name: 'Close' }).click();
    }
  });

  it('narrows the list with the source filter, the state filter and the search box', async () => {
    const all = (await rowKeys(page)).length;
    expect(all).toBeGreaterThanOrEqual(3);
    const bar = page.getByTestId('filter-bar');

    // Source filter: AODocs only.
    await bar.locator('details.filter', { hasText: 'Source:' }).locator('summary').click();
    await bar.getByRole('checkbox', { name: 'AODocs (simulated)' }).check();
    await expect.poll(() => rowKeys(page)).toEqual([exportKey]);
    await expect.poll(() => page.getByTestId('job-count').textContent()).toMatch(/^1\b/);
    await bar.getByRole('checkbox', { name: 'AODocs (simulated)' }).uncheck();
    await bar.locator('details.filter', { hasText: 'Source:' }).locator('summary').click();
    await expect.poll(async () => (await rowKeys(page)).length).toBe(all);

    // State filter: printing only (the ScriptX job).
    await bar.locator('details.filter', { hasText: 'State:' }).locator('summary').click();
    await bar.getByRole('checkbox', { name: 'Printing', exact: true }).check();
    await expect.poll(() => rowKeys(page)).toEqual([movingKey]);
    await bar.getByRole('checkbox', { name: 'Printing', exact: true }).uncheck();
    await bar.locator('details.filter', { hasText: 'State:' }).locator('summary').click();
    await expect.poll(async () => (await rowKeys(page)).length).toBe(all);

    // Search by document name.
    const search = page.getByRole('searchbox', { name: 'Search' });
    await search.fill('HQ mailroom');
    await expect.poll(async () => (await rowKeys(page)).map((k) => k.split(':')[0])).toEqual(['universal-print']);
    // The view choices persist: the search reaches the settings file shortly after typing stops.
    await expect.poll(async () => (await run.preview.core.handlers.getSettings({})).settings.ui.search, { timeout: 3000 }).toBe('HQ mailroom');
    await search.fill('no job is called like this');
    await expect.poll(() => rowKeys(page)).toEqual([]);
    await search.fill('');
    await expect.poll(async () => (await rowKeys(page)).length).toBe(all);
    // The view choices are saved shortly after the last change: wait until the last save, holding
    // every choice as it is now, has landed, so no save of this test is still to come.
    await expect
      .poll(async () => {
        const { search, sourceFilter, stateFilter } = (await run.preview.core.handlers.getSettings({})).settings.ui;
        return { search, sourceFilter, stateFilter };
      })
      .toEqual({ search: '', sourceFilter: [], stateFilter: [] });
  });

  it('has no serious or critical accessibility violation on the main view (axe-core)', async () => {
    const serious = await seriousViolations(page);
    expect(serious, JSON.stringify(serious, null, 2)).toEqual([]);
  });

  it('follows the system theme (light) and the theme chosen in settings (dark); screenshots of both', async () => {
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.emulateMedia({ colorScheme: 'light' });
    expect(await page.evaluate(() => document.documentElement.dataset.theme ?? 'system')).toBe('system');
    const light = await background();
    await saveShot(page, 'main-light');

    // Dark through the settings UI (General tab), saved to the settings file.
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const dialog = page.getByTestId('settings-dialog');
    await dialog.getByRole('tab', { name: 'General' }).click();
    await dialog.locator('select[name="theme"]').selectOption('dark');
    await dialog.getByTestId('settings-general').getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => dialog.getByTestId('settings-outcome').textContent()).toBe('Settings saved.');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    const dark = await background();
    expect(dark, `the dark theme kept the light background ${light}`).not.toBe(light);
    // Dark: the background is darker than the text.
    const lum = (rgb: string) => {
      const [r, g, b] = (rgb.match(/\d+(\.\d+)?/g) ?? ['0', '0', '0']).map(Number);
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    expect(lum(dark)).toBeLessThan(lum(light));
    await saveShot(page, 'main-dark');
    const serious = await seriousViolations(page);
    expect(serious, JSON.stringify(serious, null, 2)).toEqual([]);
    // Saved: the core's settings hold the choice.
    expect((await run.preview.core.handlers.getSettings({})).settings.ui).toMatchObject({ theme: 'dark' });
  });

  it("says so when the window's code cannot be loaded, instead of staying blank", async () => {
    const other = await page.context().newPage();
    try {
      // The entry loads; the chunk with the rest of the window does not.
      await other.route(/\/assets\/window-[^/]+\.js$/, (route) => route.abort('connectionrefused'));
      const served = new Promise<string>((resolve) => other.on('response', (r) => void (r.request().resourceType() === 'document' && r.text().then(resolve))));
      await other.goto(run.preview.url);
      const alert = other.locator('#app [role="alert"]');
      await expect.poll(() => alert.textContent(), { timeout: 10_000 }).toMatch(/^The queue window could not load its code: .+\. Reload the window to try again\.$/);
      // The page came with its first frame, inert; the message that replaced it is live and said.
      expect(await served).toContain('<div id="app" data-first-frame inert aria-busy="true">');
      expect(await other.locator('#app').evaluate((el) => ['data-first-frame', 'inert', 'aria-busy'].filter((a) => el.hasAttribute(a)))).toEqual([]);
    } finally {
      await other.close();
    }
  });
});
