/**
 * End to end: what `npm run demo` shows. The preview with its live workload, in Chromium: jobs of
 * all three sources appear and keep changing state without anyone touching the page.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPreview, type Preview } from '../preview/start-preview';
import { assertBrowserReady, launchChromium, saveShot, SKIP_BROWSER_TESTS } from './helpers';

let preview: Preview;
let context: BrowserContext;
let profile: string;

describe.skipIf(SKIP_BROWSER_TESTS)('demo workload in the browser', () => {
  beforeAll(async () => {
    assertBrowserReady();
    preview = await startPreview({ workload: { seed: 5, speed: 4, outageEveryTicks: 0 } });
    profile = mkdtempSync(join(tmpdir(), 'pqm-chromium-'));
    context = await launchChromium(profile);
  });
  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await preview?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('shows jobs of all three sources that keep moving', async () => {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(preview.url);
    await page.getByRole('radio', { name: 'All' }).click();
    const rows = page.getByTestId('job-row');
    const snapshot = () => rows.evaluateAll((els) => els.map((e) => `${e.getAttribute('data-key')}=${e.getAttribute('data-state')}`));
    await expect.poll(async () => new Set((await snapshot()).map((s) => s.split(':')[0])).size, { timeout: 10_000 }).toBe(3);
    const first = new Set(await snapshot());
    // Within a few seconds of workload, some row has changed state or a new job has arrived.
    await expect.poll(async () => (await snapshot()).filter((s) => !first.has(s)).length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(preview.workload!.ticks).toBeGreaterThan(0);
    await saveShot(page, 'demo');
  });
});
