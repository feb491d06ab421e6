/**
 * How Windows reads a command line, stricter than the documentation it follows, so that a test can
 * check what a batch file would really receive:
 *
 * - Node (20.12.2 / 18.20.2 and later, CVE-2024-27980) refuses to start a .bat or .cmd file without
 *   a shell: `spawn EINVAL`, thrown synchronously by execFile/spawn.
 * - `cmd.exe /d /s /c "<line>"`: with /s the first and last quote around the line are removed;
 *   the line is then read in two phases: %NAME% is replaced by the environment variable when it is
 *   defined, then `^` escapes the next character outside quotes, `"` toggles quoting, and an
 *   unescaped `& | < > ( )` outside quotes starts another command or a redirection (refused here
 *   as an injection). A batch file's arguments are read a second time.
 * - The arguments are then split as the Microsoft C runtime does (CommandLineToArgvW rules).
 */

export class CommandLineInjection extends Error {}

/** Windows runs a name ending in .bat or .cmd as a batch file, trailing dots and spaces ignored. */
const isBatch = (file: string) => /\.(bat|cmd)[\s.]*$/i.test(file);

export interface StrictExecFileCall {
  file: string;
  args: readonly string[];
  options: { shell?: boolean | string; windowsVerbatimArguments?: boolean };
}

/** Throws as Node does on Windows for a batch file started without a shell. */
export function refuseBatchWithoutShell(call: StrictExecFileCall): void {
  if (isBatch(call.file) && !call.options.shell) {
    throw Object.assign(new Error('spawn EINVAL'), { code: 'EINVAL', errno: -4071, syscall: 'spawn' });
  }
}

function expandPercent(line: string, env: Record<string, string | undefined>): string {
  let out = '';
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === '%') {
      const end = line.indexOf('%', i + 1);
      if (end > i + 1) {
        const name = line.slice(i + 1, end);
        const key = Object.keys(env).find((k) => k.toLowerCase() === name.toLowerCase());
        if (key !== undefined && env[key] !== undefined) {
          out += env[key];
          i = end + 1;
          continue;
        }
      }
    }
    out += c;
    i++;
  }
  return out;
}

/** Phase 2 of cmd's reading: carets and quotes; refuses an unescaped operator. */
function caretsAndOperators(line: string): string {
  let out = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') {
      quoted = !quoted;
      out += c;
    } else if (!quoted && c === '^') {
      i++;
      if (i < line.length) out += `\u0000${line[i]}`;
    } else if (!quoted && '&|<>()'.includes(c)) {
      throw new CommandLineInjection(`cmd.exe would treat "${c}" as an operator in: ${line}`);
    } else {
      out += c;
    }
  }
  return out;
}

/** One reading by cmd; escaped characters come back marked with \u0000 before them. */
function readOnce(line: string, env: Record<string, string | undefined>): string {
  return caretsAndOperators(expandPercent(line, env));
}

const unmark = (s: string) => s.replace(/\u0000(.)/gs, '$1');

/** Splits the command token off: delimited by an unescaped, unquoted space, tab, ; , or =. */
function splitCommand(marked: string): { command: string; rest: string } {
  let quoted = false;
  for (let i = 0; i < marked.length; i++) {
    const c = marked[i];
    if (c === '\u0000') {
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    else if (!quoted && ' \t;,='.includes(c)) return { command: marked.slice(0, i), rest: marked.slice(i + 1) };
  }
  return { command: marked, rest: '' };
}

/** CommandLineToArgvW / MSVCRT rules for the arguments part of a line. */
export function splitArguments(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    while (s[i] === ' ' || s[i] === '\t') i++;
    if (i >= s.length) break;
    let arg = '';
    let quoted = false;
    for (; i < s.length; i++) {
      const c = s[i];
      if (c === '\\') {
        let n = 0;
        while (s[i + n] === '\\') n++;
        if (s[i + n] === '"') {
          arg += '\\'.repeat(Math.floor(n / 2));
          if (n % 2 === 1) {
            arg += '"';
            i += n;
          } else {
            i += n - 1;
          }
        } else {
          arg += '\\'.repeat(n);
          i += n - 1;
        }
      } else if (c === '"') {
        if (quoted && s[i + 1] === '"') {
          arg += '"';
          i++;
        } else quoted = !quoted;
      } else if (!quoted && (c === ' ' || c === '\t')) {
        break;
      } else arg += c;
    }
    out.push(arg);
  }
  return out;
}

export interface CmdInvocation {
  /** The program cmd.exe starts (quotes removed). */
  command: string;
  /** What that program receives as its arguments. */
  args: string[];
}

/**
 * What `cmd.exe <args>` (as Node passes them with windowsVerbatimArguments) runs. Refuses anything
 * but `/d /s /c "<line>"`.
 */
export function readCmdInvocation(cmdArgs: readonly string[], env: Record<string, string | undefined> = {}): CmdInvocation {
  if (cmdArgs.length !== 4 || cmdArgs[0].toLowerCase() !== '/d' || cmdArgs[1].toLowerCase() !== '/s' || cmdArgs[2].toLowerCase() !== '/c') {
    throw new Error(`expected /d /s /c "<line>", got ${JSON.stringify(cmdArgs)}`);
  }
  const quotedLine = cmdArgs[3];
  if (!quotedLine.startsWith('"') || !quotedLine.endsWith('"') || quotedLine.length < 2) throw new Error(`the line after /s /c must be quoted: ${quotedLine}`);
  const line = quotedLine.slice(1, -1);
  if (/[\r\n\u0000]/.test(line)) throw new CommandLineInjection('a line break or NUL ends the command line');
  const first = splitCommand(readOnce(line, env));
  const command = unmark(first.command).replace(/"/g, '');
  let rest = unmark(first.rest);
  // A batch file reads its arguments once more.
  if (isBatch(command)) rest = unmark(readOnce(rest, env));
  return { command, args: splitArguments(rest) };
}
