/**
 * MeadCo's own client library (npm `scriptxprint-html`, its unbundled `src/*.js`) in a real web page,
 * in Debian Chromium, against our ScriptX.Services simulator — as a web application uses it: the
 * page is served from its own origin on 127.0.0.1 and calls the service across origins (CORS).
 *
 * Used by the conformance test (test/meadco/meadco-client.e2e.test.ts) and by the benchmark, which
 * measures MeadCo's freshness and request rate against the monitor's.
 *
 *   const m = await startMeadcoHarness({ sim: { license: LICENSE, stepMs: 200 } });
 *   await m.connect();                       // MeadCo.ScriptX.Print.HTML.connectAsync(server, license)
 *   const job = await m.printHtml('<p>x</p>'); // MeadCo.ScriptX.Print.HTML.printHtml(...)
 *   job.token                                // the job token the service answered
 *   await job.done                           // MeadCo's own monitoring ended: null, or its error text
 *   await job.progress()                     // MeadCo's progress callbacks: [{ status, info, at }]
 *   m.sim.requests.filter((r) => r.origin === m.origin)  // the requests MeadCo's page made
 *   await m.close();
 *
 * MeadCo's job monitoring polls `printHtml/status/{token}` every 1000 ms (window.setInterval) until
 * 6 Completed, -1, -2 or an error (a 404 included); it then calls the print's done callback.
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { startScriptxSimulator, type ScriptxSimulator, type ScriptxSimulatorOptions } from '../simulators/scriptx/server';
import { CHROMIUM, launchChromium } from '../e2e/helpers';

/** MeadCo's library, as published: the modules an HTML-printing page loads, in order. */
export const MEADCO_SRC = resolve(import.meta.dirname, '../../node_modules/scriptxprint-html/src');
export const MEADCO_SCRIPTS = ['meadco-core.js', 'meadco-scriptxprint.js', 'meadco-scriptxprinthtml.js'] as const;

