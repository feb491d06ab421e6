/**
 * The History view in real Chromium over 5,000 stored finished jobs: from the click that opens it
 * to its charts drawn, and a change of period.
 *
 * The built renderer (out/renderer) is served by the real web transport; the bridge behind it
 * answers the queue with a few jobs and `queryHistory` with 5,000 finished jobs spread over 30
 * days (completed, failed and canceled on several printers of three sources, with the reasons and
 * timelines the sources record), filtered by `since` and `limit` and without timelines when asked,
 * as the app's core answers; then the same 5,000 jobs within 7 days, all of them in the period the
 * view opens on. The page is instrumented before any of its own code runs: the click
 * notes its time and an animation-frame check finds the first frame in which
 * `[data-testid="history-ready"]` (set by the view once its charts are drawn) is in the DOM, timed
 * once that frame is drawn (FRAME_DRAWN); the harness waits for the page to call back, it never
 * polls the page while it works.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import type { HistoryEntry, Job, SourceHealth, TimelineEntry } from '../preload/contract/model';
import { Settings, noCapabilities } from '../preload/contract/model';
import { snapshotAnswer } from '../preload/contract/queue-view';
import { startWebTransport } from '../main/web/server';
import { createFakeCore } from '../test/unit/web/fake-core';
import { AFTER_FRAME_SCRIPT, FRAME_DRAWN, launchChromium } from './chromium';
import { median } from './harness';
import { syntheticJobs } from './queue-server';
import type { BenchFigure } from './types';

const ENTRIES = 5_000;
const DAYS = 30;
/** Opens of the view measured, each in a fresh page (median reported). */
const LOADS = 7;
/** Period changes measured (7 days -> 30 days, each from a view showing 7 days). */
const CHANGES = 7;
/** Opens measured with every job in the first period shown. */
const WEEK_LOADS = 5;
const TARGET_MS = 300;

const SOURCES = [
  { id: 'local', kind: 'scriptx' as const, printers: ['Office LaserJet', 'Front desk', 'Label printer'] },
  { id: 'up', kind: 'graph' as const, printers: ['Floor 2 Color', 'Floor 3 Mono', 'Finance MFP', 'Reception'] },
  { id: 'ipp', kind: 'ipp' as const, printers: ['Warehouse', 'Plotter'] },
];
const REASONS = ['Paper jam', 'Out of paper', 'Toner empty', 'The printer is offline', 'The document could not be converted', null];

/** Finished jobs over the last `days` days, newest first as the store keeps them, each with its timeline. */
export function syntheticHistory(count: number, days: number, now = Date.now()): HistoryEntry[] {
  // The oldest ten minutes inside the period: the view asks later, its own clock having moved on.
  const span = days * 24 * 3600_000 - 600_000;
  return Array.from({ length: count }, (_, i) => {
    const src = SOURCES[i % SOURCES.length]!;
    const printer = src.printers[(i * 7) % src.printers.length]!;
    const roll = (i * 7919) % 100;
    const state: Job['state'] = roll < 78 ? 'completed' : roll < 92 ? 'failed' : 'canceled';
    const finished = now - Math.floor(((i + 0.5) / count) * span);
    const took = 8_000 + ((i * 104_729) % 240_000);
    const created = new Date(finished - took).toISOString();
    const finishedAt = new Date(finished).toISOString();
    const reason = state === 'failed' ? REASONS[(i * 31) % REASONS.length]! : null;
    const raw = src.kind === 'scriptx' ? { queued: '2 Queued', printing: '8 PrintingPdf', completed: '6 Completed', failed: '5 Error', canceled: '4 Abandoned' } : { queued: 'pending', printing: 'processing', completed: 'completed', failed: 'aborted', canceled: 'canceled' };
    const step = (f: number, s: TimelineEntry['state'], detail: string | null): TimelineEntry => ({ at: new Date(finished - took * f).toISOString(), state: s, rawState: raw[s as keyof typeof raw] ?? s, detail });
    const timeline: TimelineEntry[] = [
      step(1, 'queued', 'Received by the service'),
      step(0.8, 'processing', 'Converting the document to PDF'),
      step(0.6, 'printing', `Sent to ${printer}`),
      step(0.3, 'printing', `Printing page ${1 + (i % 9)} of ${2 + (i % 12)}`),
      step(0, state, state === 'failed' ? reason : state === 'canceled' ? 'Canceled by the owner' : 'Printed'),
    ];
    const job: Job = {
      ...syntheticJobs(1, finished)[0]!,
      key: `${src.id}:history-${i}`,
      sourceId: src.id,
      sourceKind: src.kind,
      nativeId: `history-${i}`,
      state,
      rawState: raw[state as keyof typeof raw] ?? state,
      detail: null,
      reason,
      document: `Report ${i}.pdf`,
      owner: `user${i % 23}@contoso.example`,
      printer,
      mine: i % 5 === 0,
      createdAt: created,
      updatedAt: finishedAt,
      lastSeenAt: finishedAt,
      progress: null,
      cancel: { allowed: false, reason: 'The job has finished.' },
      pages: 2 + (i % 12),
      pagesPrinted: state === 'completed' ? 2 + (i % 12) : 0,
    };
    return { finishedAt, job, timeline };
  });
}

