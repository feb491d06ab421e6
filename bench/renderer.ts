/**
 * The queue window in real Chromium with 10,000 and 50,000 jobs: first rows, whole queue ready,
 * sort and filter changes, patch-to-paint, JS heap.
 *
 * The built renderer (out/renderer) is served by the real web transport; the bridge behind it
 * answers with 10,000 jobs and then pushes single-job patches, as the engine does. The page is
 * instrumented before any of its own code runs. A frame counts once it is drawn (FRAME_DRAWN):
 * - first rows: navigation start to the first frame drawn with job rows in it, the median of
 *   several cold loads, each in a fresh browser that has finished its own start-up; beside it, its
 *   floors: the window's page as the app serves it, without its scripts, loaded the same way (staticFrame), and a page
 *   of one line of text without stylesheet or script, this browser's own (bareFrame), and the same
 *   line with its time formatted in the user's locale by one script (intlFrame: a page's first use
 *   of Intl loads the locale data, which the window's rows need too);
 * - whole queue ready: navigation start to the first frame drawn answering a filter set as soon as
 *   the grid holds every job (all of them received and the grid working over all of them);
 * - sort or filter change: a click or keystroke to the first frame drawn whose first row is the answer;
 * - patch-to-paint: a `jobs:patch` message arriving on the WebSocket to the first frame drawn in
 *   which the changed row shows the new value (200 patches, one at a time); beside it, the part of
 *   it spent waiting for that frame to begin (frames come at the display's rate);
 * - JS heap: used heap after a forced garbage collection (Chrome DevTools Protocol).
 * The changes, the patches and the heap are measured on three windows, one after another, each
 * loaded afresh; each figure is the median of the three.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { Job } from '../preload/contract/model';
import { serveQueue, type ServedQueue as Served } from './queue-server';
import type { BenchFigure } from './types';
import type { Browser, Page } from 'playwright-core';
import { AFTER_FRAME_SCRIPT, FRAME_DRAWN, launchChromium } from './chromium';
import { median, percentile } from './harness';
import { seededRandom } from '../test/helpers/seeded-random';

const JOBS = 10_000;
const PATCHES = 200;
/** Sort and filter changes measured over the whole queue. */
const CHANGES = 40;
const BIG_JOBS = 50_000;
/**
 * Cold loads of the window measured for the first render, at 10k and at 50k jobs (median reported):
 * one load's figure moves by tens of milliseconds with the machine, the median of 7 far less.
 */
const LOADS = 7;
/** Time a freshly launched Chromium is given to finish its own start-up before the window loads. */
const BROWSER_SETTLE_MS = 1500;
/** How a page's cold loads are made, said in the method of each figure timed on them. */
const COLD_LOADS = `median of ${LOADS} cold loads, each in a fresh browser given ${BROWSER_SETTLE_MS / 1000} s to finish starting`;
/** The window's cold loads (coldLoads): each also as the first window after the app starts. */
const WINDOW_LOADS = `${COLD_LOADS} and against a server holding nothing prepared for an earlier load`;
/** The fastest and slowest of a figure's loads, said beside its median. */
const spread = (xs: number[]): string => `fastest ${Math.min(...xs).toFixed(0)} ms, slowest ${Math.max(...xs).toFixed(0)} ms`;
/** Windows the changes, patches and heap are measured on (median reported). */
const REPEATS = 3;