/** Why the harness cannot run here (no Chromium, MeadCo's library not installed), or null. */
export function meadcoMissing(): string | null {
  const missing: string[] = [];
  if (!existsSync(CHROMIUM)) missing.push(`Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  for (const s of MEADCO_SCRIPTS) if (!existsSync(join(MEADCO_SRC, s))) missing.push(`MeadCo's ${s} in ${MEADCO_SRC} (npm install)`);
  return missing.length ? `The MeadCo client harness needs ${missing.join(' and ')}. Set PQM_SKIP_BROWSER_TESTS=1 to skip the browser tests on purpose.` : null;
}

export interface MeadcoProgress {
  /** MeadCo's PrintStatus (the service's JobStatus code, or -1 for an error of its own). */
  status: number;
  info: string | null;
  /** Date.now() when the test process received it. */
  at: number;
}

export interface MeadcoJob {
  /** The token the service answered to MeadCo's print request. */
  token: string;
  /** Resolves when MeadCo's monitoring of this job has ended: null when it completed, else MeadCo's error text. */
  done: Promise<string | null>;
  /** MeadCo's progress callbacks for this job so far. */
  progress(): Promise<MeadcoProgress[]>;
  /** Resolves when MeadCo has reported this status for the job (at once if it already has). */
  reached(status: number): Promise<MeadcoProgress>;
}

export interface MeadcoHarnessOptions {
  /** The simulator the page talks to (its license is the one MeadCo's page connects with). */
  sim?: ScriptxSimulatorOptions;
  /** The license the page passes to MeadCo's connect, as a web developer writes it (default: the simulator's). */
  license?: string;
  /** MeadCo's console logging (MeadCo.logEnable), collected in `consoleLines`. */
  log?: boolean;
}

export interface MeadcoHarness {
  sim: ScriptxSimulator;
  /** The page's origin (http://127.0.0.1:<port>): the Origin of every request MeadCo's page makes. */
  origin: string;
  page: Page;
  /** The page's console output (MeadCo's warnings and errors; its log lines too with `log`). */
  consoleLines: string[];
  /** Connects MeadCo's library to the simulator: MeadCo.ScriptX.Print.HTML.connectAsync. */
  connect(): Promise<void>;
  /** Prints HTML with MeadCo.ScriptX.Print.HTML.printHtml and follows it with MeadCo's own monitoring. */
  printHtml(html: string): Promise<MeadcoJob>;
  close(): Promise<void>;
}

const PAGE = (scripts: readonly string[], log: boolean) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>MeadCo ScriptX.Services client</title>
<script>var MeadCo = { logEnable: ${log ? 'true' : 'false'}, useFetch: true };</script>
${scripts.map((s) => `<script src="/meadco/${s}"></script>`).join('\n')}
<script>
  // MeadCo reports errors through reportError (an alert by default): to the console instead.
  MeadCo.ScriptX.Print.reportError = function (text) { console.error('MeadCo reportError: ' + text); };
</script>
</head><body><p>A page printing through ScriptX.Services.</p></body></html>`;

/** Serves the page and MeadCo's scripts on 127.0.0.1 (its own origin, not the service's). */
async function startPageServer(log: boolean): Promise<{ origin: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const script = MEADCO_SCRIPTS.find((s) => path === `/meadco/${s}`);
    if (path === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(PAGE(MEADCO_SCRIPTS, log));
    } else if (script) {
      readFile(join(MEADCO_SRC, script)).then(
        (body) => {
          res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' });
          res.end(body);
        },
        (err: Error) => {
          res.writeHead(500, { 'Content-Type': 'text/plain' });
          res.end(`MeadCo's ${script} could not be read: ${err.message} (npm install scriptxprint-html)`);
        },
      );
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    close: async () => {
      const closed = new Promise<void>((r) => server.close(() => r()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

export async function startMeadcoHarness(opts: MeadcoHarnessOptions = {}): Promise<MeadcoHarness> {
  const why = meadcoMissing();
  if (why) throw new Error(why);
  const sim = await startScriptxSimulator(opts.sim);
  const license = opts.license ?? opts.sim?.license ?? '';
  const pages = await startPageServer(opts.log ?? false);
  const profile = mkdtempSync(join(tmpdir(), 'pqm-meadco-'));
  let context: BrowserContext | undefined;
  const close = async () => {
    await context?.close().catch(() => undefined);
    await pages.close();
    await sim.close();
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    context = await launchChromium(profile);
    const page = context.pages()[0] ?? (await context.newPage());
    const consoleLines: string[] = [];
    page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
    // MeadCo's callbacks reach the test as events (no polling of the page).
    interface JobEvents {
      progress: MeadcoProgress[];
      waiting: { status: number; resolve(p: MeadcoProgress): void }[];
      done: Promise<string | null>;
      finish(e: string | null): void;
    }
    const jobs = new Map<number, JobEvents>();
    let nextJob = 0;
    const jobEvents = (n: number) => {
      let job = jobs.get(n);
      if (!job) {
        let finish!: (e: string | null) => void;
        const done = new Promise<string | null>((r) => (finish = r));
        job = { progress: [], waiting: [], done, finish };
        jobs.set(n, job);
      }
      return job;
    };
    await page.exposeFunction('pqmEvent', (n: number, kind: 'progress' | 'done', a: unknown, b?: unknown) => {
      const job = jobEvents(n);
      if (kind === 'done') job.finish(a === null || a === undefined ? null : String(a));
      else {
        const p: MeadcoProgress = { status: Number(a), info: b === null || b === undefined ? null : String(b), at: Date.now() };
        job.progress.push(p);
        for (const w of job.waiting.filter((x) => x.status === p.status)) w.resolve(p);
        job.waiting = job.waiting.filter((x) => x.status !== p.status);
      }
    });
    await page.goto(`${pages.origin}/`);
    await page.waitForFunction(() => typeof (window as unknown as { MeadCo?: { ScriptX?: { Print?: { HTML?: unknown } } } }).MeadCo?.ScriptX?.Print?.HTML === 'object');

    const harness: MeadcoHarness = {
      sim,
      origin: pages.origin,
      page,
      consoleLines,
      async connect() {
        const err = await page.evaluate(
          ([server, guid]) =>
            new Promise<string | null>((done) => {
              const w = window as unknown as { MeadCo: { ScriptX: { Print: { HTML: { connectAsync(s: string, l: string, ok: () => void, fail: (e: unknown) => void): void } } } } };
              w.MeadCo.ScriptX.Print.HTML.connectAsync(server, guid, () => done(null), (e) => done(String(e)));
            }),
          [sim.url, license] as const,
        );
        if (err !== null) throw new Error(`MeadCo's connectAsync failed: ${err}`);
      },
      async printHtml(html) {
        // MeadCo's library sends prints made in quick succession 750 ms apart, each later than the
        // last (until its queue empties or 10 s pass): the answer may come well after the call.
        const answered = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/printHtml/print', { timeout: 60_000 });
        const n = nextJob++;
        const job = jobEvents(n);
        await page.evaluate(
          ([content, id]) => {
            const w = window as unknown as {
              pqmEvent(id: number, kind: 'progress' | 'done', a: unknown, b?: unknown): void;
              MeadCo: { ScriptX: { Print: { HTML: { printHtml(h: string, done: (e: string | null) => void, progress: (s: number, i: unknown) => void): boolean } } } };
            };
            const started = w.MeadCo.ScriptX.Print.HTML.printHtml(
              content,
              (e) => w.pqmEvent(id, 'done', e ?? null),
              (status, info) => w.pqmEvent(id, 'progress', status, info === undefined || info === null ? null : String(info)),
            );
            if (!started) w.pqmEvent(id, 'done', 'MeadCo did not start the print');
          },
          [html, n] as const,
        );
        const res = await answered;
        const body = (await res.json()) as { jobIdentifier?: unknown; status?: unknown };
        if (typeof body.jobIdentifier !== 'string' && typeof body.jobIdentifier !== 'number') throw new Error(`The service answered MeadCo's print with no job token: ${JSON.stringify(body)}`);
        return {
          token: String(body.jobIdentifier),
          done: job.done,
          progress: async () => [...job.progress],
          reached: (status) => {
            const seen = job.progress.find((p) => p.status === status);
            return seen ? Promise.resolve(seen) : new Promise<MeadcoProgress>((r) => job.waiting.push({ status, resolve: r }));
          },
        };
      },
      close,
    };
    return harness;
  } catch (err) {
    await close();
    throw err;
  }
}
