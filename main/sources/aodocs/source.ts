/**
 * The AODocs source: the jobs of the configured document libraries (imports, exports, moves,
 * deletions, ...) beside the print jobs. Wiring only: polling is in poll.ts, the cancel action and
 * details in actions.ts, tracked ids in tracked.ts, the words for failures in errors.ts.
 */
import type { AodocsSourceConfig } from '../../../preload/contract/model';
import type { JobSource } from '../../queue/source';
import type { SourceDeps } from '../deps';
import { act, details } from './actions';
import { createAodocsContext, type AodocsSourceOptions } from './context';
import { poll } from './poll';
import { track, untrack } from './tracked';

export type { AodocsSourceOptions } from './context';

export function createAodocsSource(config: AodocsSourceConfig, deps: SourceDeps, opts: AodocsSourceOptions = {}): JobSource {
  const ctx = createAodocsContext(config, deps, opts);
  return {
    id: config.id,
    kind: 'aodocs',
    name: ctx.name,
    loopback: false,
    poll: (pollCtx) => poll(ctx, pollCtx),
    act: (job, action, signal) => act(ctx, job, action, signal),
    track: (id, _opts, signal) => track(ctx, id, signal),
    untrack: (job) => untrack(ctx, job),
    details: (job, signal, opts) => details(ctx, job, signal, opts),
  };
}
