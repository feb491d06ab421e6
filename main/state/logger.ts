/**
 * A Logger writing JSON lines to a size-rotated file, every line passed through the Redactor.
 *
 * Why not electron-log: its Node entry runs without Electron, but its file transport keeps a
 * single archive (`*.old.log`) unless given a custom archive function, writes text lines rather
 * than JSON, and has no hook that sees the structured data before formatting, where redaction must
 * happen. This logger is small: synchronous appends (a crash loses no line), rotation by size,
 * keeping `keep` older files (`<name>.1` newest ... `<name>.<keep>` oldest).
 */
import { appendFileSync, mkdirSync, renameSync, rmSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock, Logger } from '../ports/ports';
import { systemClock } from '../ports/ports';
import { createRedactor, type Redactor } from './redact';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface FileLoggerOptions {
  dir: string;
  /** main.log for the app, cli.log for the CLI: each process rotates only its own file. */
  fileName?: string;
  maxBytes?: number;
  keep?: number;
  level?: LogLevel;
  redactor?: Redactor;
  clock?: Clock;
  /** Also echo to this function (the CLI's --verbose writes to stderr). Gets the redacted line. */
  echo?: (line: string) => void;
  /** Told once that the log file cannot be written (and logging stops); default: a process warning. */
  onBroken?: (message: string) => void;
}

export interface FileLogger extends Logger {
  readonly path: string;
  /** The current file and the rotated ones, newest first. */
  files(): string[];
}

export function createFileLogger(opts: FileLoggerOptions): FileLogger {
  const fileName = opts.fileName ?? 'main.log';
  const path = join(opts.dir, fileName);
  const maxBytes = opts.maxBytes ?? 1_000_000;
  const keep = Math.max(0, opts.keep ?? 5);
  const min = ORDER[opts.level ?? 'info'];
  const redactor = opts.redactor ?? createRedactor();
  const clock = opts.clock ?? systemClock;
  let size: number | null = null;
  let broken = false;

  const rotate = (): void => {
    rmSync(`${path}.${keep}`, { force: true });
    for (let i = keep - 1; i >= 1; i--) {
      if (existsSync(`${path}.${i}`)) renameSync(`${path}.${i}`, `${path}.${i + 1}`);
    }
    if (keep > 0) renameSync(path, `${path}.1`);
    else rmSync(path, { force: true });
    size = 0;
  };

  const write = (level: LogLevel, message: string, data?: Record<string, unknown>): void => {
    if (ORDER[level] < min || broken) return;
    const entry: Record<string, unknown> = { at: new Date(clock.now()).toISOString(), level, message: redactor.redactText(message) };
    if (data && Object.keys(data).length) entry.data = redactor.redactValue(data);
    let line: string;
    try {
      line = `${JSON.stringify(entry)}\n`;
    } catch {
      line = `${JSON.stringify({ at: entry.at, level, message: entry.message, data: '[unserializable]' })}\n`;
    }
    try {
      if (size === null) {
        mkdirSync(opts.dir, { recursive: true });
        try {
          size = statSync(path).size;
        } catch {
          size = 0;
        }
      }
      if (size > 0 && size + line.length > maxBytes) rotate();
      appendFileSync(path, line, { mode: 0o600 });
      size += Buffer.byteLength(line);
    } catch (err) {
      // Logging must never take the program down; say so once where someone may see it.
      broken = true;
      const message = `Print Queue Monitor cannot write its log file ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); it goes on without it.`;
      if (opts.onBroken) opts.onBroken(message);
      else process.emitWarning(message);
    }
    opts.echo?.(line.trimEnd());
  };

  return {
    path,
    files: () => [path, ...Array.from({ length: keep }, (_, i) => `${path}.${i + 1}`)].filter((p) => existsSync(p)),
    debug: (m, d) => write('debug', m, d),
    info: (m, d) => write('info', m, d),
    warn: (m, d) => write('warn', m, d),
    error: (m, d) => write('error', m, d),
  };
}

/** A Logger that redacts and forwards to another (for tests and for wrapping console loggers). */
export function redactingLogger(inner: Logger, redactor: Redactor): Logger {
  const wrap = (fn: Logger['info']) => (m: string, d?: Record<string, unknown>) => fn(redactor.redactText(m), d ? redactor.redactValue(d) : undefined);
  return { debug: wrap(inner.debug.bind(inner)), info: wrap(inner.info.bind(inner)), warn: wrap(inner.warn.bind(inner)), error: wrap(inner.error.bind(inner)) };
}