/** Runs in the page before its own code: records first rows and patch arrival-to-frame times. */
const INSTRUMENT = `
(() => {
  const b = (window.__bench = { rowsSeen: false, firstRows: null, wholeSeen: false, wholeReady: null, filterSetAt: null, change: null, changes: [], pending: [], results: [], waits: [], frameCounts: [], frameGaps: [] });
  let frameAt = null;
  const firstKey = () => document.querySelector('[data-testid="job-row"]')?.getAttribute('data-key') ?? null;
  const rowBoxes = () => JSON.stringify([...document.querySelectorAll('[data-testid="job-row"]')].map((r) => { const x = r.getBoundingClientRect(); return [r.textContent, Math.round(x.left), Math.round(x.top), Math.round(x.width), Math.round(x.height)]; }));
  window.__pqmBenchRowBoxes = rowBoxes;
  // A frame is timed once drawn (FRAME_DRAWN).
${AFTER_FRAME_SCRIPT}  const check = () => {
    // When this frame's rendering began on the page's main thread (its animation-frame callbacks
    // run first), and how long after the one before.
    const at = performance.now();
    if (frameAt !== null && b.pending.length) b.frameGaps.push(at - frameAt);
    frameAt = at;
    if (!b.rowsSeen && document.querySelector('[data-testid="job-row"]')) {
      b.rowsSeen = true;
      // The rows about to be drawn, where they are (staticFrame compares its page's with them):
      // asked for in a load of its own, never in a timed one (it takes the page's main thread).
      if (window.__pqmBenchCapture) b.frameRows = rowBoxes();
      afterFrame((t) => {
        b.firstRows = t;
        if (typeof window.__pqmBenchRows === 'function') window.__pqmBenchRows();
      });
    }
    // The whole queue is in when the grid holds every job; it then answers a filter over all of
    // them (the search set to the last job's document): the whole queue is ready once the first
    // frame whose first row is that job is drawn.
    const answered = () => {
      if (b.wholeSeen || firstKey() !== window.__pqmBenchLast.key) return;
      b.wholeSeen = true;
      afterFrame((t) => {
        b.wholeReady = t;
        if (typeof window.__pqmBenchReady === 'function') window.__pqmBenchReady();
      });
    };
    if (b.rowsSeen && b.filterSetAt === null) {
      // Every job in the grid (its row count names them all, the header row besides): the count
      // above it says the whole queue's size from the first rows on, the grid only once all are in.
      const grid = document.querySelector('[role="grid"]');
      const search = document.querySelector('input[type="search"]');
      if (grid && grid.getAttribute('aria-rowcount') === String(window.__pqmBenchTotal + 1) && search && !document.querySelector('#app[inert]')) {
        b.filterSetAt = performance.now();
        search.value = window.__pqmBenchLast.document;
        search.dispatchEvent(new Event('input', { bubbles: true }));
        // The input is set from this animation-frame callback: a window that answers it in the
        // microtasks that follow (its render) has the answer in this very frame, drawn after them.
        // Looked at once those have run; otherwise at the next frame, as any other change.
        let hops = 16;
        const look = () => (--hops > 0 ? queueMicrotask(look) : answered());
        queueMicrotask(look);
      }
    } else if (b.filterSetAt !== null) answered();
    // A sort or filter change asked for by the harness: from the click or keystroke to the first
    // frame drawn whose first row is the expected one.
    if (b.change && (b.change.expect !== undefined ? firstKey() === b.change.expect : firstKey() !== b.change.not)) {
      const { t0 } = b.change;
      b.change = null;
      afterFrame((t) => {
        b.changes.push(t - t0);
        if (typeof window.__pqmBenchChanged === 'function') window.__pqmBenchChanged();
      });
    }
    for (let i = b.pending.length - 1; i >= 0; i--) {
      const p = b.pending[i];
      // Frames begun since the patch arrived, this one included.
      p.frames++;
      if (document.body && document.body.textContent.includes(p.text)) {
        b.pending.splice(i, 1);
        // Of the time to the frame drawn, the part spent waiting for that frame to begin.
        b.waits.push(at - p.t0);
        b.frameCounts.push(p.frames);
        afterFrame((t) => b.results.push(t - p.t0));
      }
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
  // The load's phases: the socket made and opened, and the snapshot answers read (their message
  // events dispatched), the first rows' (getSnapshot with "first") and the whole queue's.
  b.phases = { socket: null, open: null, head: null, whole: null };
  const snapshotIds = new Map();
  const Native = window.WebSocket;
  class Instrumented extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      if (b.phases.socket === null) b.phases.socket = performance.now();
      this.addEventListener('open', () => { if (b.phases.open === null) b.phases.open = performance.now(); });
      this.addEventListener('message', (ev) => {
        if (typeof ev.data !== 'string') return;
        const r = /^[{]"type":"response","id":([0-9]+)/.exec(ev.data.slice(0, 48));
        const which = r ? snapshotIds.get(Number(r[1])) : undefined;
        if (which && b.phases[which] === null) b.phases[which] = performance.now();
        if (!ev.data.includes('"jobs:patch"')) return;
        const m = /"owner":"(bench-[0-9]+)"/.exec(ev.data);
        if (m) b.pending.push({ text: m[1], t0: performance.now(), frames: 0 });
      });
    }
    send(data) {
      if (typeof data === 'string' && data.length < 4096 && data.includes('"getSnapshot"')) {
        try {
          const m = JSON.parse(data);
          snapshotIds.set(m.id, m.input && m.input.first !== undefined ? 'head' : 'whole');
        } catch {}
      }
      return super.send(data);
    }
  }
  window.WebSocket = Instrumented;
})();
`;

