/**
 * The History view in real Chromium through the preview, over the history the demo workload writes
 * as its jobs finish: the charts are drawn (uPlot on a canvas, under the window's CSP), choosing a
 * bar lists exactly its jobs, the table alternative shows the same numbers, and axe finds nothing
 * in light and dark, charts and tables.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { HistoryEntry } from '../../preload/contract/model';
import { join } from 'node:path';
import { createHistoryStore, HISTORY_FILE_NAME } from '../../main/state/history';
import { makeJob } from '../helpers/fake-bridge';
import { axeViolations, openPreview, saveShot, SKIP_BROWSER_TESTS, type BrowserRun } from './helpers';

/** The meta CSP's frame-ancestors directive is reported by Chromium (see layout.e2e.test.ts). */
const KNOWN_SHELL_MESSAGE = /frame-ancestors/;

let run: BrowserRun;
let page: Page;
const errors: string[] = [];
const requested: string[] = [];
let beforeOpen: string[] = [];

async function history(): Promise<HistoryEntry[]> {
  return run.preview.core.handlers.queryHistory({}) as Promise<HistoryEntry[]>;
}

async function expectNoAxeFindings(): Promise<void> {
  const found = await axeViolations(page);
  expect(found, JSON.stringify(found, null, 2)).toEqual([]);
}

/** Text of every cell of a table's body rows. */
function tableCells(testId: string): Promise<string[][]> {
  return page.getByTestId(testId).locator('tbody tr').evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => (c.textContent ?? '').trim())));
}

const numberOf = (text: string) => Number(text.replace(/[^\d]/g, ''));

async function listedOutcomes(): Promise<string[]> {
  return page.getByTestId('history-row').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.outcome ?? ''));
}

/** The jobs chart's canvas pixels that are not blank. */
async function paintedPixels(): Promise<number> {
  return page.getByTestId('history-jobs-chart').locator('canvas').evaluate((c) => {
    const canvas = c as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
    return n;
  });
}

async function openHistory(): Promise<void> {
  await page.getByTestId('history-section').locator('summary').click();
  await page.getByTestId('history-ready').waitFor({ state: 'attached', timeout: 15_000 });
}

