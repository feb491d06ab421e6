/**
 * The browser preview, as a function: the real app core (settings -> real sources -> engine) in
 * Node, served with the built renderer over the token- and origin-checked web transport on
 * 127.0.0.1. Used by `npm run preview`, `npm run demo`, the end-to-end tests and the bench.
 *
 * Two modes:
 * - simulators (default): the three simulators start on free ports, a temporary settings file
 *   points the sources at them, their secrets live in memory, and a continuously changing
 *   workload runs on them;
 * - `configPath`: real sources from that settings file; secrets from `PQM_SECRET_<ID>_<NAME>`
 *   environment variables (a secret entered in the page is kept in memory for this run only).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { AppFailure, type PollingSettings, type SecretName, type SettingsInput } from '../../preload/contract/model';
import { createAppCore } from '../../main/core/app-core';
import type { AppCore, PlatformPorts } from '../../main/core/app-core-types';
import type { Logger, SecretStore } from '../../main/ports/ports';
import { createEnvSecretStore } from '../../main/state/secrets-env';
import { startWebTransport, type WebTransport } from '../../main/web/server';
import { createDemoSpoolerQueue, type DemoSpoolerQueue } from '../simulators/windows-spooler/demo-queue';
import { createWorkload, startWorkloadSimulators, WORKLOAD_SOURCE_IDS, type Workload, type WorkloadOptions, type WorkloadSimulators } from '../simulators/workload';

const repoRoot = resolve(import.meta.dirname, '../..');
export const DEFAULT_RENDERER_DIR = join(repoRoot, 'out/renderer');

/** Polling fast enough that the preview feels live against local simulators. */
export const PREVIEW_POLLING: Partial<PollingSettings> = {
  scriptx: { activeMs: 500, idleMs: 2000 },
  graph: { activeMs: 1000, idleMs: 3000 },
  aodocs: { activeMs: 1000, idleMs: 3000 },
  ipp: { activeMs: 1000, idleMs: 3000 },
  'windows-spooler': { activeMs: 1000, idleMs: 3000 },
  stuckAfterMinutes: 1,
  maxBackoffMs: 5000,
};

export interface PreviewOptions {
  /** Real sources from this settings file instead of the simulators. */
  configPath?: string;
  /** The built renderer; default out/renderer. */
  rendererDir?: string;
  /** The workload on the simulators; false: simulators without it (tests drive them). */
  workload?: WorkloadOptions | false;
  /** Polling of the simulated sources; default PREVIEW_POLLING. */
  polling?: Partial<PollingSettings>;
  logger?: Logger;
  /** Fixed access token (tests); default random per run. */
  token?: string;
  /** Environment for the secrets of --config mode; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Shows the simulated IPP print server as a fourth source (the demo and `npm run preview`). */
  printServer?: boolean;
  /** Adds this PC's print queues, on the spooler host's stand-in, with a ScriptX job handed to one (the demo and the preview CLI). */
  spoolerQueue?: boolean;
}

export interface Preview {
  /** `http://127.0.0.1:<port>/?token=<token>` */
  url: string;
  port: number;
  token: string;
  core: AppCore;
  transport: WebTransport;
  /** The simulators (simulator mode only). */
  sims: WorkloadSimulators | null;
  workload: Workload | null;
  /** Temporary folder holding the settings, history and saved files (simulator mode). */
  dataDir: string;
  close(): Promise<void>;
}

/** The line `npm run preview` prints; other tools read the address from it. */
export function readyLine(url: string): string {
  return `Preview ready: ${url}`;
}

/** Secrets kept in memory for one run, in front of an optional read-only store. */
export function createMemorySecretStore(initial: Record<string, Partial<Record<SecretName, string>>> = {}, fallback?: SecretStore): SecretStore {
  const values = new Map<string, string>();
  const removed = new Set<string>();
  const k = (sourceId: string, name: SecretName) => `${sourceId}\u0000${name}`;
  for (const [sourceId, bag] of Object.entries(initial)) for (const [name, v] of Object.entries(bag)) if (v) values.set(k(sourceId, name as SecretName), v);
  return {
    async get(sourceId, name) {
      const key = k(sourceId, name);
      if (values.has(key)) return values.get(key);
      if (removed.has(key)) return undefined;
      return fallback?.get(sourceId, name);
    },
    async has(sourceId, name) {
      return (await this.get(sourceId, name)) !== undefined;
    },
    async set(sourceId, name, value) {
      if (!value) throw new AppFailure('invalid-input', 'A secret cannot be empty.', { sourceId, field: 'value' });
      values.set(k(sourceId, name), value);
      removed.delete(k(sourceId, name));
    },
    async delete(sourceId, name) {
      values.delete(k(sourceId, name));
      removed.add(k(sourceId, name));
    },
  };
}