/** The phases of one load, ms from navigation start (null: not seen). */
interface LoadPhases {
  /** The page itself received (with the first rows the app drew into it). */
  page: number | null;
  /** The window chunk (the rest of the window's code) received. */
  code: number | null;
  socket: number | null;
  open: number | null;
  /** The first rows' answer read (its message event dispatched). */
  head: number | null;
  firstRows: number;
  /** The whole queue's answer read. */
  whole: number | null;
  /** The grid held every job (the filter set). */
  shown: number | null;
  wholeReady: number;
}

/** Where the median load's time went: the median of each phase over the loads. */
function phaseWords(phases: LoadPhases[], which: 'first' | 'whole'): string {
  const med = (k: keyof LoadPhases): string => {
    const xs = phases.map((p) => p[k]).filter((x): x is number => typeof x === 'number');
    return xs.length ? `${median(xs).toFixed(0)} ms` : 'not seen';
  };
  // A page served with its first rows in it does not ask for them.
  const head = phases.some((p) => p.head !== null) ? `; the first rows' answer read ${med('head')}` : '';
  return which === 'first'
    ? `median phases: the page received ${med('page')}; socket made ${med('socket')}, open ${med('open')}; the window's code received ${med('code')}${head}; the frame with the first rows ${med('firstRows')}`
    : `median phases: first rows ${med('firstRows')}; the whole queue's answer read ${med('whole')}; every job in the grid ${med('shown')}; the filter over them answered ${med('wholeReady')}`;
}

/** Cold loads of the window, each in a fresh browser: first rows and whole queue ready (ms). */
async function coldLoads(served: Served, loads: number, browsers: Browser[], opts: { heap?: boolean } = {}): Promise<{ firstRows: number[]; wholeReady: number[]; phases: LoadPhases[]; heapMb: number[]; last: { page: Page; browser: Browser } }> {
  const firstRows: number[] = [];
  const heapMb: number[] = [];
  const wholeReady: number[] = [];
  const phases: LoadPhases[] = [];
  let last!: { page: Page; browser: Browser };
  const lastJob = served.jobs[served.jobs.length - 1]!;
  for (let n = 0; n < loads; n++) {
    // Each load as the first window after the app starts: the server holds no whole-queue answer
    // prepared for an earlier load (any event drops it; this one changes nothing).
    served.emitPatch({ type: 'changed', key: lastJob.key, changes: { owner: lastJob.owner } });
    last = await loadQueueWindow(served.url, served.jobs, browsers);
    const b = await last.page.evaluate(() => {
      const bench = (window as unknown as { __bench: { firstRows: number; wholeReady: number; filterSetAt: number | null; phases: { socket: number | null; open: number | null; head: number | null; whole: number | null } } }).__bench;
      const windowCode = performance.getEntriesByType('resource').find((e) => /\/assets\/window-[^/]+\.js$/.test(e.name)) as PerformanceResourceTiming | undefined;
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
      return { ...bench, code: windowCode ? windowCode.responseEnd : null, page: nav ? nav.responseEnd : null };
    });
    firstRows.push(b.firstRows);
    wholeReady.push(b.wholeReady);
    phases.push({ ...b.phases, page: b.page, code: b.code, firstRows: b.firstRows, shown: b.filterSetAt, wholeReady: b.wholeReady });
    if (opts.heap) heapMb.push(await usedHeapMb(last.page));
    if (n < loads - 1) await last.browser.close();
  }
  return { firstRows, wholeReady, phases, heapMb, last };
}

async function usedHeapMb(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  return heap.usedSize / 2 ** 20;
}

/**
 * Sort and filter changes over the whole queue, from the state the load left (filtered to the last
 * job): the search cleared, the Document column's sort clicked twice, the search set to one job's
 * document; each from the click or keystroke to the first frame whose first row is the answer
 * (for a sort: the first or last document).
 */