/** Runs in the page before its own code: a click on the History summary to the first frame drawn with the view ready. */
const INSTRUMENT = `
(() => {
  const b = (window.__bench = { t0: null, gone: false, results: [] });
  const marker = () => document.querySelector('[data-testid="history-ready"]');
  // A period change first takes the marker away (the new period is being read); a mutation
  // observer sees that even when the marker comes back before the next frame.
  new MutationObserver(() => {
    if (b.gone && !marker()) b.gone = false;
  }).observe(document, { childList: true, subtree: true });
${AFTER_FRAME_SCRIPT}
  const check = () => {
    if (b.t0 !== null && !b.gone && marker()) {
      const { t0 } = b;
      b.t0 = null;
      afterFrame((t) => {
        b.results.push(t - t0);
        window.__pqmBenchHistory();
      });
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
  window.__pqmBenchOpen = () => {
    const summary = document.querySelector('[data-testid="history-section"] > summary');
    if (!summary) throw new Error('no History summary');
    b.t0 = performance.now();
    summary.click();
  };
  window.__pqmBenchRange = (value) => {
    const select = document.querySelector('[data-testid="history-range"]');
    const ready = document.querySelector('[data-testid="history-ready"]');
    if (!select || !ready) throw new Error('the History view is not ready');
    b.gone = true;
    b.t0 = performance.now();
    select.value = value;
    select.dispatchEvent(new Event('change', { bubbles: true }));
  };
})();
`;

interface Served {
  url: string;
  queries: { since?: string; limit?: number; timelines?: boolean }[];
  /** How many entries each query answered. */
  answered: number[];
  close(): Promise<void>;
}

async function serveHistory(rendererDir: string, entries: HistoryEntry[]): Promise<Served> {
  const jobs = syntheticJobs(20);
  const at = new Date().toISOString();
  const health: SourceHealth[] = SOURCES.map((s) => ({ id: s.id, kind: s.kind, name: s.id, capabilities: noCapabilities(), status: 'ok', message: 'Connected.', lastSuccessAt: at, lastErrorAt: null }));
  const settings = Settings.parse({ version: 1, sources: [{ id: 'local', kind: 'scriptx' }], ui: { view: 'all' } });
  const queries: Served['queries'] = [];
  const answered: number[] = [];
  const core = createFakeCore({
    getSnapshot: async ({ first }) => snapshotAnswer({ jobs, sources: health, paused: null }, settings.ui, first),
    getSettings: async () => ({ settings, problems: [], secrets: [], configPath: '/bench/settings.json' }),
    // As the core answers (main/core/app-core.ts): newest first, from `since`, at most `limit`, timelines unless refused.
    queryHistory: async (q) => {
      queries.push(q);
      const since = q.since === undefined ? -Infinity : Date.parse(q.since);
      const kept = entries.filter((e) => Date.parse(e.finishedAt) >= since).slice(0, q.limit ?? Infinity);
      answered.push(kept.length);
      return q.timelines === false ? kept.map((e) => ({ ...e, timeline: [] })) : kept;
    },
  });
  const transport = await startWebTransport({ core, rendererDir, port: 0 });
  return { url: transport.url, queries, answered, close: () => transport.close() };
}

/** A fresh page (its own context: no cached chunk) with the queue shown, instrumented. */
async function freshQueue(browser: Browser, url: string): Promise<{ page: Page; next: () => Promise<void>; close: () => Promise<void> }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await page.addInitScript({ content: INSTRUMENT });
  let waiting: (() => void) | null = null;
  await page.exposeFunction('__pqmBenchHistory', () => waiting?.());
  await page.goto(url);
  await page.waitForSelector('[data-testid="job-row"]', { timeout: 60_000 });
  // The queue's own start-up settled (its whole snapshot in) before the History view is opened.
  await page.waitForLoadState('networkidle');
  const next = () => new Promise<void>((r) => (waiting = r));
  return { page, next, close: () => context.close() };
}

async function measured(page: Page, next: () => Promise<void>, act: string, arg?: string): Promise<void> {
  const done = next();
  await page.evaluate(([fn, a]) => (window as unknown as Record<string, (x?: string) => void>)[fn!]!(a), [act, arg] as const);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('The History view was not ready within 60 s.')), 60_000)));
  await Promise.race([done, late]).finally(() => clearTimeout(timer));
}