describe.skipIf(SKIP_BROWSER_TESTS)('the History view', () => {
  beforeAll(async () => {
    run = await openPreview({ workload: { seed: 5, speed: 8, outageEveryTicks: 0 } });
    page = run.page;
    page.on('console', (m) => {
      if (m.type() === 'error' && !KNOWN_SHELL_MESSAGE.test(m.text())) errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    // The demo's opening jobs complete, fail and get canceled by someone else: wait until the
    // history holds each outcome, then stop the story so the numbers hold still.
    for (;;) {
      const states = new Set<string>((await history()).map((e) => e.job.state));
      if (['completed', 'failed', 'canceled'].every((st) => states.has(st))) break;
      // Checked again after the next job change the app publishes.
      await new Promise<void>((resolve) => {
        const off = run.preview.core.on('jobs:patch', () => {
          off();
          resolve();
        });
      });
    }
    await run.preview.workload!.stop();
    page.on('request', (r) => requested.push(new URL(r.url()).pathname));
    await page.goto(run.preview.url);
    await page.getByRole('button', { name: 'Sources', exact: true }).waitFor({ timeout: 10_000 });
    await page.getByTestId('job-row').first().waitFor({ timeout: 10_000 });
    // The queue starts without the view or its chart library.
    beforeOpen = requested.filter((u) => /HistoryView/.test(u));
    await openHistory();

  }, 90_000);

  afterAll(async () => {
    await run?.close();
  });

  it('draws the charts from the stored history, without a CSP or console error', async () => {
    // The canvas holds drawn bars (not only a blank plot).
    expect(await paintedPixels()).toBeGreaterThan(100);
    expect(beforeOpen).toEqual([]);
    expect(requested.filter((u) => /HistoryView.*\.js$/.test(u)).length).toBe(1);
    const totals = (await page.getByTestId('history-totals').textContent()) ?? '';
    expect(totals).toMatch(/^\d+ completed · \d+ failed · \d+ canceled/);
    const counts = [...totals.matchAll(/(\d+) /g)].map((m) => Number(m[1]));
    expect(counts.every((n) => n > 0)).toBe(true);
    // The list under the charts holds every finished job of the period when no bar is chosen.
    const all = counts.reduce((a, b) => a + b, 0);
    expect(numberOf((await page.getByTestId('history-list-heading').textContent()) ?? '')).toBe(all);
    expect((await listedOutcomes()).length).toBe(Math.min(100, all));
    expect(await page.getByTestId('history-failures-printer').getByTestId('history-bar').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('history-time-to-print').getByTestId('history-bar').count()).toBeGreaterThan(0);
    await saveShot(page, 'history', page.getByTestId('history-section'));
    expect(errors).toEqual([]);
  });

  it('choosing a failures-by-printer bar lists exactly those failed jobs; again shows all', async () => {
    const bar = page.getByTestId('history-failures-printer').getByTestId('history-bar').first();
    const count = numberOf((await bar.locator('.history-bar-value').textContent()) ?? '');
    const printer = (await bar.locator('.history-bar-label').textContent())?.trim();
    await bar.click();
    await expect.poll(() => bar.getAttribute('aria-pressed')).toBe('true');
    expect(await listedOutcomes()).toEqual(Array.from({ length: count }, () => 'failed'));
    expect(await page.getByTestId('history-list-heading').textContent()).toContain(`Failed on ${printer}`);
    await bar.click();
    await expect.poll(() => bar.getAttribute('aria-pressed')).toBe('false');
    expect(numberOf((await page.getByTestId('history-list-heading').textContent()) ?? '')).toBeGreaterThan(count);
    expect((await listedOutcomes()).length).toBeGreaterThan(count);
  });

  it('the table alternative shows the same numbers as the charts', async () => {
    const barsOf = (testId: string) =>
      page.getByTestId(testId).getByTestId('history-bar').evaluateAll((bars) => bars.map((b) => [b.querySelector('.history-bar-label')!.textContent!.trim(), b.querySelector('.history-bar-value')!.textContent!.trim()]));
    const byPrinter = await barsOf('history-failures-printer');
    const byReason = await barsOf('history-failures-reason');
    const times = await barsOf('history-time-to-print');
    const totals = (await page.getByTestId('history-totals').textContent()) ?? '';
    await page.getByTestId('history-tables-toggle').click();
    await page.getByTestId('history-tables').waitFor();
    expect(await tableCells('history-table-printers')).toEqual(byPrinter);
    expect(await tableCells('history-table-reasons')).toEqual(byReason);
    expect((await tableCells('history-table-times')).map((r) => [r[0], `p50 ${r[2]} · p95 ${r[3]}`])).toEqual(times);
    // The buckets' rows add up to the period's totals, outcome by outcome.
    const rows = await tableCells('history-table-jobs');
    const sum = (col: number) => rows.reduce((n, r) => n + numberOf(r[col]!), 0);
    expect(totals).toContain(`${sum(1)} completed · ${sum(2)} failed · ${sum(3)} canceled`);
    for (const r of rows) expect(numberOf(r[5]!)).toBe(numberOf(r[1]!) + numberOf(r[2]!) + numberOf(r[3]!) + numberOf(r[4]!));
    await expectNoAxeFindings();
  });

  it('choosing a bar of the jobs chart lists that hour\'s jobs of the outcome under the pointer', async () => {
    // The table says which hours hold jobs; the chart is back, and the lowest segment of that bar is clicked.
    const row = page.getByTestId('history-table-jobs').locator('tbody tr').last();
    const index = Number(await row.getAttribute('data-index'));
    const counts = (await row.locator('td').allTextContents()).map(numberOf);
    const outcomes = ['completed', 'failed', 'canceled', 'other'];
    const expected = outcomes.findIndex((_, i) => counts[i]! > 0);
    await page.getByTestId('history-tables-toggle').click();
    const chart = page.getByTestId('history-jobs-chart');
    await chart.locator('canvas').waitFor();
    const n = Number(await chart.getAttribute('data-buckets'));
    const over = (await chart.locator('.u-over').boundingBox())!;
    await page.mouse.move(over.x + ((index + 0.5) * over.width) / n, over.y + over.height - 1);
    await page.mouse.down();
    await page.mouse.up();
    await expect.poll(listedOutcomes).toEqual(Array.from({ length: counts[expected]! }, () => outcomes[expected]));
    // The count of them, "1 job" or "N jobs".
    const listed = counts[expected]!;
    expect(await page.getByTestId('history-list-heading').textContent()).toMatch(new RegExp(`^\\s*\\w[\\w ]*, .+: ${listed} ${listed === 1 ? 'job' : 'jobs'}(?!\\w)`));
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`axe finds nothing with the charts and with the tables (${scheme})`, async () => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.getByTestId('history-jobs-chart').locator('canvas').waitFor();
      await expectNoAxeFindings();
      await page.getByTestId('history-tables-toggle').click();
      await page.getByTestId('history-tables').waitFor();
      await expectNoAxeFindings();
      await page.getByTestId('history-tables-toggle').click();
      if (scheme === 'dark') await saveShot(page, 'history-dark', page.getByTestId('history-section'));
      expect(errors).toEqual([]);
    });
  }

  it('another period is drawn into the chart that is there (made once, its data set anew)', async () => {
    const chart = page.getByTestId('history-jobs-chart');
    type Marked = HTMLCanvasElement & { pqmFirst?: true };
    await chart.locator('canvas').evaluate((c) => ((c as Marked).pqmFirst = true));
    const before = Number(await chart.getAttribute('data-buckets'));
    await page.getByTestId('history-range').selectOption('30d');
    // 30 days are drawn by day: 31 bars, where 7 days were 169 hours.
    await expect.poll(async () => Number(await chart.getAttribute('data-buckets'))).toBeLessThan(33);
    expect(before).toBeGreaterThan(100);
    await page.getByTestId('history-ready').waitFor({ state: 'attached', timeout: 15_000 });
    expect(await page.getByTestId('history-bucket').inputValue()).toBe('day');
    expect(await chart.locator('canvas').evaluate((c) => (c as Marked).pqmFirst === true)).toBe(true);
    expect(await page.locator('[data-testid="history-jobs-chart"] canvas').count()).toBe(1);
    expect(await paintedPixels()).toBeGreaterThan(100);
    expect(errors).toEqual([]);
  });

  it('a 200-character document name, an e-mail address and a \\\\server\\share printer without spaces wrap in their cells: the list is never wider than the view', async () => {
    const name = `${'Quarterly_report_for_the_regional_office_'.repeat(5)}`.slice(0, 196) + '.pdf';
    expect(name).toHaveLength(200);
    const owner = 'annemarie.vandenberghe-oosterhuis.finance-and-administration@regional-office.example.org';
    const printer = '\\\\print-server-regional-office-building-3.example.org\\Floor_3_Colour_Duplex_A3_Finance_and_Administration';
    // Recorded as another process would (pqm records beside the app), then read by Refresh.
    const store = createHistoryStore(join(run.preview.dataDir, HISTORY_FILE_NAME));
    const finishedAt = new Date().toISOString();
    store.record({ finishedAt, job: makeJob({ key: 'local:long-name', document: name, owner, printer, state: 'completed', createdAt: finishedAt, updatedAt: finishedAt }), timeline: [] });
    await store.flush();
    await page.getByTestId('history-view').getByRole('button', { name: 'Refresh', exact: true }).click();
    const row = page.locator('[data-testid="history-row"][data-key="local:long-name"]');
    await row.waitFor({ timeout: 15_000 });
    const sizes = await page.getByTestId('history-view').evaluate((view) => {
      const table = view.querySelector('[data-testid="history-list"] table')!;
      const cells = view.querySelectorAll('[data-testid="history-row"][data-key="local:long-name"] td');
      const cellSizes = (cell: Element) => ({
        overflow: cell.scrollWidth - cell.clientWidth,
        // The lines of its own text (a row is as tall as its tallest cell).
        lines: (() => {
          const range = document.createRange();
          range.selectNodeContents(cell);
          return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
        })(),
        text: cell.textContent,
      });
      return {
        view: view.getBoundingClientRect().width,
        table: table.getBoundingClientRect().width,
        viewScroll: view.scrollWidth - view.clientWidth,
        pageScroll: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        doc: cellSizes(cells[0]!),
        owner: cellSizes(cells[1]!),
        printer: cellSizes(cells[4]!),
      };
    });
    expect([sizes.doc.text, sizes.owner.text, sizes.printer.text]).toEqual([name, owner, printer]);
    expect(sizes.table, JSON.stringify(sizes)).toBeLessThanOrEqual(sizes.view);
    expect(sizes.viewScroll, JSON.stringify(sizes)).toBeLessThanOrEqual(0);
    expect(sizes.pageScroll, JSON.stringify(sizes)).toBeLessThanOrEqual(0);
    // Each is shown whole, over several lines, none of it cut off.
    for (const cell of [sizes.doc, sizes.owner, sizes.printer]) {
      expect(cell.overflow, JSON.stringify(sizes)).toBeLessThanOrEqual(0);
      expect(cell.lines, JSON.stringify(sizes)).toBeGreaterThan(1);
    }
    await row.scrollIntoViewIfNeeded();
    await saveShot(page, 'history-long-name', row);
    expect(errors).toEqual([]);
  });
});