async function sortAndFilterChanges(page: Page, jobs: Job[], n: number): Promise<number[]> {
  const firstDoc = jobs[0]!;
  const lastDoc = jobs[jobs.length - 1]!;
  for (let i = 0; i < n; i++) {
    const kind = (['clear', 'sort', 'sort', 'filter'] as const)[i % 4]!;
    let target = jobs[1 + ((i * 7919) % (jobs.length - 2))]!;
    if (target.key === firstDoc.key || target.key === lastDoc.key) target = jobs[1]!;
    await page.evaluate(
      ([what, doc, key, minKey, maxKey]) => {
        const w = window as unknown as { __bench: { change: { t0: number; expect?: string; not?: string } | null } };
        const first = document.querySelector('[data-testid="job-row"]')?.getAttribute('data-key') ?? '';
        const search = document.querySelector('input[type="search"]') as HTMLInputElement | null;
        if (what === 'sort') {
          const header = [...document.querySelectorAll('[role="columnheader"]')].find((e) => (e.textContent ?? '').trim().startsWith('Document'));
          const button = header?.querySelector('button');
          if (!header || !button) throw new Error('no Document column header');
          // Unsorted or descending: ascending next (the first document first); else descending.
          const next = header.getAttribute('aria-sort') === 'ascending' ? maxKey : minKey;
          w.__bench.change = { t0: performance.now(), expect: next };
          button.click();
          return;
        }
        if (!search) throw new Error('no search box');
        w.__bench.change = what === 'filter' ? { t0: performance.now(), expect: key } : { t0: performance.now(), not: first };
        search.value = what === 'filter' ? doc : '';
        search.dispatchEvent(new Event('input', { bubbles: true }));
      },
      [kind, target.document ?? '', target.key, firstDoc.key, lastDoc.key] as const,
    );
    await page.waitForFunction((k) => (window as unknown as { __bench: { changes: number[] } }).__bench.changes.length >= k, i + 1, { timeout: 10_000 });
  }
  // Leave the whole queue shown.
  await page.evaluate(() => {
    const search = document.querySelector('input[type="search"]') as HTMLInputElement | null;
    if (search && search.value !== '') {
      search.value = '';
      search.dispatchEvent(new Event('input', { bubbles: true }));
    }
  });
  return page.evaluate(() => (window as unknown as { __bench: { changes: number[] } }).__bench.changes);
}

/** The longest of the random waits before each patch: one frame at the display's 60 Hz. */
const PATCH_PHASE_MS = 16.7;

/**
 * On one window with the whole queue ready: the sort and filter changes, then the single-job
 * patches, then the heap. Each patch is sent after a seeded random wait of up to a frame
 * (PATCH_PHASE_MS): a service's changes come at any moment of the display's frame cycle, and a
 * patch sent as soon as the last one was seen drawn would always arrive at the same moment of it.
 */
async function changesAndPatches(page: Page, served: Served, seed: number): Promise<{ changes: number[]; results: number[]; waits: number[]; frameCounts: number[]; frameGaps: number[]; heapMb: number }> {
  const changes = await sortAndFilterChanges(page, served.jobs, CHANGES);
  const random = seededRandom(seed);
  for (let i = 0; i < PATCHES; i++) {
    const key = await page.evaluate(() => document.querySelector('[data-testid="job-row"]')?.getAttribute('data-key') ?? null);
    if (!key) throw new Error('no job row is shown');
    await new Promise((r) => setTimeout(r, random() * PATCH_PHASE_MS));
    // The owner: a column the queue is not sorted by, so the row stays where it is.
    served.emitPatch({ type: 'changed', key, changes: { owner: `bench-${i}` } });
    if (process.env.PQM_BENCH_DEBUG) console.log(await page.evaluate(() => JSON.stringify((window as unknown as { __bench: unknown }).__bench)));
    await page.waitForFunction((n) => (window as unknown as { __bench: { results: number[] } }).__bench.results.length >= n, i + 1, { timeout: 10_000 });
  }
  const { results, waits, frameCounts, frameGaps } = await page.evaluate(() => {
    const b = (window as unknown as { __bench: { results: number[]; waits: number[]; frameCounts: number[]; frameGaps: number[] } }).__bench;
    return { results: b.results, waits: b.waits, frameCounts: b.frameCounts, frameGaps: b.frameGaps };
  });
  return { changes, results, waits, frameCounts, frameGaps, heapMb: await usedHeapMb(page) };
}

