/**
 * Starts the spooler host's stand-in (powershell-host.mjs) as the source would start Windows PowerShell,
 * and drives it: seed and change printers and jobs, inject failures, wait for the requests the
 * source sends. Each control message resolves once the stand-in has applied it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const STAND_IN_PATH = fileURLToPath(new URL('./powershell-host.mjs', import.meta.url));

export interface StandInJob {
  printer: string;
  JobId: number;
  Document?: string | null;
  Owner?: string | null;
  StatusMask?: number;
  TotalPages?: number;
  PagesPrinted?: number;
  Size?: number;
  submittedMs?: number;
  /** Actions on it are refused with access denied (another user's job). */
  denied?: boolean;
}

export interface StandInPrinter {
  Name: string;
  PrinterStatus: number;
  DetectedErrorState: number;
  /** Absent: written as null, as Select-Object gives a property the driver leaves empty. */
  ExtendedDetectedErrorState?: number;
  WorkOffline: boolean;
  ExtendedPrinterStatus: number;
}

export type StandInControl =
  | { type: 'seed'; printers?: StandInPrinter[]; jobs?: StandInJob[]; refuseSubscribe?: boolean }
  | { type: 'job'; job: StandInJob }
  | { type: 'remove'; printer: string; jobId: number }
  | { type: 'printer'; printer: Partial<StandInPrinter> & { Name: string } }
  | { type: 'spooler'; running: boolean }
  | { type: 'refuseSubscribe'; refuse: boolean }
  /** The next request is answered with this line instead. */
  | { type: 'garbage'; line: string }
  /** From now on no request is answered (a CIM call that never returns holds every later one). */
  | { type: 'hang' }
  /** Ends the process, having written `stderr` on its error stream. */
  | { type: 'exit'; code?: number; stderr?: string };

export interface StandInRequest {
  id?: unknown;
  op?: unknown;
  [k: string]: unknown;
}

export interface StandIn {
  /** The spawn function the source is given: each call starts a new stand-in process, seeded as the last one was. */
  spawn: () => ChildProcess;
  /** Sends a control message to the running process and resolves once it is applied. */
  control(msg: StandInControl): Promise<void>;
  /** Every request the source sent, in order, across processes. */
  readonly requests: StandInRequest[];
  /** Resolves when a request matching `match` has arrived (counting those already seen after `from`). */
  nextRequest(match: (r: StandInRequest) => boolean, from?: number): Promise<StandInRequest>;
  readonly spawned: number;
  stop(): void;
}

export interface StandInSeed {
  printers: StandInPrinter[];
  jobs: StandInJob[];
  /** Register-CimIndicationEvent is refused (access denied). */
  refuseSubscribe?: boolean;
  /** Every process fails before its first line, having written this on its error stream (CLIXML as PowerShell writes it). */
  failAtStart?: string;
}

export function createStandIn(seed: StandInSeed): StandIn {
  let child: ChildProcess | null = null;
  let seq = 0;
  let spawned = 0;
  const acks = new Map<number, () => void>();
  const requests: StandInRequest[] = [];
  const waiters: { match: (r: StandInRequest) => boolean; from: number; resolve: (r: StandInRequest) => void }[] = [];
  let lastSeed = seed;

  function check(): void {
    for (const w of [...waiters]) {
      const found = requests.slice(w.from).find(w.match);
      if (found) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(found);
      }
    }
  }

  return {
    requests,
    get spawned() {
      return spawned;
    },
    spawn() {
      spawned++;
      const c = fork(STAND_IN_PATH, [], { stdio: ['pipe', 'pipe', 'pipe', 'ipc'], env: { ...process.env, PQM_SPOOLER_SEED: JSON.stringify(lastSeed) } });
      c.on('message', (m: { type: string; seq?: number; request?: StandInRequest }) => {
        if (m.type === 'ack' && m.seq !== undefined) acks.get(m.seq)?.();
        if (m.type === 'request' && m.request) {
          requests.push(m.request);
          check();
        }
      });
      child = c;
      return c;
    },
    control(msg) {
      const c = child;
      if (!c || !c.connected) return Promise.reject(new Error('the stand-in is not running'));
      if (msg.type === 'seed') lastSeed = { ...lastSeed, printers: msg.printers ?? lastSeed.printers, jobs: msg.jobs ?? lastSeed.jobs };
      const n = ++seq;
      return new Promise<void>((resolve, reject) => {
        acks.set(n, () => {
          acks.delete(n);
          resolve();
        });
        if (msg.type === 'exit') {
          c.once('exit', () => {
            acks.delete(n);
            resolve();
          });
        }
        c.send({ ...msg, seq: n }, (err) => err && reject(err));
      });
    },
    nextRequest(match, from = 0) {
      return new Promise((resolve) => {
        waiters.push({ match, from, resolve });
        check();
      });
    },
    stop() {
      if (child && child.exitCode === null) child.kill();
      child = null;
    },
  };
}
