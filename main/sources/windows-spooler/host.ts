/**
 * The one long-lived PowerShell process the spooler source speaks to (host.ps1): JSON lines in
 * both directions, requests answered in order by id, job change events in between. The process is
 * started on the first request and started again on the next request after it ends.
 */
import { spawn as spawnProcess, type ChildProcess } from 'node:child_process';
import type { Logger } from '../../ports/ports';
import { powershellPath } from '../shared';
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

/** Windows PowerShell 5.1 (by its full path) with host.ps1, hidden, without profile or prompts. */
export const spawnPowerShellHost: SpawnSpoolerHost = () =>
  spawnProcess(powershellPath(), ['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', Buffer.from(hostScript, 'utf16le').toString('base64')], {
    stdio: ['pipe', 'pipe', 'pipe'],
    windowsHide: true,
  });

export interface JobEvent {
  change: string;
  text: string;
}

interface Pending {
  /** The process the request was written to. */
  child: ChildProcess;
  resolve: (text: string) => void;
  reject: (err: Error) => void;
}

export class SpoolerHost {
  /** The process new requests go to; null until the next request starts one. */
  private child: ChildProcess | null = null;
  private nextId = 1;
  /** Requests written and not answered yet, of this process and of any that ended and has not closed yet. */
  private readonly pending = new Map<number, Pending>();
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
      // host.ps1 answers one request at a time: one that hangs (a CIM query waiting on a printer
      // server that does not answer) holds every later one. The process is stopped, so that the
      // next request starts a new one.
      const timer = setTimeout(() => {
        this.logger.warn('The spooler host did not answer; stopping it', { op });
        this.stop(new SpoolerHostError(`Windows PowerShell did not answer "${op}" within ${Math.round(this.timeoutMs / 1000)} s; it was stopped and starts again with the next request.`, 'timeout'), child);
      }, this.timeoutMs);
      const onAbort = (): void => finish(new SpoolerHostError('The request was canceled.', 'aborted'));
      const finish = (err: Error | null, text = ''): void => {
        if (!this.pending.delete(id)) return;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(text);
      };
      this.pending.set(id, { child, resolve: (text) => finish(null, text), reject: (err) => finish(err) });
      signal.addEventListener('abort', onAbort, { once: true });
      child.stdin?.write(`${JSON.stringify({ id, op, ...params })}\n`);
    });
  }

  dispose(): void {
    this.disposed = true;
    const closed = new SpoolerHostError('The spooler host was closed.', 'exited');
    if (this.child) this.stop(closed, this.child);
    for (const p of [...this.pending.values()]) p.reject(closed);
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
    let buffer = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      buffer = this.read(child, buffer + chunk);
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-8000);
    });
    child.stdin?.on('error', () => undefined);
    child.on('error', (err: NodeJS.ErrnoException) => {
      const words = err.code === 'ENOENT' ? 'Windows PowerShell (powershell.exe) was not found' : `Windows PowerShell could not be started: ${err.message}`;
      this.stop(new SpoolerHostError(words, 'not-started'), child);
    });
    // The next request starts a new process at once; the requests this one had are answered
    // when its output is closed ('close' follows 'exit' once Node has read what the process
    // wrote), with what PowerShell wrote on its error stream before it ended: the reason it ended.
    child.on('exit', () => {
      if (this.child === child) this.child = null;
    });
    child.on('close', (code, sig) => {
      const said = powershellErrorMessage(stderr);
      this.logger.warn('The spooler host ended', { code, signal: sig, said });
      this.stop(new SpoolerHostError(`Windows PowerShell ended (${sig ?? `exit code ${code}`})${said ? `: ${said.replace(/\.$/, '')}` : ''}.`, 'exited'), child);
    });
    this.onStarted();
    return child;
  }

  /** Stops one process (if it still runs) and fails the requests written to it. */
  private stop(err: Error, child: ChildProcess): void {
    if (this.child === child) this.child = null;
    if (child.exitCode === null && child.signalCode === null) child.kill();
    for (const p of [...this.pending.values()]) if (p.child === child) p.reject(err);
  }

  /** Reads the complete lines of a process's output; returns what is left of the last, unfinished one. */
  private read(child: ChildProcess, text: string): string {
    let rest = text;
    if (rest.length > 64 * 1024 * 1024) {
      this.stop(new SpoolerHostError('Windows PowerShell wrote more than 64 MB without ending a line.', 'protocol'), child);
      return '';
    }
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, nl).replace(/\r$/, '');
      rest = rest.slice(nl + 1);
      if (line.trim() !== '' && !this.line(child, line)) return '';
    }
    return rest;
  }

  /** One line of a process's protocol; false when it is not the protocol (the process is stopped). */
  private line(child: ChildProcess, line: string): boolean {
    let msg: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(line.replace(/^\uFEFF/, ''));
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      msg = parsed as Record<string, unknown>;
    } catch {
      this.stop(new SpoolerHostError(`Windows PowerShell wrote a line that is not the monitor's protocol: ${JSON.stringify(line.slice(0, 120))}.`, 'protocol'), child);
      return false;
    }
    if (typeof msg.event === 'string') {
      if (msg.event === 'printjob') this.onJobEvent({ change: typeof msg.change === 'string' ? msg.change : '', text: typeof msg.text === 'string' ? msg.text : '' });
      return true;
    }
    const p = typeof msg.id === 'number' ? this.pending.get(msg.id) : undefined;
    if (!p || p.child !== child) return true;
    if (msg.ok === true) {
      p.resolve(typeof msg.text === 'string' ? msg.text : '');
      return true;
    }
    const e = (msg.error ?? {}) as Record<string, unknown>;
    p.reject(new SpoolerCommandError(typeof e.message === 'string' && e.message ? e.message : 'PowerShell reported an error without a message.', String(e.category ?? ''), String(e.errorId ?? '')));
    return true;
  }
}

const XML_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** The text of the error stream PowerShell wrote as CLIXML (`#< CLIXML` then `<Objs>…<S S="Error">…</S>…</Objs>`). */
function clixmlErrorText(text: string): string {
  return [...text.matchAll(/<S S="Error">([\s\S]*?)<\/S>/g)]
    .map((m) =>
      m[1]!
        .replace(/&(lt|gt|amp|quot|apos);|&#(\d+);|&#x([0-9a-fA-F]+);/g, (all, name: string | undefined, dec: string | undefined, hex: string | undefined) =>
          name ? XML_ENTITIES[name]! : String.fromCodePoint(dec ? Number(dec) : parseInt(hex!, 16)),
        )
        .replace(/_x([0-9a-fA-F]{4})_/g, (_, code: string) => String.fromCharCode(parseInt(code, 16))),
    )
    .join('');
}

/**
 * What PowerShell said last on its error stream, in one line: the message of its last error.
 * Windows PowerShell started with -EncodedCommand and a redirected error stream writes it as CLIXML;
 * otherwise as its error view (the message, then "At line:…", the code marked with "+ ~~~", and the
 * "+ CategoryInfo" and "+ FullyQualifiedErrorId" lines). Null when it said nothing.
 */
export function powershellErrorMessage(stderr: string): string | null {
  const text = stderr.includes('#< CLIXML') ? clixmlErrorText(stderr) : stderr;
  const records: string[][] = [[]];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() !== '') records.at(-1)!.push(line.trim());
    if (/^\s*\+ FullyQualifiedErrorId\b/.test(line)) records.push([]);
  }
  const last = records.findLast((r) => r.length > 0);
  if (!last) return null;
  return last.find((l) => !/^(\+|At line:\d|At .+:\d+ char:\d)/.test(l)) ?? last[0]!;
}
