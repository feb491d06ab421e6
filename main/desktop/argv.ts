/**
 * What a launch asks for, read from a command line: the first instance's own argv or the argv a
 * second instance hands over ('second-instance'). A deep link (Windows passes it as an argument),
 * `--track <sourceId> <id> [--kind html|pdf]`, and `--hidden` (started at login, stay in the tray).
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

export function readLaunchArgs(argv: readonly string[]): LaunchRequest {
  const out: LaunchRequest = { hidden: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (typeof arg !== 'string') continue;
    if (arg === HIDDEN_FLAG) {
      out.hidden = true;
    } else if (isDeepLinkArg(arg)) {
      // Only the first link counts: a second one is either a duplicate or an injection attempt.
      if (out.deepLink === undefined) out.deepLink = arg;
    } else if (arg === '--track' || arg.startsWith('--track=')) {
      const inline = arg.startsWith('--track=') ? arg.slice('--track='.length) : null;
      const sourceId = inline ?? argv[i + 1];
      const id = inline === null ? argv[i + 2] : argv[i + 1];
      if (!sourceId || !id || sourceId.startsWith('--') || id.startsWith('--')) {
        out.problem = '--track needs a source id and a job id: --track <sourceId> <id> [--kind html|pdf]';
        continue;
      }
      i += inline === null ? 2 : 1;
      const track: LaunchRequest['track'] = { sourceId, id };
      if (argv[i + 1] === '--kind') {
        const kind = argv[i + 2];
        if (kind === undefined) out.problem = '--kind needs a value: html or pdf';
        else track.kind = kind;
        i += 2;
      } else if (argv[i + 1]?.startsWith('--kind=')) {
        track.kind = argv[i + 1].slice('--kind='.length);
        i += 1;
      }
      if (out.track === undefined) out.track = track;
    }
  }
  return out;
}