export async function runRendererBench(): Promise<BenchFigure[]> {
  const rendererDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'renderer');
  if (!existsSync(join(rendererDir, 'index.html'))) throw new Error('out/renderer is missing: run `npm run build` first.');
  const browsers: Browser[] = [];
  const figures: BenchFigure[] = [];
  const served = await serveQueue(rendererDir, JOBS);
  try {
    // Each load in a fresh browser, its own start-up finished first (in the app, Electron has
    // started before the window loads); the figure is the median load, the spread is reported.
    const { firstRows, wholeReady, phases, last } = await coldLoads(served, LOADS, browsers);
    const version = last.browser.version();
    const first = percentile(firstRows, 50);
    const frameOnly = await staticFrame(served, rendererDir, LOADS, browsers);
    const floor = percentile(frameOnly, 50);
    const bareOnly = await bareFrame(served.jobs, LOADS, browsers);
    const bare = percentile(bareOnly, 50);
    const intl = await intlFrame(served.jobs, LOADS, browsers);
    const intlPage = percentile(intl.frames, 50);
    const intlFirstUse = percentile(intl.intlMs, 50);
    const whole = percentile(wholeReady, 50);

    // The changes, the patches and the heap: REPEATS times, each on a window loaded afresh in a
    // browser of its own (the last cold load's, then new ones), one at a time: every window on the
    // server hears every patch, so two open at once would each draw the other's.
    const runs: Awaited<ReturnType<typeof changesAndPatches>>[] = [];
    for (let r = 0; r < REPEATS; r++) {
      const { page, browser: used } = r === 0 ? last : await loadQueueWindow(served.url, served.jobs, browsers);
      runs.push(await changesAndPatches(page, served, 7001 + r));
      await used.close();
    }
    const c95 = median(runs.map((r) => percentile(r.changes, 95)));
    const p50 = median(runs.map((r) => percentile(r.results, 50)));
    const p95 = median(runs.map((r) => percentile(r.results, 95)));
    // What a patch waited for before its frame began: frames are drawn at the display's rate, and a
    // patch that arrives at a random moment waits for the next one (up to a whole frame).
    const wait95 = median(runs.map((r) => percentile(r.waits, 95)));
    const frameGap = median(runs.map((r) => percentile(r.frameGaps, 50)));
    // The rest: that frame's own work (the window's animation-frame callbacks, style, layout, paint).
    const work95 = median(runs.map((r) => percentile(r.results.map((t, i) => t - (r.waits[i] ?? 0)), 95)));
    // Patches drawn in the first frame that began after they arrived (none waited a frame more).
    const nextFrame = median(runs.map((r) => r.frameCounts.filter((n) => n === 1).length));
    const heapMb = median(runs.map((r) => r.heapMb));
    const each = (f: (r: (typeof runs)[number]) => number, digits: number, unit: string) => `runs: ${runs.map((r) => f(r).toFixed(digits)).join(', ')} ${unit}`;
    const method = `Debian Chromium ${version} headless, ${JOBS.toLocaleString('en')} jobs over the web transport from a server process of its own (as the app's main process is); ${FRAME_DRAWN}`;
    const patches = `${PATCHES} single-job patches, each sent after a seeded random wait of 0–${PATCH_PHASE_MS} ms (one frame at 60 Hz) so that they arrive at independent random moments of the frame cycle, as a service's changes do; message arrival to the first frame drawn showing it`;
    const repeated = `median of ${REPEATS} windows, each loaded afresh in a browser of its own and measured alone`;
    figures.push(
      {
        group: 'renderer',
        name: `first rows, ${JOBS / 1000}k jobs`,
        value: first,
        unit: 'ms',
        target: '≤ 150 ms',
        met: first <= 150,
        cause: `${phaseWords(phases, 'first')}; the window's page as served, without its scripts: ${floor.toFixed(0)} ms; a page of one line of text without stylesheet or script: ${bare.toFixed(0)} ms, and ${intlPage.toFixed(0)} ms with its time formatted in the user's locale by one script (the page's first use of Intl, which the window's rows need too: ${intlFirstUse.toFixed(0)} ms)`,
        method: `${method}; navigation start to the first frame drawn with job rows: the window's page as the app serves it, the first rows drawn into it by the app (renderer/src/first-frame.tsx: the core's answers rendered by the window's own components, in its process) with its stylesheet, their layout and paint, the page's scripts loading beside them; ${WINDOW_LOADS} (${spread(firstRows)})`,
      },
      {
        group: 'renderer',
        name: `first rows' page as served, without its scripts, ${JOBS / 1000}k jobs`,
        value: floor,
        unit: 'ms',
        target: null,
        met: null,
        method: `${method}; the window's page as the app serves it (its first rows and stylesheet drawn in by the app) without any of its scripts, from the same transport and jobs, its rows checked to be the window's first frame's at the same places: navigation start to that frame drawn, the floor under the first rows in this browser on this machine; ${COLD_LOADS} (${spread(frameOnly)})`,
      },
      {
        group: 'renderer',
        name: 'a page of one line of text, without stylesheet or script',
        value: bare,
        unit: 'ms',
        target: null,
        met: null,
        method: `${method}; one line of text marked as a job row, served by the same transport: navigation start to its first frame drawn, this browser's own floor on this machine under any page with rows; ${COLD_LOADS} (${spread(bareOnly)})`,
      },
      {
        group: 'renderer',
        name: "the same line with its time in the user's locale, written by one script",
        value: intlPage,
        unit: 'ms',
        target: null,
        met: null,
        method: `${method}; the page of one line of text above, its time formatted in the user's locale (Intl.DateTimeFormat, as the window formats its rows' times) by one script file, served by the same transport: navigation start to its first frame drawn; ${COLD_LOADS} (${spread(intl.frames)})`,
      },
      {
        group: 'renderer',
        name: 'of it, the first use of Intl in a page (its locale data loaded)',
        value: intlFirstUse,
        unit: 'ms',
        target: null,
        met: null,
        method: `${method}; in the same loads, the time that page's first Intl.DateTimeFormat took to be made and to format one time (performance.now() around it, in the page): a cost every page pays once before its first text in the user's locale, the queue window before its first rows; median of ${LOADS} (${spread(intl.intlMs)})`,
      },
      {
        group: 'renderer',
        name: `whole queue ready, ${JOBS / 1000}k jobs`,
        value: whole,
        unit: 'ms',
        target: '≤ 300 ms',
        met: whole <= 300,
        cause: phaseWords(phases, 'whole'),
        method: `${method}; navigation start to the first frame drawn showing the answer to a filter over every job (the search set to the last job's document as soon as the grid holds all ${JOBS.toLocaleString('en')} jobs: its aria-rowcount); same ${LOADS} cold loads (${spread(wholeReady)})`,
      },
      { group: 'renderer', name: `sort or filter change over ${JOBS / 1000}k jobs, p95`, value: c95, unit: 'ms', target: '≤ 50 ms', met: c95 <= 50, method: `${method}; ${CHANGES} changes (search cleared, Document sort clicked twice, search set to one job's document), click or input event to the first frame drawn whose first row is the answer; ${repeated} (${each((r) => percentile(r.changes, 95), 1, 'ms')}; p50 ${median(runs.map((r) => percentile(r.changes, 50))).toFixed(1)} ms)` },
      { group: 'renderer', name: 'patch-to-paint p50', value: p50, unit: 'ms', target: null, met: null, method: `${method}; ${patches}; ${repeated}` },
      {
        group: 'renderer',
        name: 'patch-to-paint p95',
        value: p95,
        unit: 'ms',
        target: '≤ 16 ms',
        met: p95 <= 16,
        cause: `the target is below the display's frame interval: frames began every ${frameGap.toFixed(1)} ms, and a patch arriving at a random moment waits for the next one to begin, p95 ${wait95.toFixed(1)} ms, before any window can draw it; that frame's own work (the window's animation-frame callbacks, style, layout, paint) p95 ${work95.toFixed(1)} ms; ${nextFrame} of ${PATCHES} patches drawn in the first frame that began after they arrived`,
        method: `${method}; ${patches}; ${repeated} (${each((r) => percentile(r.results, 95), 1, 'ms')})`,
      },
      { group: 'renderer', name: 'patches drawn in the first frame after they arrived', value: nextFrame, unit: `of ${PATCHES}`, target: null, met: null, method: `${method}; the same patches: those whose row showed the new value in the first frame that began after the message arrived (none waited a frame more); ${repeated} (${each((r) => r.frameCounts.filter((n) => n === 1).length, 0, `of ${PATCHES}`)})` },
      { group: 'renderer', name: 'patch-to-paint p95: the wait for the next frame to begin', value: wait95, unit: 'ms', target: null, met: null, method: `${method}; the same patches: message arrival to the start of the next frame's rendering on the page's main thread (its animation-frame callbacks), the part of patch-to-paint no window can shorten, as frames are drawn at the display's rate (they began every ${frameGap.toFixed(1)} ms, median); ${repeated} (${each((r) => percentile(r.waits, 95), 1, 'ms')})` },
      { group: 'renderer', name: `JS heap, ${JOBS / 1000}k jobs`, value: heapMb, unit: 'MB', target: '≤ 80 MB', met: heapMb <= 80, method: `${method}; used heap after a forced GC (CDP Runtime.getHeapUsage), after the patches and changes; ${repeated} (${each((r) => r.heapMb, 1, 'MB')})` },
    );
  } finally {
    for (const b of browsers.splice(0)) await b.close().catch(() => undefined);
    await served.close();
  }

  const big = await serveQueue(rendererDir, BIG_JOBS);
  try {
    const { firstRows, wholeReady, phases, heapMb: heaps, last } = await coldLoads(big, LOADS, browsers, { heap: true });
    const first = percentile(firstRows, 50);
    const heapMb = median(heaps);
    const method = `Debian Chromium ${last.browser.version()} headless, ${BIG_JOBS.toLocaleString('en')} jobs over the web transport from a server process of its own; ${FRAME_DRAWN}; ${WINDOW_LOADS}`;
    figures.push(
      { group: 'renderer', name: `first rows, ${BIG_JOBS / 1000}k jobs`, value: first, unit: 'ms', target: '≤ 300 ms', met: first <= 300, cause: phaseWords(phases, 'first'), method: `${method}; navigation start to the first frame drawn with job rows (${spread(firstRows)})` },
      { group: 'renderer', name: `whole queue ready, ${BIG_JOBS / 1000}k jobs`, value: percentile(wholeReady, 50), unit: 'ms', target: null, met: null, method: `${method}; as for 10k jobs (${spread(wholeReady)})` },
      { group: 'renderer', name: `JS heap, ${BIG_JOBS / 1000}k jobs`, value: heapMb, unit: 'MB', target: '≤ 80 MB', met: heapMb <= 80, method: `${method}; used heap after a forced GC (CDP Runtime.getHeapUsage) once the whole queue is ready, in each load (runs: ${heaps.map((h) => h.toFixed(1)).join(', ')} MB)` },
    );
  } finally {
    for (const b of browsers.splice(0)) await b.close().catch(() => undefined);
    await big.close();
  }
  return figures;
}

