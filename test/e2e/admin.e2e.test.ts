/**
 * The admin's view in real Chromium through the preview, against the simulators: the printers of
 * the simulated IPP print server with their states and reasons (a paused one says so, and its "Show
 * jobs" opens its queue from the keyboard), the outage banner when a service stops answering, and
 * the summary strip's counts as filters; axe clean.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { WORKLOAD_IPP_SOURCE_ID, WORKLOAD_IPP_USER } from '../simulators/workload';
import { axeViolations, openPreview, SKIP_BROWSER_TESTS, type BrowserRun } from './helpers';

let run: BrowserRun;
let page: Page;

describe.skipIf(SKIP_BROWSER_TESTS)('printers, outages and the summary strip', () => {
  beforeAll(async () => {
    run = await openPreview({ printServer: true });
    page = run.page;
    await page.goto(run.preview.url);
    await page.getByTestId('job-row').first().waitFor({ timeout: 10_000 });
  });

  afterAll(async () => {
    await run?.close();
  });

  it('lists the print server\'s printers with plain states and the server\'s reasons', async () => {
    const view = page.getByTestId('printers-view');
    await view.locator('summary').click();
    const stopped = view.locator(`[data-testid="printer-row"][data-key^="${WORKLOAD_IPP_SOURCE_ID}:"]`).filter({ has: page.getByTestId('printer-state').getByText('Stopped', { exact: true }) });
    await expect.poll(() => stopped.count()).toBe(1);
    expect((await stopped.getByTestId('printer-reasons').textContent())?.trim()).not.toBe('');
    const ready = view.locator(`[data-testid="printer-row"][data-key^="${WORKLOAD_IPP_SOURCE_ID}:"]`).filter({ has: page.getByTestId('printer-state').getByText('Ready', { exact: true }) });
    await expect.poll(() => ready.count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await view.locator('summary').click();
  });

  it('a printer someone paused says Paused; its "Show jobs", pressed from the keyboard, shows its queue', async () => {
    const ipp = run.preview.sims!.ipp;
    ipp.addPrinter({ name: 'paused-one', info: 'Paused one', state: 5, reasons: ['paused'] });
    const job = ipp.addJob({ printer: 'paused-one', name: 'Waits for resume.pdf', user: WORKLOAD_IPP_USER, state: 3, impressions: 1 });
    const view = page.getByTestId('printers-view');
    await view.locator('summary').click();
    const row = view.locator(`[data-testid="printer-row"][data-key="${WORKLOAD_IPP_SOURCE_ID}:paused-one"]`);
    await expect.poll(() => row.getByTestId('printer-state').textContent(), { timeout: 15_000 }).toBe('Paused');
    expect(await axeViolations(page)).toEqual([]);
    const show = row.getByRole('button', { name: 'Show jobs on Paused one' });
    await show.focus();
    await page.keyboard.press('Enter');
    const key = `${WORKLOAD_IPP_SOURCE_ID}:paused-one/${job.id}`;
    await expect.poll(() => page.getByTestId('job-row').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.key))).toEqual([key]);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => page.getByTestId('job-row').count()).toBeGreaterThan(1);
    await view.locator('summary').click();
  });

  it('a summary count filters the queue to those jobs, and again shows everything', async () => {
    const strip = page.getByTestId('summary-strip');
    const first = strip.getByRole('button').first();
    const state = await first.getAttribute('data-summary');
    await first.click();
    await expect.poll(() => first.getAttribute('aria-pressed')).toBe('true');
    const states = await page.getByTestId('job-row').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.state));
    if (state !== 'stuck') expect(new Set(states)).toEqual(new Set([state]));
    await first.click();
    await expect.poll(() => first.getAttribute('aria-pressed')).toBe('false');
  });

  it('a service that stops answering is a banner naming it, what failed and what to do', async () => {
    await run.preview.sims!.scriptx.setFault({ type: 'refuse' });
    try {
      const banner = page.getByTestId('outage-banner');
      await banner.waitFor({ timeout: 15_000 });
      expect(await banner.textContent()).toMatch(/cannot be reached.*What failed: .+Check the connection/s);
      expect(await axeViolations(page)).toEqual([]);
    } finally {
      await run.preview.sims!.scriptx.setFault(null);
    }
    await page.getByTestId('outage-banner').waitFor({ state: 'detached', timeout: 15_000 });
  });
});
