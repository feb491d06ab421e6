/**
 * What a launch asks for, read from a command line: the first instance's own argv or the argv a
 * second instance hands over ('second-instance'). A deep link (Windows passes it as an argument),
 * `--track <sourceId> <id> [--kind html|pdf]`, and `--hidden` (started at login, stay in the tray).
 *
 * A second instance's argv comes from Chromium's command line, whose order Electron does not
 * promise: switches come first, plain arguments after them (in their own order), Chromium adds
 * switches of its own (`--allow-file-access-from-files`, `--original-process-start-time=...`) and
 * may put `--` before the plain arguments. So values are read by name: `--name=value` where given,
 * otherwise switches that take values (`--config`, `--track`, `--kind`) take the last plain
 * arguments, in the order of the switches. The executable and (unpackaged) the app path are plain
 * arguments too, and come first.
 */
import { HIDDEN_FLAG } from './app-identity';
import { isDeepLinkArg } from './deep-link';

export interface LaunchRequest {
  /** The raw deep link, still to be parsed (and refused) by parseDeepLink. */
  deepLink?: string;
  track?: { sourceId: string; id: string; kind?: string };
  hidden: boolean;
  /** A malformed --track, said in words. */
  problem?: string;
}

const TRACK_USAGE = '--track needs a source id and a job id: --track <sourceId> <id> [--kind html|pdf]';

/** Switches whose values may follow as separate arguments, and how many. */
const VALUE_SWITCHES: Record<string, number> = { '--config': 1, '--track': 2, '--kind': 1 };

export function readLaunchArgs(argv: readonly string[]): LaunchRequest {
  const out: LaunchRequest = { hidden: false };
  const plain: string[] = [];
  /** Value switches in order, with their inline value (if any) and how many plain values they take. */
  const wanting: { name: string; inline: string | null; takes: number }[] = [];
  let afterSeparator = false;
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i];
    if (typeof arg !== 'string') continue;
    if (isDeepLinkArg(arg)) {
      // Only the first link counts: a second one is either a duplicate or an injection attempt.
      if (out.deepLink === undefined) out.deepLink = arg;
      continue;
    }
    if (afterSeparator || !arg.startsWith('--') || arg === '--') {
      if (arg === '--' && !afterSeparator) afterSeparator = true;
      else plain.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (name === HIDDEN_FLAG) out.hidden = true;
    const arity = VALUE_SWITCHES[name];
    if (arity === undefined) continue;
    // A repeated switch: the first one counts (as for links).
    if (wanting.some((w) => w.name === name)) continue;
    const inline = eq < 0 ? null : arg.slice(eq + 1);
    wanting.push({ name, inline, takes: inline === null ? arity : arity - 1 });
  }

  const needed = wanting.reduce((n, w) => n + w.takes, 0);
  const pool = plain.slice(Math.max(0, plain.length - needed));
  // Too few plain arguments: those there are go to the earliest switches.
  const values = new Map<string, string[]>();
  for (const w of wanting) {
    const taken = pool.splice(0, w.takes);
    values.set(w.name, w.inline === null ? taken : [w.inline, ...taken]);
  }

  const track = values.get('--track');
  if (track) {
    const [sourceId, id] = track;
    if (!sourceId || !id) {
      out.problem = TRACK_USAGE;
      return out;
    }
    const request: NonNullable<LaunchRequest['track']> = { sourceId, id };
    const kind = values.get('--kind');
    if (kind) {
      if (!kind[0]) {
        out.problem = '--kind needs a value: html or pdf';
        return out;
      }
      request.kind = kind[0];
    }
    out.track = request;
  }
  return out;
}

/** What the first instance is handed by a second one, besides the argv Chromium rebuilt for it. */
export interface SecondInstanceData {
  argv: string[];
}

/** The data a second instance hands over: its own argv, exactly as it was started with. */
export function secondInstanceData(argv: readonly string[]): SecondInstanceData {
  return { argv: [...argv] };
}

/**
 * The command line of a second instance. Electron's docs: the 'second-instance' argv "will not be
 * exactly the same list of arguments as those passed to the second instance. The order might change
 * and additional arguments might be appended. If you need to maintain the exact same arguments, it's
 * advised to use additionalData instead." On Windows, Chromium also reads "-42" as a switch and moves
 * it before the plain arguments. The argv in additionalData when it is a list of strings (it comes
 * from another process: anything else is ignored), else the rebuilt one.
 */
export function secondInstanceArgv(argv: readonly string[], additionalData: unknown): readonly string[] {
  const handed = additionalData !== null && typeof additionalData === 'object' ? (additionalData as { argv?: unknown }).argv : undefined;
  if (Array.isArray(handed) && handed.length > 0 && handed.length <= 64 && handed.every((a) => typeof a === 'string' && a.length <= 8192)) return handed as string[];
  return argv;
}
