/**
 * The one long-lived PowerShell process the spooler source speaks to (host.ps1): JSON lines in
 * both directions, requests answered in order by id, job change events in between. The process is
 * started on the first request and started again on the next request after it ends.
 */
import { spawn as spawnProcess, type ChildProcess } from 'node:child_process';
import type { Logger } from '../../ports/ports';
import { HOST_SCRIPT as hostScript } from './host-script';

/** The requests host.ps1 understands. */
export type SpoolerOp = 'jobs' | 'printers' | 'subscribe' | 'cancel' | 'pause' | 'resume';

/** How PowerShell reported a failed command: its message, error category and error id. */
export class SpoolerCommandError extends Error {
  constructor(
    message: string,
    readonly category: string,
    readonly errorId: string,
  ) {
    super(message);
    this.name = 'SpoolerCommandError';
  }
}

/** The host process could not be started, ended, or said something that is not its protocol. */
export class SpoolerHostError extends Error {
  constructor(
    message: string,
    readonly reason: 'not-started' | 'exited' | 'protocol' | 'timeout' | 'aborted',
  ) {
    super(message);
    this.name = 'SpoolerHostError';
  }
}

export type SpawnSpoolerHost = () => ChildProcess;

/** Windows PowerShell 5.1 with host.ps1, hidden, without profile or prompts. */
export const spawnPowerShellHost: SpawnSpoolerHost = () =>
  spawnProcess('powershell.exe', ['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', Buffer.from(hostScript, 'utf16le').toString('base64')], {
    stdio: ['pipe', 'pipe', 'pipe'],
    windowsHide: true,
  });

export interface JobEvent {
  change: string;
  text: string;
}

interface Pending {
  resolve: (text: string) => void;
  reject: (err: Error) => void;
}

export class SpoolerHost {
  private child: ChildProcess | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private buffer = '';
  private stderrTail = '';
  private disposed = false;

  constructor(
    private readonly spawn: SpawnSpoolerHost,
    private readonly logger: Logger,
    private readonly onJobEvent: (e: JobEvent) => void,
    /** Told when a new process has started (a subscription must be made again). */
    private readonly onStarted: () => void = () => undefined,
    private readonly timeoutMs = 30_000,
  ) {}

  get running(): boolean {
    return this.child !== null;
  }

  request(op: SpoolerOp, params: Record<string, unknown>, signal: AbortSignal): Promise<string> {
    if (this.disposed) return Promise.reject(new SpoolerHostError('The spooler host was closed.', 'exited'));
    if (signal.aborted) return Promise.reject(new SpoolerHostError('The request was canceled.', 'aborted'));
    const child = this.ensure();
    const id = this.nextId++;
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => finish(new SpoolerHostError(`Windows PowerShell did not answer "${op}" within ${Math.round(this.timeoutMs / 1000)} s.`, 'timeout')), this.timeoutMs);
      const onAbort = (): void => finish(new SpoolerHostError('The request was canceled.', 'aborted'));
      const finish = (err: Error | null, text = ''): void => {
        if (!this.pending.delete(id)) return;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(text);
      };
      this.pending.set(id, { resolve: (text) => finish(null, text), reject: (err) => finish(err) });
      signal.addEventListener('abort', onAbort, { once: true });
      child.stdin?.write(`${JSON.stringify({ id, op, ...params })}\n`);
    });
  }

  dispose(): void {
    this.disposed = true;
    this.stop(new SpoolerHostError('The spooler host was closed.', 'exited'));
  }

  private ensure(): ChildProcess {
    if (this.child) return this.child;
    let child: ChildProcess;
    try {
      child = this.spawn();
    } catch (err) {
      throw new SpoolerHostError(`Windows PowerShell could not be started: ${(err as Error).message}`, 'not-started');
    }
    this.child = child;
    this.buffer = '';
    this.stderrTail = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => this.read(child, chunk));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-2000);
    });
    child.stdin?.on('error', () => undefined);
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (this.child !== child) return;
      const words = err.code === 'ENOENT' ? 'Windows PowerShell (powershell.exe) was not found' : `Windows PowerShell could not be started: ${err.message}`;
      this.stop(new SpoolerHostError(words, 'not-started'));
    });
    child.on('exit', (code, sig) => {
      if (this.child !== child) return;
      const tail = this.stderrTail.trim().split(/\r?\n/).pop();
      this.logger.warn('The spooler host ended', { code, signal: sig });
      this.stop(new SpoolerHostError(`Windows PowerShell ended (${sig ?? `exit code ${code}`})${tail ? `: ${tail}` : ''}.`, 'exited'));
    });
    this.onStarted();
    return child;
  }

  private stop(err: Error): void {
    const child = this.child;
    this.child = null;
    // The process's own listeners ignore it from now on (they compare it with this.child).
    if (child && child.exitCode === null && child.signalCode === null) child.kill();
    for (const p of [...this.pending.values()]) p.reject(err);
  }

  private read(child: ChildProcess, chunk: string): void {
    if (this.child !== child) return;
    this.buffer += chunk;
    if (this.buffer.length > 64 * 1024 * 1024) {
      this.stop(new SpoolerHostError('Windows PowerShell wrote more than 64 MB without ending a line.', 'protocol'));
      return;
    }
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, '');
      this.buffer = this.buffer.slice(nl + 1);
      if (line.trim() !== '') this.line(line);
      if (this.child !== child) return;
    }
  }

  private line(line: string): void {
    let msg: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(line.replace(/^\uFEFF/, ''));
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      msg = parsed as Record<string, unknown>;
    } catch {
      this.stop(new SpoolerHostError(`Windows PowerShell wrote a line that is not the monitor's protocol: ${JSON.stringify(line.slice(0, 120))}.`, 'protocol'));
      return;
    }
    if (typeof msg.event === 'string') {
      if (msg.event === 'printjob') this.onJobEvent({ change: typeof msg.change === 'string' ? msg.change : '', text: typeof msg.text === 'string' ? msg.text : '' });
      return;
    }
    const p = typeof msg.id === 'number' ? this.pending.get(msg.id) : undefined;
    if (!p) return;
    if (msg.ok === true) {
      p.resolve(typeof msg.text === 'string' ? msg.text : '');
      return;
    }
    const e = (msg.error ?? {}) as Record<string, unknown>;
    p.reject(new SpoolerCommandError(typeof e.message === 'string' && e.message ? e.message : 'PowerShell reported an error without a message.', String(e.category ?? ''), String(e.errorId ?? '')));
  }
}