/** A logger for the terminal: warnings and errors on stderr, one line each. */
export function consoleLogger(minLevel: 'debug' | 'info' | 'warn' | 'error' = 'warn'): Logger {
  const order = { debug: 0, info: 1, warn: 2, error: 3 } as const;
  const write = (level: keyof typeof order) => (message: string, data?: Record<string, unknown>) => {
    if (order[level] < order[minLevel]) return;
    const extra = data && Object.keys(data).length ? ` ${JSON.stringify(data)}` : '';
    process.stderr.write(`[${level}] ${message}${extra}\n`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** A minimal valid one-page PDF, the document the preview prints (it has no file dialog). */
function samplePdf(): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    null,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  const text = 'BT /F1 24 Tf 72 760 Td (Print Queue Monitor sample page) Tj ET';
  objects[3] = `<< /Length ${text.length} >>\nstream\n${text}\nendstream`;
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out);
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${o.toString().padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/**
 * The platform of the preview: there are no native dialogs in a browser tab, so "print a file"
 * prints the sample document and "save" writes into the preview's output folder, and the page is
 * told where. Sign-in addresses are printed on the terminal.
 */
function previewPlatform(dataDir: string, notify: (message: string) => void, logger: Logger): PlatformPorts {
  const outDir = join(dataDir, 'saved');
  const sample = join(dataDir, 'Sample page.pdf');
  return {
    async pickFileToPrint() {
      const override = process.env.PQM_PREVIEW_PRINT_FILE;
      if (override) {
        if (!existsSync(override)) throw new AppFailure('not-found', `PQM_PREVIEW_PRINT_FILE names a file that does not exist: ${override}`);
        return { path: override };
      }
      if (!existsSync(sample)) {
        await mkdir(dataDir, { recursive: true });
        await writeFile(sample, samplePdf());
      }
      notify(`The browser preview has no file dialog: printing the sample document "${basename(sample)}" (set PQM_PREVIEW_PRINT_FILE to print another file).`);
      return { path: sample };
    },
    async pickSavePath(suggestedName) {
      await mkdir(outDir, { recursive: true });
      const safe = basename(suggestedName).replace(/[^\w .()-]+/g, '_') || 'output';
      const ext = extname(safe);
      let candidate = join(outDir, safe);
      for (let i = 2; existsSync(candidate); i++) candidate = join(outDir, `${safe.slice(0, safe.length - ext.length)} (${i})${ext}`);
      notify(`The browser preview has no save dialog: saving to ${candidate}.`);
      return candidate;
    },
    async openExternal(url) {
      const u = new URL(url);
      if (u.protocol !== 'https:' && u.hostname !== '127.0.0.1') throw new AppFailure('not-allowed', `Refusing to open ${u.protocol}//${u.host}: only https addresses are opened.`);
      logger.warn(`Open this address in a browser to continue: ${u.origin}${u.pathname}`);
      process.stdout.write(`Open this address in a browser to continue: ${url}\n`);
    },
    versions() {
      return { app: 'browser preview', node: process.versions.node, platform: `${process.platform}-${process.arch}` };
    },
  };
}

export async function startPreview(opts: PreviewOptions = {}): Promise<Preview> {
  const logger = opts.logger ?? consoleLogger();
  const rendererDir = resolve(opts.rendererDir ?? DEFAULT_RENDERER_DIR);
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error(`The built renderer is missing (${join(rendererDir, 'index.html')}); run "npx electron-vite build" first.`);
  }
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanup = async () => {
    for (const c of cleanups.reverse()) await c().catch((err: unknown) => logger.warn('Preview cleanup step failed.', { error: String(err) }));
  };

  try {
    let configPath: string;
    let secrets: SecretStore;
    let sims: WorkloadSimulators | null = null;
    let spooler: DemoSpoolerQueue | null = null;
    const dataDir = await mkdtemp(join(tmpdir(), 'pqm-preview-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));

    if (opts.configPath) {
      configPath = resolve(opts.configPath);
      if (!existsSync(configPath)) throw new Error(`The settings file ${configPath} does not exist.`);
      // Fail early with a clear message when the file is not even JSON (the core reports per-field problems).
      try {
        JSON.parse(await readFile(configPath, 'utf8'));
      } catch (err) {
        throw new Error(`The settings file ${configPath} is not valid JSON: ${(err as Error).message}`);
      }
      secrets = createMemorySecretStore({}, createEnvSecretStore(opts.env ?? process.env));
    } else {
      sims = await startWorkloadSimulators({ printServer: opts.printServer });
      const s = sims;
      cleanups.push(() => s.close());
      if (opts.spoolerQueue) {
        const q = (spooler = createDemoSpoolerQueue({ scriptx: sims.scriptx }));
        cleanups.push(async () => q.stop());
      }
      configPath = join(dataDir, 'settings.json');
      const settings: SettingsInput = { version: 1, sources: spooler ? [...sims.sources, spooler.source] : sims.sources, polling: { ...PREVIEW_POLLING, ...opts.polling } };
      await writeFile(configPath, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
      secrets = createMemorySecretStore(sims.secrets);
    }

    let coreRef: AppCore | null = null;
    const notify = (message: string) => coreRef?.emit('app:notice', { level: 'info', message });
    const platform = previewPlatform(dataDir, notify, logger);
    if (spooler) platform.spoolerHost = spooler.spawn;
    const core = await createAppCore({ configPath, secrets, platform, logger });
    coreRef = core;
    for (const bag of Object.values(sims?.secrets ?? {})) core.redactor.addSecrets(Object.values(bag));
    core.start();
    cleanups.push(() => core.stop());
    await spooler?.start((id, title, printer) => core.handlers.trackJob({ sourceId: WORKLOAD_SOURCE_IDS.scriptx, id, kind: 'html', title, printer }));

    const transport = await startWebTransport({
      core,
      rendererDir,
      logger,
      token: opts.token,
    });
    cleanups.push(() => transport.close());

    let workload: Workload | null = null;
    if (sims && opts.workload !== false) {
      workload = createWorkload(sims, {
        ...opts.workload,
        trackScriptx: async (token, kind) => {
          await core.handlers.trackJob({ sourceId: WORKLOAD_SOURCE_IDS.scriptx, id: token, kind });
        },
        onEvent: (e) => {
          if (e.type === 'error') logger.warn(e.message);
          if (opts.workload) opts.workload.onEvent?.(e);
        },
      });
      const w = workload;
      cleanups.push(() => w.stop());
      await workload.start();
    }

    let closing: Promise<void> | null = null;
    return {
      url: transport.url,
      port: transport.port,
      token: transport.token,
      core,
      transport,
      sims,
      workload,
      dataDir,
      close: () => (closing ??= cleanup()),
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