/**
 * Opens of the view, each in a fresh page, and (in the first `changes` of them) a change from 7 to
 * 30 days; with how many entries the view read for each.
 */
async function measure(browser: Browser, served: Served, loads: number, changes: number) {
  const out = { opens: [] as number[], changes: [] as number[], readOpen: 0, readChange: 0 };
  for (let n = 0; n < Math.max(loads, changes); n++) {
    const { page, next, close } = await freshQueue(browser, served.url);
    if (n < loads) {
      await measured(page, next, '__pqmBenchOpen');
      out.readOpen = served.answered.at(-1)!;
    } else {
      await page.evaluate(() => (document.querySelector('[data-testid="history-section"] > summary') as HTMLElement).click());
      await page.waitForSelector('[data-testid="history-ready"]', { state: 'attached', timeout: 60_000 });
    }
    if (n < changes) {
      await page.selectOption('[data-testid="history-range"]', '7d');
      await page.waitForSelector('[data-testid="history-ready"]', { state: 'attached', timeout: 60_000 });
      await measured(page, next, '__pqmBenchRange', '30d');
      out.readChange = served.answered.at(-1)!;
    }
    const results = await page.evaluate(() => (window as unknown as { __bench: { results: number[] } }).__bench.results);
    if (n < loads) out.opens.push(results[0]!);
    if (n < changes) out.changes.push(results.at(-1)!);
    await close();
  }
  return out;
}

export async function runHistoryBench(): Promise<BenchFigure[]> {
  const rendererDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'renderer');
  if (!existsSync(join(rendererDir, 'index.html'))) throw new Error('out/renderer is missing: run `npm run build` first.');
  const browser = await launchChromium();
  const jobs = ENTRIES.toLocaleString('en');
  const spread = (xs: number[]) => `fastest ${Math.min(...xs).toFixed(0)} ms, slowest ${Math.max(...xs).toFixed(0)} ms`;
  const describe = (served: Served, entries: HistoryEntry[], days: number) => {
    const asked = served.queries.at(-1) ?? {};
    return `Debian Chromium ${browser.version()} headless, the built window over the web transport, ${jobs} finished jobs over ${days} days in the history (${(Buffer.byteLength(JSON.stringify(entries)) / 2 ** 20).toFixed(1)} MB with their timelines; the view asks ${JSON.stringify({ ...asked, since: asked.since ? '<period start>' : undefined })}); ${FRAME_DRAWN}`;
  };
  const opened = (read: number) => `from the click on History (the view's code not yet loaded) to the first frame drawn in which the view marks its charts drawn (its code loaded, the default 7 days read: ${read.toLocaleString('en')} jobs, aggregated, the charts and the job list drawn)`;
  const figures: BenchFigure[] = [];
  try {
    const month = syntheticHistory(ENTRIES, DAYS);
    const served = await serveHistory(rendererDir, month);
    try {
      const m = await measure(browser, served, LOADS, CHANGES);
      const method = describe(served, month, DAYS);
      const open = median(m.opens);
      figures.push(
        { group: 'renderer', name: `history view ready, ${jobs} history jobs`, value: open, unit: 'ms', target: `≤ ${TARGET_MS} ms`, met: open <= TARGET_MS, method: `${method}; ${opened(m.readOpen)}; median of ${LOADS} opens, each in a fresh page of a started browser with the queue already shown (${spread(m.opens)})` },
        { group: 'renderer', name: `history period change, ${jobs} history jobs`, value: median(m.changes), unit: 'ms', target: null, met: null, method: `${method}; from choosing 30 days in a view showing 7 days to the first frame drawn in which the view marks the 30 days' charts drawn (${m.readChange.toLocaleString('en')} jobs read); median of ${CHANGES}, each in a fresh page (${spread(m.changes)})` },
      );
    } finally {
      await served.close();
    }
    // The same opens with every one of the jobs in the period the view opens on.
    const week = syntheticHistory(ENTRIES, 7);
    const busy = await serveHistory(rendererDir, week);
    try {
      const w = await measure(browser, busy, WEEK_LOADS, 0);
      figures.push({ group: 'renderer', name: `history view ready, ${jobs} history jobs in its first 7 days`, value: median(w.opens), unit: 'ms', target: null, met: null, method: `${describe(busy, week, 7)}; ${opened(w.readOpen)}; median of ${WEEK_LOADS} opens, each in a fresh page (${spread(w.opens)})` });
    } finally {
      await busy.close();
    }
    return figures;
  } finally {
    await browser.close().catch(() => undefined);
  }
}
