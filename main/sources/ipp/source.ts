/**
 * The IPP source: one network printer (`ipp://host/printers/<name>`, `ipps://...`) or every queue
 * of a CUPS server (`http://host:631`), through the printer's own protocol (RFC 8011). Wiring only:
 * polling is in poll.ts (event subscriptions in subscription.ts), Cancel-Job, Hold-Job,
 * Release-Job and details in actions.ts, the words for failures in errors.ts. Stopping it cancels
 * its event subscriptions.
 */
import type { IppSourceConfig } from '../../../preload/contract/model';
import type { JobSource } from '../../queue/source';
import type { SourceDeps } from '../deps';
import { act, details } from './actions';
import { createIppContext, type IppSourceOptions } from './context';
import { poll } from './poll';
import { cancelSubscriptions } from './subscription';

export { ippTarget, type IppSourceOptions, type IppTarget } from './context';
export { SUBSCRIPTION_LEASE_S } from './subscription';

export function createIppSource(config: IppSourceConfig, deps: SourceDeps, opts: IppSourceOptions = {}): JobSource {
  const ctx = createIppContext(config, deps, opts);
  return {
    id: config.id,
    kind: 'ipp',
    name: ctx.name,
    loopback: false,
    poll: (pollCtx) => poll(ctx, pollCtx),
    act: (job, action, signal) => act(ctx, job, action, signal),
    details: (job, signal) => details(ctx, job, signal),
    dispose: () => cancelSubscriptions(ctx),
  };
}
