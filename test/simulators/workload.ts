/**
 * A realistic, continuously changing print workload over the simulators, for the browser
 * preview, `npm run demo`, the end-to-end tests and the benchmarks. Beside the three services, an
 * IPP print server (CUPS-like) with its own queues: a held job waiting for release, jobs printing
 * page by page, and a label printer stopped for want of labels.
 *
 * What happens, tick after tick: jobs arrive on every source (ScriptX prints, Universal Print jobs
 * on shared printers, AODocs library jobs), move through their lifecycles, complete, fail, get
 * stuck, get cancelled by someone else or wait for release at the printer; and now and then one
 * source drops out (connections refused) and comes back.
 *
 * Deterministic: the same seed gives the same sequence of decisions, job ids and outages, tick by
 * tick. Speed: a tick lasts `baseTickMs / speed` of real time, and every timed lifecycle (ScriptX
 * steps) is scaled the same way, so the bench can run the same story 20x faster.
 * `step()` runs one tick by hand (tests, or a bench driving time itself).
 */
import type { SecretName, SourceConfig } from '../../preload/contract/model';
import { startAodocsSimulator, type AodocsSimulator, type JobPlan } from './aodocs/server';
import { makeJwt, startGraphSimulator, type GraphSimulator, type LifecycleStep } from './graph/server';
import { startScriptxSimulator, type ScriptxSimulator, type SimStep } from './scriptx/server';
import { startIppSimulator, type IppSimulator } from './ipp/server';
import { seededRandom } from '../helpers/seeded-random';

export const WORKLOAD_SOURCE_IDS = { scriptx: 'scriptx', graph: 'universal-print', aodocs: 'aodocs' } as const;
export type WorkloadSourceKind = keyof typeof WORKLOAD_SOURCE_IDS;
/** The IPP print server of the story (its own small story: it does not take part in outages). */
export const WORKLOAD_IPP_SOURCE_ID = 'print-server';
/** The local user's account on the print server. */
export const WORKLOAD_IPP_USER = 'alex.morgan';

/** The people of the story: the local user (whose jobs are "mine") and colleagues. */
export const WORKLOAD_USER = 'alex.morgan@contoso.example';
const COLLEAGUES = ['sam.lee@contoso.example', 'priya.nair@contoso.example', 'jordan.kim@contoso.example'];

const SCRIPTX_LICENSE = '5b7c2a10-4f3e-4b8e-9c1d-2a6f0e9d7c31';
const AODOCS_SECURITY_CODE = 'sim-security-code-7f3a9c';
const GRAPH_PRINTERS = [
  { id: 'printer-hq-2f', displayName: 'HQ 2nd floor (colour)', shareId: 'share-hq-2f', building: 'HQ', floor: '2' },
  { id: 'printer-hq-mail', displayName: 'HQ mailroom', shareId: 'share-hq-mail', building: 'HQ', floor: '0' },
  { id: 'printer-lab', displayName: 'Lab plotter', shareId: 'share-lab', building: 'Lab', floor: '1' },
];
const AODOCS_LIBRARIES = [
  { id: 'lib-contracts', name: 'Contracts' },
  { id: 'lib-hr', name: 'HR records' },
];
const SCRIPTX_PRINTERS = ['Office LaserJet', 'Label printer', 'Microsoft Print to PDF'];
const DOCUMENTS = [
  'Quarterly report.pdf', 'Invoice 20931.pdf', 'Delivery note 7781.html', 'Shipping labels.html', 'Meeting agenda.docx',
  'Floor plan A1.pdf', 'Contract renewal - Fabrikam.pdf', 'Payslips November.pdf', 'Order confirmation 5521.html',
  'Expense claim.xlsx', 'Board pack.pdf', 'Price list 2027.pdf',
];
const AODOCS_TYPES = ['EXPORT_FOLDER', 'COPY_FILE', 'IMPORT', 'MOVE_DOCUMENTS_AND_FOLDERS', 'EXPORT_FILE', 'PUSH_TO_DRIVE'];

export interface WorkloadSimulators {
  scriptx: ScriptxSimulator;
  graph: GraphSimulator;
  aodocs: AodocsSimulator;
  ipp: IppSimulator;
  /** The sources, pointed at the simulators (for a settings file). */
  sources: SourceConfig[];
  /** The secrets those sources need, by source id (for an in-memory secret store). */
  secrets: Record<string, Partial<Record<SecretName, string>>>;
  close(): Promise<void>;
}

