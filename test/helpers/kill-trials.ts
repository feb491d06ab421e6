/**
 * Kill -9 trials against a writer process (see stop-in-write.ts): each writer is started, loaded and
 * waiting for "go" while the previous one is being tested, so a trial costs a couple of writes and a
 * kill rather than a process start on the critical path. Rounds either stop the writer at a named
 * point of its second write and kill it there (every time, however loaded the machine is), or kill
 * it at a point spread over its write cycle.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { STOP_STAGES, type StopStage } from './stop-in-write';

export interface WaitingWriter {
  child: ReturnType<typeof spawn>;
  /** Resolves when the writer has printed this exact line. */
  line(l: string): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

/** Starts `node <script> ...args`; it prints "ready" once loaded and waits for a line on stdin. */
export function startWaitingWriter(script: string, args: string[]): WaitingWriter {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const seen = new Set<string>();
  const waiting = new Map<string, { resolve(): void; reject(e: Error): void }[]>();
  let closed = false;
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const l of lines) {
      seen.add(l);
      for (const w of waiting.get(l) ?? []) w.resolve();
      waiting.delete(l);
    }
  });
  // 'close', not 'exit': stderr is then read to the end.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      closed = true;
      for (const [l, ws] of waiting) for (const w of ws) w.reject(new Error(`the writer ended (${signal ?? code}) before printing "${l}": ${stderr}`));
      waiting.clear();
      resolve({ code, signal });
    }),
  );
  return {
    child,
    exited,
    stderr: () => stderr,
    line: (l) => {
      if (seen.has(l)) return Promise.resolve();
      if (closed) return Promise.reject(new Error(`the writer ended before printing "${l}": ${stderr}`));
      return new Promise<void>((resolve, reject) => waiting.set(l, [...(waiting.get(l) ?? []), { resolve, reject }]));
    },
  };
}

/** Round r's plan: a stage to stop in, or null for a kill spread over the write cycle. */
export function stageOfRound(round: number): StopStage | null {
  const plan: (StopStage | null)[] = [null, ...STOP_STAGES];
  return plan[round % plan.length]!;
}

export interface TrialResult {
  round: number;
  stage: StopStage | null;
  signal: NodeJS.Signals | null;
}

/**
 * Runs `rounds` trials. `start(round, stage)` starts a waiting writer whose first completed write
 * prints `firstWrite`; `check` runs after each kill, before the next writer goes.
 */
export async function runKillTrials(opts: {
  rounds: number;
  start(round: number, stage: StopStage | null): WaitingWriter;
  firstWrite: string;
  check(r: TrialResult): Promise<void>;
}): Promise<TrialResult[]> {
  const results: TrialResult[] = [];
  let next = opts.start(0, stageOfRound(0));
  try {
    for (let round = 0; round < opts.rounds; round++) {
      const cur = next;
      const stage = stageOfRound(round);
      await cur.line('ready');
      if (round + 1 < opts.rounds) next = opts.start(round + 1, stageOfRound(round + 1));
      const kill = () => cur.child.kill('SIGKILL');
      const goAt = performance.now();
      cur.child.stdin!.write('go\n');
      await cur.line(opts.firstWrite);
      if (stage) {
        await cur.line(`in-write ${stage}`);
        kill();
      } else {
        // Somewhere in the next write cycle (read, merge, write, rename), a different point each round.
        const delay = Math.floor(((round * 0.618034) % 1) * (performance.now() - goAt));
        if (delay === 0) kill();
        else setTimeout(kill, delay);
      }
      const exit = await cur.exited;
      if (cur.stderr() !== '') throw new Error(`round ${round}: the writer wrote to stderr: ${cur.stderr()}`);
      const r = { round, stage, signal: exit.signal };
      results.push(r);
      await opts.check(r);
    }
  } finally {
    next.child.kill('SIGKILL');
  }
  return results;
}
