/**
 * A start-up test of what would ship: the built out/main/index.js, loaded in Node against a
 * recording stand-in for `electron` (test/package/startup/electron-stand-in.mjs: electron.d.ts'
 * names, Electron's documented ordering, APIs needing 'ready' throwing before it), as a packaged
 * app with the packaged layout of resources, driven through start with a link, the page loading, a
 * job completing, a second instance with a link, hide/show, suspend/resume, the Windows session
 * ending, and quit. It catches import interop, path and ordering errors that per-module mocks miss.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_NAMES, REQUEST_NAMES, requestChannel } from '../../preload/contract/channels';
import { appContentSecurityPolicy, withStyleHashes } from '../../main/desktop/csp';
import { Settings } from '../../preload/contract/model';
import { layoutColumns } from '../../renderer/src/state/columns';
import { startScriptxSimulator, type ScriptxSimulator } from '../simulators/scriptx/server';

const root = join(__dirname, '..', '..');
const here = join(__dirname, 'startup');

interface Report {
  steps: string[];
  beforeReady: string[];
  windowOptions: { webPreferences: Record<string, unknown>; show: boolean; width: number; height: number };
  preloadExists: boolean;
  loaded: string[];
  ipcChannels: string[];
  schemes: unknown[];
  pageHasMetaCsp: boolean;
  fetched: { url: string; status: number; type: string | null; csp: string | null }[];
  pageHasFirstFrame: boolean;
  pageColumns: [string, string] | null;
  inlineStyleHashes: string[];
  navigatedBeforeReady: string[];
  navigatedAfterReady: string[];
  windowReady: unknown;
  tracked: { ok: boolean };
  historyBeforeSessionEnd: string[];
  historyAfterSessionEnd: string[];
  sentChannels: string[];
  eventChannels: string[];
  /** `typeof` of every answer main gave. */
  answerKinds: string[];
  /** `<argument count> <typeof first argument>` of every event sent to the window. */
  eventPayloadKinds: string[];
  images: { path: string; exists: boolean }[];
  notificationIcons: (string | null)[];
  exitCode: number | null;
  trayDestroyed: boolean;
  ipcAfterQuit: number;
  violations: string[];
  calls: string[];
}

let work: string;
let sim: ScriptxSimulator;
let report: Report;
let output = '';
const TOKEN = 'b7f3c2d1-0a4e-4f5b-9c8d-7e6f5a4b3c2d';

beforeAll(async () => {
  if (!existsSync(join(root, 'out', 'main', 'index.js'))) throw new Error('out/main/index.js is missing: run "npm run build" first (npm test does).');
  work = mkdtempSync(join(tmpdir(), 'pqm-startup-'));
  // An On-Premise server (no license needed: the packaged app's secrets need OS encryption).
  sim = await startScriptxSimulator({ serviceClass: 2 });
  // The job prints, then completes a moment after it is tracked.
  sim.addJob({ token: TOKEN, steps: [{ status: 5, afterMs: 0 }, { status: 6, afterMs: 1500 }] });
  // resources/ as electron-builder lays it out (build/electron-builder.yml extraResources).
  const resources = join(work, 'resources');
  cpSync(join(root, 'build', 'icons', 'tray'), join(resources, 'icons', 'tray'), { recursive: true });
  cpSync(join(root, 'build', 'icons', 'badge'), join(resources, 'icons', 'badge'), { recursive: true });
  cpSync(join(root, 'build', 'icons', 'app.png'), join(resources, 'icons', 'app.png'));
  const userData = join(work, 'userData');
  mkdirSync(userData);
  const configPath = join(userData, 'settings.json');
  writeFileSync(configPath, JSON.stringify({ version: 1, sources: [{ id: 'local', kind: 'scriptx', baseUrl: sim.url }] }));
  output = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', join(here, 'register.mjs'), join(here, 'drive.mjs')],
      {
        cwd: work,
        timeout: 100_000,
        maxBuffer: 16 * 1024 * 1024,
        env: {
          ...process.env,
          PQM_STAND_IN_APP_PATH: root,
          PQM_STAND_IN_RESOURCES: resources,
          PQM_STAND_IN_CONFIG: configPath,
          PQM_STAND_IN_USER_DATA: userData,
          PQM_STAND_IN_TOKEN: TOKEN,
          PQM_STAND_IN_CONTRACT: JSON.stringify({ REQUEST_NAMES, EVENT_NAMES }),
          APPDATA: userData,
          XDG_CONFIG_HOME: userData,
          PQM_CONFIG: '',
          ELECTRON_RENDERER_URL: '',
        },
      },
      (err, stdout, stderr) => {
        const line = String(stdout).split('\n').find((l) => l.startsWith('PQM-REPORT '));
        if (line) resolve(line.slice('PQM-REPORT '.length));
        else reject(new Error(`The built app did not finish its start-up run${err ? ` (${err.message})` : ''}:\n${String(stdout).slice(-4000)}\n${String(stderr).slice(-4000)}`));
      },
    );
  });
  report = JSON.parse(output) as Report;
}, 120_000);

