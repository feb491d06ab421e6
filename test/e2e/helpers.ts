/**
 * Shared pieces of the browser tests: the preview in Debian Chromium (playwright-core), a fresh
 * profile per run, axe-core checks and screenshots under test/e2e/artifacts.
 *
 * The browser tests do not skip themselves when Chromium or the built renderer is missing: they
 * fail with what to install or build. Set PQM_SKIP_BROWSER_TESTS=1 to skip them on purpose.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { PollingSettings } from '../../preload/contract/model';
import { DEFAULT_RENDERER_DIR, startPreview, type Preview, type PreviewOptions } from '../preview/start-preview';

/** Debian's Chromium, or the one named by PQM_CHROMIUM. */
export const CHROMIUM = process.env.PQM_CHROMIUM || '/usr/bin/chromium';
export const ARTIFACTS = resolve(import.meta.dirname, 'artifacts');
const AXE = resolve(import.meta.dirname, '../../node_modules/axe-core/axe.min.js');

/** True only when the browser tests were turned off on purpose. */
export const SKIP_BROWSER_TESTS = process.env.PQM_SKIP_BROWSER_TESTS === '1';

/** Fast polling against the local simulators, so state changes show within a second. */
export const FAST_POLLING: Partial<PollingSettings> = {
  scriptx: { activeMs: 300, idleMs: 1000 },
  graph: { activeMs: 300, idleMs: 1000 },
  aodocs: { activeMs: 300, idleMs: 1000 },
  maxBackoffMs: 1000,
};

/** Why the browser tests cannot run here, or null when they can. */
export function browserMissing(): string | null {
  const missing: string[] = [];
  if (!existsSync(CHROMIUM)) missing.push(`Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  const index = join(DEFAULT_RENDERER_DIR, 'index.html');
  if (!existsSync(index)) missing.push(`the built renderer ${index} (npx electron-vite build)`);
  if (!existsSync(AXE)) missing.push(`axe-core at ${AXE} (npm install)`);
  if (!missing.length) return null;
  return `The browser tests need ${missing.join(' and ')}. Set PQM_SKIP_BROWSER_TESTS=1 to skip them on purpose.`;
}

/** Throws the reason the browser tests cannot run (called first in every beforeAll). */
export function assertBrowserReady(): void {
  const why = browserMissing();
  if (why) throw new Error(why);
}

export interface BrowserRun {
  preview: Preview;
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** Starts the preview (simulators, no workload by default) and opens it in a fresh Chromium profile. */
export async function openPreview(opts: PreviewOptions & { colorScheme?: 'light' | 'dark' } = {}): Promise<BrowserRun> {
  assertBrowserReady();
  const { colorScheme, ...previewOpts } = opts;
  const preview = await startPreview({ workload: false, polling: FAST_POLLING, ...previewOpts });
  const profile = mkdtempSync(join(tmpdir(), 'pqm-chromium-'));
  let context: BrowserContext | undefined;
  const close = async () => {
    await context?.close().catch(() => undefined);
    await preview.close();
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    context = await launchChromium(profile, colorScheme);
    const page = context.pages()[0] ?? (await context.newPage());
    return { preview, context, page, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Debian Chromium, headless, with a fresh profile (passed as --user-data-dir). */
export async function launchChromium(profile: string, colorScheme: 'light' | 'dark' = 'light'): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    colorScheme,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  context.setDefaultTimeout(5000);
  return context;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** Runs axe-core in the page (or in one part of it) and returns its serious and critical violations. */
export async function seriousViolations(page: Page, selector?: string): Promise<AxeViolation[]> {
  return (await axeViolations(page, selector)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Runs axe-core in the page (or in one part of it) and returns every violation, of any impact. */
export async function axeViolations(page: Page, selector?: string): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === 'object');
  // The page's CSP allows only its own scripts; evaluate() runs through the DevTools protocol.
  if (!loaded) await page.evaluate(readFileSync(AXE, 'utf8'));
  const violations = await page.evaluate(async (sel) => {
    type AxeResult = { violations: { id: string; impact: string | null; help: string; nodes: { target: unknown }[] }[] };
    const axe = (window as unknown as { axe: { run(ctx: Element | Document, opts: object): Promise<AxeResult> } }).axe;
    const ctx = sel ? document.querySelector(sel) : document;
    if (!ctx) throw new Error(`axe: nothing matches ${sel}`);
    const r = await axe.run(ctx, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)) }));
  }, selector ?? null);
  return violations;
}

/** Saves a screenshot as test/e2e/artifacts/<name>.png and returns its path. */
export async function saveShot(page: Page, name: string, what?: Locator): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  if (what) await what.screenshot({ path });
  else await page.screenshot({ path });
  if (!existsSync(path)) throw new Error(`The screenshot ${path} was not written.`);
  return path;
}

/** The keys of the rows the grid shows now. */
export function rowKeys(page: Page): Promise<string[]> {
  return page.getByTestId('job-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-key') ?? ''));
}

/** The sources panel line of one source. */
export function sourceLine(page: Page, sourceId: string): Locator {
  return page.locator(`[data-testid="source-line"][data-source="${sourceId}"]`);
}

/** One row of the grid by its job key. */
export function row(page: Page, key: string): Locator {
  return page.locator(`[data-testid="job-row"][data-key="${key}"]`);
}

/** The preview opened in Chromium, once its window is drawn. */
export async function openWindow(opts: Parameters<typeof openPreview>[0] = {}): Promise<BrowserRun> {
  const run = await openPreview(opts);
  await run.page.goto(run.preview.url);
  await run.page.getByRole('button', { name: 'Sources', exact: true }).waitFor({ timeout: 10_000 });
  return run;
}

/** Closes a dialog with its Close button and waits until it is gone. */
export async function closeDialog(page: Page, testId: string): Promise<void> {
  const dialog = page.getByTestId(testId);
  await dialog.getByRole('button', { name: 'Close' }).first().click();
  await dialog.waitFor({ state: 'detached' });
}

/** Closes whatever a failed test left over the queue: dialogs, then the detail panel. */
export async function closeOverlays(page: Page): Promise<void> {
  if (await page.getByTestId('row-menu').count()) await page.keyboard.press('Escape');
  for (let i = 0; i < 5 && (await page.locator('.modal').count()); i++) {
    // Settings left with unsaved edits ask before closing: their edits are dropped.
    const top = page.locator('.modal').last();
    const discard = top.getByRole('button', { name: 'Discard', exact: true });
    await ((await discard.count()) ? discard : top.locator('.modal-head button')).click();
  }
  if (await page.getByTestId('detail-panel').count()) await page.getByTestId('detail-panel').getByRole('button', { name: 'Close' }).click();
}

/**
 * The window for the tests of one describe block: opened before the first, closed after the last,
 * and cleared before each of what a failed test left over it. Read `run` and `page` inside tests.
 */
export function windowForTests(opts: Parameters<typeof openPreview>[0] = {}): { readonly run: BrowserRun; readonly page: Page } {
  let run: BrowserRun | undefined;
  beforeAll(async () => {
    run = await openWindow(opts);
  });
  afterAll(async () => {
    await run?.close();
  });
  beforeEach(() => closeOverlays(run!.page));
  return {
    get run() {
      return run!;
    },
    get page() {
      return run!.page;
    },
  };
}
