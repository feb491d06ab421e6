/**
 * The ScriptX.Services source: the local print service of MeadCo ScriptX (Windows PC edition, found
 * through the orchestrator or by probing ports) or an On-Premise server (a configured URL).
 *
 * The API lists no jobs, so the source follows job tokens: those of jobs the app prints itself, and
 * those handed in (`pqm track`, the track deep link, a pasted token). Tokens are persisted in the
 * tracked store so the app and the CLI share them and tracking survives a restart (tracked.ts).
 *
 * Each active token is polled with its own status endpoint (printHtml or printPdf), never more than
 * twice in any second and never two requests at once; a final token is never asked about again
 * (poll.ts). The service deletes a finished job once anyone has read its final status (often the
 * page that printed it): a 404 for a job last seen printing or completed means it finished;
 * earlier, it is gone (mapping.ts).
 */
import type { ScriptxSourceConfig } from '../../../preload/contract/model';
import type { JobSource } from '../../queue/source';
import type { SourceDeps } from '../deps';
import { act, downloadOutput } from './actions';
import { createScriptxContext, type ScriptxSourceOptions } from './context';
import { poll } from './poll';
import { print, retry } from './printing';
import { serviceAction, serviceInfo } from './service';
import { track, untrack } from './tracked';

export { DEFAULT_MAX_FILE_BYTES, LICENSE_WARNING_DAYS, type ScriptxSourceOptions } from './context';
export { CANCEL_VERSION_MESSAGE, LICENSE_PROBLEM } from './errors';
export { CANCELED_AS_REQUESTED_REASON, CANCEL_REQUESTED_REASON, CANCEL_TOO_LATE_REASON, FORGOTTEN_REASON, VANISHED_REASON } from './mapping';

export function createScriptxSource(config: ScriptxSourceConfig, deps: SourceDeps, opts: ScriptxSourceOptions = {}): JobSource {
  const ctx = createScriptxContext(config, deps, opts);
  return {
    id: config.id,
    kind: 'scriptx',
    name: ctx.name,
    loopback: ctx.loopback,
    poll: (pollCtx) => poll(ctx, pollCtx),
    act: (job, action, signal) => act(ctx, job, action, signal),
    track: (id, trackOpts, signal) => track(ctx, id, trackOpts, signal),
    untrack: (job) => untrack(ctx, job),
    print: (req, file, printCtx) => print(ctx, req, file, printCtx.signal),
    retry: (job, signal) => retry(ctx, job, signal),
    downloadOutput: (job, signal) => downloadOutput(ctx, job, signal),
    serviceInfo: (signal) => serviceInfo(ctx, signal),
    serviceAction: (req, signal) => serviceAction(ctx, req, signal),
  };
}