export interface StartSimulatorsOptions {
  /** Simulated time of the three simulators; default real time. */
  now?: () => number;
  /** Page size of the Universal Print simulator. */
  graphPageSize?: number;
  /** Adds the IPP print server to `sources` (the demo and the preview CLI); its simulator runs either way. */
  printServer?: boolean;
}

/** Starts the three simulators on free 127.0.0.1 ports, with the accounts, printers and libraries of the story. */
export async function startWorkloadSimulators(opts: StartSimulatorsOptions = {}): Promise<WorkloadSimulators> {
  const now = opts.now ?? Date.now;
  const graphToken = makeJwt({ upn: WORKLOAD_USER, preferred_username: WORKLOAD_USER, name: 'Alex Morgan' });
  const started: { close(): Promise<void> }[] = [];
  try {
    const scriptx = await startScriptxSimulator({
      license: SCRIPTX_LICENSE,
      version: '2.23.1.5',
      serviceClass: 3,
      now,
      printers: SCRIPTX_PRINTERS.map((name, i) => ({ name, isDefault: i === 0, isLocal: true })),
    });
    started.push(scriptx);
    const graph = await startGraphSimulator({
      now,
      pageSize: opts.graphPageSize ?? 50,
      tokens: { [graphToken]: { kind: 'delegated', upn: WORKLOAD_USER, displayName: 'Alex Morgan' } },
      users: [{ upn: WORKLOAD_USER, displayName: 'Alex Morgan' }],
    });
    started.push(graph);
    for (const p of GRAPH_PRINTERS) {
      graph.addPrinter({ id: p.id, displayName: p.displayName, location: { building: p.building, floor: p.floor } });
      graph.addShare({ id: p.shareId, displayName: p.displayName, printerId: p.id, location: { building: p.building, floor: p.floor } });
    }
    const aodocs = await startAodocsSimulator({
      now,
      credentials: [{ scheme: 'securityCode', value: AODOCS_SECURITY_CODE, user: WORKLOAD_USER }],
      libraries: AODOCS_LIBRARIES.map((l) => ({ id: l.id, name: l.name, admins: [WORKLOAD_USER] })),
    });
    started.push(aodocs);
    const ipp = await startIppSimulator({ now });
    started.push(ipp);
    ipp.addPrinter({ name: 'front-desk', info: 'Front desk laser' });
    ipp.addPrinter({ name: 'warehouse-labels', info: 'Warehouse labels', state: 5, reasons: ['media-empty-error', 'paused'], message: 'Out of labels' });
    ipp.addJob({ printer: 'front-desk', name: 'Payroll summary.pdf', user: WORKLOAD_IPP_USER, state: 4, reasons: ['job-hold-until-specified'], impressions: 6 });
    ipp.addJob({ printer: 'front-desk', name: 'Visitor badges.pdf', user: 'sam.lee', state: 5, reasons: ['job-printing'], impressions: 40, impressionsCompleted: 3 });
    ipp.addJob({ printer: 'warehouse-labels', name: 'Pick list 8812', user: WORKLOAD_IPP_USER, state: 3, impressions: 12 });
    ipp.addJob({ printer: 'front-desk', name: 'Welcome letter.docx', user: WORKLOAD_IPP_USER, state: 9, reasons: ['job-completed-successfully'], impressions: 1, impressionsCompleted: 1 });

    const sources: SourceConfig[] = [
      { id: WORKLOAD_SOURCE_IDS.scriptx, kind: 'scriptx', name: 'ScriptX.Services (simulated)', baseUrl: scriptx.url },
      {
        id: WORKLOAD_SOURCE_IDS.graph,
        kind: 'graph',
        name: 'Universal Print (simulated)',
        baseUrl: graph.baseUrl,
        shares: GRAPH_PRINTERS.map((p) => p.shareId),
        scope: 'mine',
        userPrincipalName: WORKLOAD_USER,
      },
      {
        id: WORKLOAD_SOURCE_IDS.aodocs,
        kind: 'aodocs',
        name: 'AODocs (simulated)',
        baseUrl: aodocs.baseUrl,
        libraryIds: AODOCS_LIBRARIES.map((l) => l.id),
        user: WORKLOAD_USER,
        auth: 'securityCode',
      },
    ];
    if (opts.printServer) sources.push({ id: WORKLOAD_IPP_SOURCE_ID, kind: 'ipp', name: 'Print server (simulated IPP)', url: ipp.url, user: WORKLOAD_IPP_USER, scope: 'all' });
    const secrets: WorkloadSimulators['secrets'] = {
      [WORKLOAD_SOURCE_IDS.scriptx]: { LICENSE: SCRIPTX_LICENSE },
      [WORKLOAD_SOURCE_IDS.graph]: { TOKEN: graphToken },
      [WORKLOAD_SOURCE_IDS.aodocs]: { SECURITY_CODE: AODOCS_SECURITY_CODE },
    };
    return {
      scriptx,
      graph,
      aodocs,
      ipp,
      sources,
      secrets,
      close: async () => {
        await Promise.allSettled(started.map((s) => s.close()));
      },
    };
  } catch (err) {
    await Promise.allSettled(started.map((s) => s.close()));
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// The workload
// ---------------------------------------------------------------------------------------------

export type JobFate = 'completes' | 'fails' | 'stuck' | 'canceled-by-other' | 'waits-for-release';

export type WorkloadEvent =
  | { tick: number; type: 'job-added'; source: WorkloadSourceKind; id: string; fate: JobFate; document: string; owner: string }
  | { tick: number; type: 'source-down'; source: WorkloadSourceKind }
  | { tick: number; type: 'source-up'; source: WorkloadSourceKind }
  | { tick: number; type: 'error'; message: string };

export interface WorkloadOptions {
  /** Same seed, same story. Default 1. */
  seed?: number;
  /** 1: about one decision a second; 10: ten times faster (ticks and ScriptX lifecycles). */
  speed?: number;
  /** Real duration of one tick at speed 1. Default 1000 ms. */
  baseTickMs?: number;
  /** Chance, per tick, that a new job arrives (0..1). Default 0.6. */
  arrivalRate?: number;
  /** No new arrivals while this many of the workload's jobs are still active. Default 24. */
  maxActive?: number;
  /** Jobs added by `start()` before the first tick. Default 9. */
  initialJobs?: number;
  /** A source drops out every this many ticks (0: never). Default 40. */
  outageEveryTicks?: number;
  /** ...for this many ticks. Default 10. */
  outageTicks?: number;
  /**
   * ScriptX has no job list: the monitor watches the tokens it is given. Called for every ScriptX
   * job the workload submits (the preview hands it to the app core's trackJob).
   */
  trackScriptx?: (token: string, kind: 'html' | 'pdf') => Promise<unknown> | void;
  onEvent?: (e: WorkloadEvent) => void;
}

export interface Workload {
  /** Adds the initial jobs and starts ticking on a real timer. */
  start(): Promise<void>;
  /** Runs one tick now (deterministic; for tests and a bench that drives time itself). */
  step(): Promise<void>;
  /** Stops the timer and brings every source back up. */
  stop(): Promise<void>;
  readonly ticks: number;
  readonly tickMs: number;
  /** Every decision so far, in order. */
  readonly events: readonly WorkloadEvent[];
  /** The source currently dropped out, if any. */
  readonly down: WorkloadSourceKind | null;
}

/** Same seed, same story (mulberry32). */
export { seededRandom };

const OUTAGE_ORDER: WorkloadSourceKind[] = ['aodocs', 'scriptx', 'graph'];
/** The fates of the first jobs, so the opening minutes show every situation. */
const OPENING_FATES: JobFate[] = ['completes', 'fails', 'stuck', 'waits-for-release', 'canceled-by-other', 'completes', 'fails', 'waits-for-release', 'completes'];

/** Ticks (seconds at speed 1) until a stuck job ends, and until a job waiting for release is released. */
const STUCK_ENDS_AFTER: [number, number] = [110, 170];
const RELEASED_AFTER: [number, number] = [25, 50];

export function createWorkload(sims: Pick<WorkloadSimulators, 'scriptx' | 'graph' | 'aodocs'> & Partial<Pick<WorkloadSimulators, 'ipp'>>, opts: WorkloadOptions = {}): Workload {
  const ipp = sims.ipp;
  const ippRandom = seededRandom((opts.seed ?? 1) + 7919);
  const speed = opts.speed ?? 1;
  if (!(speed > 0 && Number.isFinite(speed))) throw new Error(`Workload speed must be a positive number, not ${String(opts.speed)}.`);
  const tickMs = Math.max(1, Math.round((opts.baseTickMs ?? 1000) / speed));
  const random = seededRandom(opts.seed ?? 1);
  const arrivalRate = opts.arrivalRate ?? 0.6;
  const maxActive = opts.maxActive ?? 24;
  const initialJobs = opts.initialJobs ?? 9;
  const outageEvery = opts.outageEveryTicks ?? 40;
  const outageTicks = opts.outageTicks ?? 10;
  const events: WorkloadEvent[] = [];

  let ticks = 0;
  let serial = 0;
  let timer: ReturnType<typeof setInterval> | null = null;
  let running: Promise<void> = Promise.resolve();
  let down: WorkloadSourceKind | null = null;
  let downUntil = 0;
  let outageIndex = 0;
  /** The workload's jobs that are not final yet: source + id. */
  const active = new Map<string, { source: WorkloadSourceKind; id: string; printerId?: string; fate: JobFate; cancelAtTick?: number; endAtTick?: number }>();

  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const chance = (p: number): boolean => random() < p;
  const between = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));

  function emit(e: WorkloadEvent): void {
    events.push(e);
    if (events.length > 5000) events.splice(0, events.length - 5000);
    try {
      opts.onEvent?.(e);
    } catch {
      /* an observer never stops the story */
    }
  }

  function chooseFate(): JobFate {
    const r = random();
    if (r < 0.6) return 'completes';
    if (r < 0.74) return 'fails';
    if (r < 0.84) return 'stuck';
    if (r < 0.93) return 'canceled-by-other';
    return 'waits-for-release';
  }

  /** ScriptX lifecycle in real milliseconds, scaled by the speed. */
  function scriptxSteps(kind: 'html' | 'pdf', fate: JobFate): SimStep[] {
    const s = (seconds: number): number => Math.round((seconds * 1000) / speed);
    const printing = kind === 'pdf' ? 8 : 5;
    const base: SimStep[] = [
      { status: 1, afterMs: 0 },
      { status: 2, afterMs: s(between(1, 2)) },
      { status: 3, afterMs: s(between(3, 4)) },
      { status: 4, afterMs: s(between(5, 6)) },
    ];
    switch (fate) {
      case 'completes':
      case 'canceled-by-other':
        return [...base, { status: printing, afterMs: s(between(7, 9)) }, { status: 6, afterMs: s(between(12, 22)) }];
      case 'fails':
        return [...base, { status: printing, afterMs: s(7) }, { status: -1, message: 'The printer reported a paper jam.', afterMs: s(between(10, 14)) }];
      case 'stuck': {
        // Stuck long enough to be flagged, then ScriptX.Services abandons it.
        const end = between(STUCK_ENDS_AFTER[0], STUCK_ENDS_AFTER[1]);
        return [...base, { status: printing, afterMs: s(7) }, { status: -2, message: 'Abandoned: the job did not finish printing.', afterMs: s(end) }];
      }
      case 'waits-for-release': {
        const released = between(RELEASED_AFTER[0], RELEASED_AFTER[1]);
        return [...base, { status: 7, message: 'Paused at the printer.', afterMs: s(7) }, { status: printing, afterMs: s(released) }, { status: 6, afterMs: s(released + 5) }];
      }
    }
  }

  /** The tick at which a job the services leave waiting ends (released, or canceled by an administrator). */
  function endTickOf(fate: JobFate): number | undefined {
    if (fate === 'stuck') return ticks + between(STUCK_ENDS_AFTER[0], STUCK_ENDS_AFTER[1]);
    if (fate === 'waits-for-release') return ticks + between(RELEASED_AFTER[0], RELEASED_AFTER[1]);
    return undefined;
  }

  function graphLifecycle(fate: JobFate): LifecycleStep[] {
    const pending: LifecycleStep = { state: 'pending', description: 'The print job is waiting to be picked up.' };
    const processing: LifecycleStep = { state: 'processing', details: ['interpreting'], description: 'The printer is processing the job.' };
    const printing: LifecycleStep = { state: 'processing', details: ['printing'], description: 'Printing.' };
    switch (fate) {
      case 'completes':
      case 'canceled-by-other':
        return [pending, processing, printing, printing, { state: 'completed', details: ['completedSuccessfully'], description: 'Printed.' }];
      case 'fails':
        return [pending, processing, { state: 'aborted', details: ['printerOffline'], description: 'The printer went offline.', errorCode: 101 }];
      case 'stuck':
        return [pending, processing];
      case 'waits-for-release':
        return [{ state: 'paused', details: ['releaseWait'], description: 'The print job is waiting to be released at the printer.' }];
    }
  }

  function aodocsPlan(fate: JobFate, total: number): JobPlan {
    switch (fate) {
      case 'fails':
        return { tasksPerTick: between(1, 3), failEvery: 3, failAfter: Math.max(2, Math.floor(total / 2)) };
      case 'stuck':
      case 'waits-for-release':
        return { tasksPerTick: 0, stuck: true };
      default:
        return { tasksPerTick: between(1, 3), failEvery: chance(0.2) ? 7 : 0 };
    }
  }

  async function addJob(source: WorkloadSourceKind, fate: JobFate = chooseFate()): Promise<void> {
    const document = pick(DOCUMENTS);
    const mine = chance(0.7);
    const owner = mine ? WORKLOAD_USER : pick(COLLEAGUES);
    serial++;
    let id: string;
    if (source === 'scriptx') {
      const kind: 'html' | 'pdf' = document.endsWith('.html') ? 'html' : 'pdf';
      id = sims.scriptx.addJob({ kind, steps: scriptxSteps(kind, fate) });
      active.set(`scriptx/${id}`, { source, id, fate, cancelAtTick: fate === 'canceled-by-other' ? ticks + between(4, 8) : undefined });
      try {
        await opts.trackScriptx?.(id, kind);
      } catch (err) {
        emit({ tick: ticks, type: 'error', message: `Tracking ScriptX job ${id} failed: ${(err as Error).message}` });
      }
    } else if (source === 'graph') {
      const printer = pick(GRAPH_PRINTERS);
      id = `wl-${(opts.seed ?? 1).toString(36)}-${serial.toString().padStart(5, '0')}`;
      sims.graph.addJob({
        id,
        printerId: printer.id,
        shareId: printer.shareId,
        // Universal Print in "mine" scope shows the signed-in user's jobs; colleagues' jobs are there too for admins.
        upn: owner,
        userDisplayName: owner.split('@')[0].replace('.', ' '),
        displayName: document,
        lifecycle: graphLifecycle(fate),
        documents: [{ displayName: document, contentType: document.endsWith('.pdf') ? 'application/pdf' : 'application/oxps', size: between(20, 4000) * 1024 }],
      });
      active.set(`graph/${id}`, { source, id, printerId: printer.id, fate, cancelAtTick: fate === 'canceled-by-other' ? ticks + between(2, 5) : undefined, endAtTick: endTickOf(fate) });
    } else {
      const total = between(5, 40);
      const library = pick(AODOCS_LIBRARIES);
      id = `wl-${(opts.seed ?? 1).toString(36)}-${serial.toString().padStart(5, '0')}`;
      sims.aodocs.addJob({ jobId: id, libraryId: library.id, requestor: owner, type: pick(AODOCS_TYPES), totalTasks: total, plan: aodocsPlan(fate, total) });
      if (fate === 'fails') sims.aodocs.addEvent(id, { message: `Task failed: "${document}" could not be copied (quota exceeded).`, severity: 'ERROR' });
      active.set(`aodocs/${id}`, { source, id, fate, cancelAtTick: fate === 'canceled-by-other' ? ticks + between(3, 6) : undefined, endAtTick: endTickOf(fate) });
    }
    emit({ tick: ticks, type: 'job-added', source, id, fate, document, owner });
  }

  function isFinal(j: { source: WorkloadSourceKind; id: string; printerId?: string }): boolean {
    if (j.source === 'scriptx') {
      const s = sims.scriptx.jobStatus(j.id);
      return !s || s.final;
    }
    if (j.source === 'graph') {
      const job = sims.graph.getJob(j.printerId ?? '', j.id);
      return !job || ['completed', 'canceled', 'aborted'].includes(job.status.state);
    }
    const job = sims.aodocs.getJob(j.id);
    return !job || job.status !== 'IN_PROGRESS';
  }

  function endWaiting(j: { source: WorkloadSourceKind; id: string; printerId?: string; fate: JobFate }): void {
    if (j.source === 'aodocs') sims.aodocs.cancel(j.id);
    else if (j.source === 'graph') {
      if (j.fate === 'waits-for-release') sims.graph.setJobStatus(j.printerId ?? '', j.id, { state: 'completed', details: ['completedSuccessfully'], description: 'Released at the printer and printed.' });
      else sims.graph.setJobStatus(j.printerId ?? '', j.id, { state: 'canceled', details: [], description: 'Canceled by an administrator: the job was stuck.' });
    }
  }

  async function setDown(source: WorkloadSourceKind, isDown: boolean): Promise<void> {
    if (source === 'scriptx') await sims.scriptx.setFault(isDown ? { type: 'refuse' } : null);
    else if (source === 'graph') {
      if (isDown) sims.graph.injectFault(null, { kind: 'status', status: 503, code: 'serviceUnavailable', message: 'The service is temporarily unavailable.' }, Number.POSITIVE_INFINITY);
      else sims.graph.clearFaults();
    } else if (isDown) await sims.aodocs.goOffline();
    else await sims.aodocs.goOnline();
  }

  async function tick(): Promise<void> {
    ticks++;
    // Outages: one source at a time drops out, then comes back.
    if (down && ticks >= downUntil) {
      const back = down;
      down = null;
      await setDown(back, false);
      emit({ tick: ticks, type: 'source-up', source: back });
    } else if (!down && outageEvery > 0 && ticks % outageEvery === 0) {
      const which = OUTAGE_ORDER[outageIndex++ % OUTAGE_ORDER.length];
      down = which;
      downUntil = ticks + outageTicks;
      await setDown(which, true);
      emit({ tick: ticks, type: 'source-down', source: which });
    }

    // Lifecycles the simulators do not run on their own clock.
    if (ticks % 2 === 0) sims.graph.tick();
    sims.aodocs.tick();
    if (ipp) {
      ipp.tick(1);
      // Its own random sequence, so the other sources' story is the same with or without it.
      if (ippRandom() < 0.15) {
        const mine = ippRandom() < 0.5;
        ipp.addJob({ printer: 'front-desk', name: DOCUMENTS[Math.floor(ippRandom() * DOCUMENTS.length)], user: mine ? WORKLOAD_IPP_USER : 'priya.nair', impressions: 2 + Math.floor(ippRandom() * 10), ...(mine && ippRandom() < 0.3 ? { state: 4, reasons: ['job-hold-until-specified'] } : { state: 3, reasons: ['none'] }) });
      }
    }

    // Someone else cancels a job.
    for (const [k, j] of active) {
      if (j.cancelAtTick !== undefined && ticks >= j.cancelAtTick) {
        j.cancelAtTick = undefined;
        if (isFinal(j)) continue;
        if (j.source === 'aodocs') sims.aodocs.cancel(j.id);
        else if (j.source === 'graph') sims.graph.setJobStatus(j.printerId ?? '', j.id, { state: 'canceled', details: [], description: 'Canceled by sam.lee@contoso.example.' });
        // ScriptX has no "cancelled by another user": its jobs simply complete.
      }
      // Jobs left waiting end: released at the printer, or canceled by an administrator once stuck.
      if (j.endAtTick !== undefined && ticks >= j.endAtTick) {
        j.endAtTick = undefined;
        if (!isFinal(j)) endWaiting(j);
      }
      if (isFinal(j)) active.delete(k);
    }

    // Arrivals.
    if (active.size < maxActive && chance(arrivalRate)) {
      const r = random();
      await addJob(r < 0.4 ? 'scriptx' : r < 0.75 ? 'graph' : 'aodocs');
    }
  }

  function step(): Promise<void> {
    running = running.then(tick, tick).catch((err: unknown) => {
      emit({ tick: ticks, type: 'error', message: `Workload tick failed: ${(err as Error).message}` });
    });
    return running;
  }

  return {
    async start() {
      if (timer) return;
      const order: WorkloadSourceKind[] = ['scriptx', 'graph', 'aodocs'];
      for (let i = 0; i < initialJobs; i++) await addJob(order[i % order.length], OPENING_FATES[i % OPENING_FATES.length]);
      timer = setInterval(() => void step(), tickMs);
      timer.unref?.();
    },
    step,
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
      if (down) {
        const back = down;
        down = null;
        await setDown(back, false).catch(() => undefined);
      }
    },
    get ticks() {
      return ticks;
    },
    tickMs,
    get events() {
      return events;
    },
    get down() {
      return down;
    },
  };
}
