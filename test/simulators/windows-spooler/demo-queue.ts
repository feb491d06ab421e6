/**
 * The demo's print queues on "this PC": the spooler host's stand-in (powershell-host.mjs) with a
 * small story, for the browser preview and `npm run demo` where it falls back to the preview.
 * A ScriptX job printed on the simulated ScriptX.Services to "Office LaserJet" is handed to the
 * stand-in's queue of that printer under its title, prints page by page and leaves the queue,
 * and then another one comes; beside it, a label printer out of paper holds a job, and a
 * colleague's job waits.
 */
import { safeUserName } from '../../../main/sources/shared';
import type { SourceConfig } from '../../../preload/contract/model';
import type { ScriptxSimulator } from '../scriptx/server';
import { createStandIn, type StandIn, type StandInJob, type StandInPrinter } from './stand-in';

export const DEMO_SPOOLER_SOURCE_ID = 'this-pc';
export const DEMO_HANDOVER_PRINTER = 'Office LaserJet';
const PAGES = 7;

const printer = (Name: string, over: Partial<StandInPrinter> = {}): StandInPrinter => ({ Name, PrinterStatus: 3, DetectedErrorState: 2, WorkOffline: false, ExtendedPrinterStatus: 2, ...over });

export interface DemoSpoolerQueue {
  /** The spooler source of the demo's settings. */
  source: SourceConfig;
  /** What the app starts in place of Windows PowerShell. */
  spawn: StandIn['spawn'];
  /** Prints the first handed-over job and starts the story; `track` hands a ScriptX token to the app. */
  start(track: (token: string, title: string, printer: string) => Promise<unknown>): Promise<void>;
  /** The title of the handed-over job now printing. */
  readonly current: string;
  /** One step of the story now (tests; the story steps by itself every tickMs). */
  step(): Promise<void>;
  stop(): void;
}

export function createDemoSpoolerQueue(opts: { scriptx: ScriptxSimulator; tickMs?: number; now?: () => number }): DemoSpoolerQueue {
  const now = opts.now ?? Date.now;
  // The signed-in user, as the spooler source sees it: the demo's jobs are "mine".
  const owner = safeUserName() || 'alex.morgan';
  let n = 0;
  let jobId = 40;
  let printing: StandInJob | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;
  let track: ((token: string, title: string, printer: string) => Promise<unknown>) | null = null;
  const title = () => `Delivery note ${7790 + n}.html`;

  /** A ScriptX job that prints at once and completes a second later, handed to the queue as Windows spools it. */
  function handOver(): { token: string; job: StandInJob } {
    n++;
    const token = opts.scriptx.addJob({ steps: [{ status: 5, afterMs: 0 }, { status: 6, afterMs: 1500 }] });
    printing = { printer: DEMO_HANDOVER_PRINTER, JobId: ++jobId, Document: title(), Owner: owner, StatusMask: 16, TotalPages: PAGES, PagesPrinted: 0, Size: 48_128, submittedMs: now() };
    return { token, job: printing };
  }

  const first = handOver();
  const standIn = createStandIn({
    printers: [printer(DEMO_HANDOVER_PRINTER), printer('Label printer', { PrinterStatus: 1, DetectedErrorState: 4 }), printer('Microsoft Print to PDF')],
    jobs: [
      first.job,
      { printer: 'Label printer', JobId: 12, Document: 'Pick list 8813', Owner: owner, StatusMask: 64, TotalPages: 12, PagesPrinted: 0, Size: 9_216, submittedMs: now() - 240_000 },
      { printer: DEMO_HANDOVER_PRINTER, JobId: 39, Document: 'Team rota.xlsx', Owner: 'sam.lee', StatusMask: 0, TotalPages: 2, PagesPrinted: 0, Size: 20_480, submittedMs: now() - 30_000 },
    ],
  });

  /** One step of the story: a page printed; the last one leaves the queue; then the next hand-over. */
  async function tick(): Promise<void> {
    if (printing === null) {
      const next = handOver();
      await standIn.control({ type: 'job', job: next.job });
      await track?.(next.token, title(), DEMO_HANDOVER_PRINTER);
      return;
    }
    const pages = (printing.PagesPrinted ?? 0) + 1;
    if (pages > PAGES) {
      await standIn.control({ type: 'remove', printer: printing.printer, jobId: printing.JobId });
      printing = null;
      return;
    }
    printing = { ...printing, PagesPrinted: pages };
    await standIn.control({ type: 'job', job: printing });
  }

  return {
    source: { id: DEMO_SPOOLER_SOURCE_ID, kind: 'windows-spooler', name: 'Print queues on this PC (stand-in)', scope: 'all' },
    spawn: standIn.spawn,
    get current() {
      return title();
    },
    step: tick,
    async start(t) {
      track = t;
      await t(first.token, title(), DEMO_HANDOVER_PRINTER);
      timer = setInterval(() => {
        // The stand-in starts with the app's first poll and again after it ends: a step it misses is skipped.
        tick().catch(() => undefined);
      }, opts.tickMs ?? 3_000);
    },
    stop() {
      if (timer !== null) clearInterval(timer);
      timer = null;
      standIn.stop();
    },
  };
}