/** Launches Chromium, lets it finish starting, then loads the queue window until its first rows are on screen. */
async function loadQueueWindow(url: string, jobs: Job[], browsers: Browser[], opts: { rowsOnly?: boolean; capture?: boolean } = {}): Promise<{ page: Page; browser: Browser }> {
  const lastJob = jobs[jobs.length - 1]!;
  const browser = await launchChromium();
  browsers.push(browser);
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  // A string, not a function: the TypeScript runner's helpers do not exist inside the page.
  await page.addInitScript({ content: `window.__pqmBenchTotal = ${jobs.length};\nwindow.__pqmBenchLast = ${JSON.stringify({ key: lastJob.key, document: lastJob.document })};\nwindow.__pqmBenchCapture = ${opts.capture === true};\n${INSTRUMENT}` });
  page.on('console', (m) => process.env.PQM_BENCH_DEBUG && console.log('[page]', m.text()));
  // The page says when its first rows are in: polling for them from here (waitForSelector) would
  // run the harness's own checks on the page's main thread while it is starting.
  let rowsShown!: () => void;
  const shown = new Promise<void>((resolveShown) => (rowsShown = resolveShown));
  await page.exposeFunction('__pqmBenchRows', () => rowsShown());
  let queueReady!: () => void;
  const ready = new Promise<void>((resolveReady) => (queueReady = resolveReady));
  await page.exposeFunction('__pqmBenchReady', () => queueReady());
  await new Promise((r) => setTimeout(r, BROWSER_SETTLE_MS));
  await page.goto(url);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('The queue was not ready (rows shown, a sort answered over every job) within 60 s.')), 60_000)));
  await Promise.race([opts.rowsOnly ? shown : shown.then(() => ready), late]).finally(() => clearTimeout(timer));
  return { page, browser };
}