afterAll(async () => {
  await sim?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the built main process, started as Electron would start it', () => {
  it('ran every step, with nothing used before ready that needs it', () => {
    expect(report.steps).toEqual(['imported', 'started', 'window ready', 'job completed', 'second instance', 'hide show suspend resume', 'session end', 'quit']);
    expect(report.violations).toEqual([]);
    // Before ready: only what Electron allows then (the scheme must be declared before it).
    expect(report.beforeReady).toEqual(expect.arrayContaining(['app.requestSingleInstanceLock', 'protocol.registerSchemesAsPrivileged']));
    for (const name of report.beforeReady) expect(['app.setAppUserModelId', 'app.setPath', 'app.getPath', 'app.requestSingleInstanceLock', 'protocol.registerSchemesAsPrivileged', 'app.whenReady'], name).toContain(name);
  });

  it('loads only files that exist in the build, in the packaged layout', () => {
    expect(report.preloadExists).toBe(true);
    expect(String(report.windowOptions.webPreferences.preload)).toMatch(/out[\\/]preload[\\/]index\.cjs$/);
    expect(report.loaded).toEqual(['app://window/index.html']);
    expect(report.fetched.length).toBeGreaterThan(2);
    for (const f of report.fetched) expect([f.url, f.status]).toEqual([f.url, 200]);
    expect(report.images.length).toBeGreaterThan(0);
    for (const img of report.images) {
      expect(img.path.startsWith(join(work, 'resources', 'icons'))).toBe(true);
      expect(img, img.path).toMatchObject({ exists: true });
    }
  });

  it('serves the window from app:// with the CSP as its one header, and the hardened window options', () => {
    expect(report.schemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, codeCache: true } }]);
    expect(report.pageHasMetaCsp).toBe(false);
    // The page comes with its first frame drawn in by the bundled main process, its inline
    // stylesheets allowed by their hashes only.
    expect(report.pageHasFirstFrame).toBe(true);
    // Drawn for the window's content size (the window less its frame): the columns the grid shows at
    // that width, not every column as a frame of unknown size would.
    const contentWidth = report.windowOptions.width - 16;
    const choices = Settings.parse({ version: 1, sources: [] }).ui.columns;
    expect(layoutColumns(choices, contentWidth).shown.length).toBeLessThan(layoutColumns(choices, 0).shown.length);
    const layout = layoutColumns(choices, contentWidth);
    expect(report.pageColumns).toEqual([layout.template, String(layout.minWidth)]);
    // The stylesheet and the rows' places, each by its own hash.
    expect(report.inlineStyleHashes).toHaveLength(2);
    for (const h of report.inlineStyleHashes) expect(h).toMatch(/^'sha256-[A-Za-z0-9+/]{43}='$/);
    expect(report.fetched[0]).toMatchObject({ url: 'app://window/index.html', type: 'text/html; charset=utf-8', csp: withStyleHashes(appContentSecurityPolicy(), report.inlineStyleHashes) });
    expect(report.windowOptions.show).toBe(false);
    // Packaged: no developer tools; isolated, sandboxed, no Node.
    expect(report.windowOptions.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false, devTools: false });
    // The system's regional format (read after 'ready'), for the window's dates, times and numbers.
    expect(report.windowOptions.webPreferences.additionalArguments).toEqual(['--pqm-format-locale=en-GB']);
  });

  it('handles every request of the contract and sends only its events', () => {
    expect([...report.ipcChannels].sort()).toEqual(REQUEST_NAMES.map((n) => requestChannel(n)).sort());
    for (const channel of report.sentChannels) expect(report.eventChannels).toContain(channel);
    expect(report.tracked).toMatchObject({ ok: true });
  });

  it('answers and sends events as JSON text, one string each (the context bridge copies objects value by value)', () => {
    expect(report.answerKinds).toEqual(['string']);
    expect(report.eventPayloadKinds).toEqual(['1 string']);
  });

  it('delivers the link that started the app once the page listens, and a second instance\'s link', () => {
    expect(report.navigatedBeforeReady).toEqual([]);
    expect(report.windowReady).toEqual({ ok: true, value: null });
    expect(report.navigatedAfterReady).toEqual(['local:cold']);
  });

  it('writes history when the Windows session ends, and stops cleanly on quit', () => {
    expect(report.historyBeforeSessionEnd).not.toContain(`local:${TOKEN}`);
    expect(report.historyAfterSessionEnd).toContain(`local:${TOKEN}`);
    expect(report.exitCode).toBe(0);
    expect(report.trayDestroyed).toBe(true);
    expect(report.ipcAfterQuit).toBe(0);
  });
});