/**
 * The floor under the first rows on this machine: the window's page as the app serves it (its first
 * rows and its stylesheet in it), without any of its scripts, from the same transport and the same
 * jobs, loaded cold as the window is. Its rows must be the window's first frame's, at the same
 * places. What the window's first rows take beyond it is what its scripts cost that frame.
 */
async function staticFrame(served: Served, rendererDir: string, loads: number, browsers: Browser[]): Promise<number[]> {
  const captured = await loadQueueWindow(served.url, served.jobs, browsers, { rowsOnly: true, capture: true });
  const rows = await captured.page.evaluate(() => (window as unknown as { __bench: { frameRows?: string } }).__bench.frameRows ?? null);
  await captured.browser.close();
  if (!rows) throw new Error("renderer bench: the first rows' places were not captured");
  const drawn = await timePage('frame', served.jobs, loads, browsers, async (dir) => {
    await cp(rendererDir, dir, { recursive: true });
    // The window's page without its scripts (the inline one and the files), served by the same
    // transport with the same jobs: the app draws its first frame into it as into the window's.
    const built = await readFile(join(rendererDir, 'index.html'), 'utf8');
    const page = built.replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '').replace(/<link rel="modulepreload"[^>]*>/g, '');
    if (/<script/i.test(page) || page === built) throw new Error("renderer bench: the window's page could not be served without its scripts");
    await writeFile(join(dir, 'index.html'), page);
  }, { count: served.jobs.length, now: served.now });
  // The same rows with the same text at the same places, or the figure would be of another frame.
  // Only the rows both drew are compared: a window whose code ran before its first frame drew the
  // rows of its own height, the page without script those of the height the app assumes (the
  // preview does not know the browser window's), a few below the bottom edge more or fewer.
  const common = (a: string, b: string): boolean => {
    const x = JSON.parse(a) as unknown[];
    const y = JSON.parse(b) as unknown[];
    const n = Math.min(x.length, y.length);
    return n > 0 && JSON.stringify(x.slice(0, n)) === JSON.stringify(y.slice(0, n));
  };
  const other = drawn.find((d) => !common(d.rows, rows));
  if (other) throw new Error(`renderer bench: the page without script drew other rows than the window (${other.rows.slice(0, 200)} against ${String(rows).slice(0, 200)})`);
  return drawn.map((d) => d.at);
}

/** A page of one line marked as a job row, `body` its body. */
const ONE_LINE_PAGE = (body: string): string => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Print Queue Monitor</title></head><body>${body}</body></html>`;

/**
 * This browser's own floor on this machine: a page of one line of text marked as a job row, without
 * stylesheet or script, served by the same transport and loaded cold as the window is. No page with
 * rows in it draws its first frame sooner here.
 */
async function bareFrame(jobs: Job[], loads: number, browsers: Browser[]): Promise<number[]> {
  const drawn = await timePage('bare', jobs, loads, browsers, (dir) => writeFile(join(dir, 'index.html'), ONE_LINE_PAGE('<div data-testid="job-row">Document 1.pdf</div>')));
  return drawn.map((d) => d.at);
}

/**
 * What the first text in the user's locale costs a fresh page here: the one line of bareFrame, its
 * time formatted in the user's locale by one script (Intl.DateTimeFormat, as the window formats its
 * rows' times and its counts), served and loaded as bareFrame's page. A page's first use of Intl
 * loads the locale data; the window's first rows, whose times and counts are so formatted, cannot
 * be drawn before it. The page also says how long that first use took (`intlMs`).
 */
async function intlFrame(jobs: Job[], loads: number, browsers: Browser[]): Promise<{ frames: number[]; intlMs: number[] }> {
  const drawn = await timePage('intl', jobs, loads, browsers, async (dir) => {
    await writeFile(join(dir, 'index.html'), ONE_LINE_PAGE('<script src="./row.js"></script>'));
    await writeFile(
      join(dir, 'row.js'),
      [
        'const t0 = performance.now();',
        "const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' }).format(new Date());",
        'window.__pqmBenchMeasured = performance.now() - t0;',
        "const row = document.createElement('div');",
        "row.setAttribute('data-testid', 'job-row');",
        "row.textContent = 'Document 1.pdf ' + time;",
        'document.body.append(row);',
        '',
      ].join('\n'),
    );
  });
  const intlMs = drawn.map((d) => d.measured);
  if (intlMs.some((ms) => ms === null)) throw new Error('renderer bench: the page of one line in the user\'s locale did not say how long its first use of Intl took');
  return { frames: drawn.map((d) => d.at), intlMs: intlMs as number[] };
}

/**
 * A page of our own, loaded as the window is: `write` puts its files into a folder of its own,
 * served by the same transport; then `loads` cold loads, each giving navigation start to the first
 * frame drawn with job rows (`at`), those rows (`rows`), and what the page said it measured
 * (window.__pqmBenchMeasured, null if nothing). The folder is removed afterwards.
 */
async function timePage(name: string, jobs: Job[], loads: number, browsers: Browser[], write: (dir: string) => Promise<void>, served?: { count: number; now: number }): Promise<{ at: number; rows: string; measured: number | null }[]> {
  const dir = await mkdtemp(join(tmpdir(), `pqm-bench-${name}-`));
  try {
    await write(dir);
    const drawn: { at: number; rows: string; measured: number | null }[] = [];
    const server = await serveQueue(dir, served?.count ?? 0, served?.now);
    try {
      for (let n = 0; n < loads; n++) {
        const { page, browser } = await loadQueueWindow(server.url, jobs, browsers, { rowsOnly: true });
        drawn.push(
          await page.evaluate(() => {
            const w = window as unknown as { __bench: { firstRows: number }; __pqmBenchRowBoxes: () => string; __pqmBenchMeasured?: unknown };
            return { at: w.__bench.firstRows, rows: w.__pqmBenchRowBoxes(), measured: typeof w.__pqmBenchMeasured === 'number' ? w.__pqmBenchMeasured : null };
          }),
        );
        await browser.close();
      }
    } finally {
      await server.close();
    }
    return drawn;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
