/**
 * IPP event notifications with the `ippget` pull method (RFC 3996; CUPS offers them): the source
 * subscribes once to the changes of its printer or server, and a fast poll is then one
 * Get-Notifications. The lease is renewed before it ends; a server that refuses the subscription
 * is polled with Get-Jobs instead.
 */
import { IppStatusError } from './client';
import { int, OP, TAG } from './codec';
import { kw, type IppContext } from './context';

/** The lease asked for, and how long before its end it is renewed. */
export const SUBSCRIPTION_LEASE_S = 600;
export const RENEW_BEFORE_MS = 120_000;
/** How long after a full read events alone are trusted (CUPS' ippget-event-life is 15 s). */
export const EVENT_LIFE_MS = 10_000;
const NOTIFY_EVENTS = ['job-created', 'job-state-changed', 'job-progress', 'job-completed', 'printer-state-changed', 'printer-added', 'printer-deleted', 'printer-modified'];

export async function subscribe(ctx: IppContext, signal: AbortSignal): Promise<void> {
  const { config, deps } = ctx;
  try {
    const a = await ctx.client.call(
      ctx.listUri,
      OP.CREATE_PRINTER_SUBSCRIPTIONS,
      [],
      signal,
      'Subscribing to changes',
      [{ tag: TAG.SUBSCRIPTION, attributes: [kw('notify-pull-method', 'ippget'), kw('notify-events', NOTIFY_EVENTS), { tag: TAG.INTEGER, name: 'notify-lease-duration', value: SUBSCRIPTION_LEASE_S }] }],
    );
    const g = a.groups.find((x) => x.tag === TAG.SUBSCRIPTION);
    const id = g ? int(g, 'notify-subscription-id') : null;
    if (id === null) throw new IppStatusError(0x0500, 'no notify-subscription-id in the answer', 'Subscribing to changes');
    const lease = (g && int(g, 'notify-lease-duration')) || SUBSCRIPTION_LEASE_S;
    ctx.subscription = { id, nextSeq: 1, expiresAt: deps.clock.now() + lease * 1000 };
    deps.logger.debug('IPP subscription created', { sourceId: config.id, subscriptionId: id, leaseSeconds: lease });
  } catch (err) {
    if (err instanceof IppStatusError) {
      // Not offered (or not to us): poll with Get-Jobs from now on.
      ctx.subscriptionsRefused = true;
      deps.logger.info('IPP server refused event subscriptions; polling the job list instead', { sourceId: config.id, status: err.statusName });
      return;
    }
    throw err;
  }
}

export async function renew(ctx: IppContext, signal: AbortSignal): Promise<void> {
  const sub = ctx.subscription;
  if (!sub) return;
  try {
    await ctx.client.call(ctx.listUri, OP.RENEW_SUBSCRIPTION, [{ tag: TAG.INTEGER, name: 'notify-subscription-id', value: sub.id }, { tag: TAG.INTEGER, name: 'notify-lease-duration', value: SUBSCRIPTION_LEASE_S }], signal, 'Renewing the subscription');
    sub.expiresAt = ctx.deps.clock.now() + SUBSCRIPTION_LEASE_S * 1000;
  } catch (err) {
    if (!(err instanceof IppStatusError)) throw err;
    ctx.subscription = null;
  }
}

/** One Get-Notifications: whether anything changed (or may have) since the last one. */
export async function changedSinceLast(ctx: IppContext, signal: AbortSignal): Promise<boolean> {
  const sub = ctx.subscription!;
  let a;
  try {
    a = await ctx.client.call(
      ctx.listUri,
      OP.GET_NOTIFICATIONS,
      [
        { tag: TAG.INTEGER, name: 'notify-subscription-ids', value: sub.id },
        { tag: TAG.INTEGER, name: 'notify-sequence-numbers', value: sub.nextSeq },
        { tag: TAG.BOOLEAN, name: 'notify-wait', value: false },
      ],
      signal,
      'Reading the changes',
    );
  } catch (err) {
    // The subscription is gone (lease ended, server restarted): read everything, subscribe again.
    if (err instanceof IppStatusError) {
      ctx.subscription = null;
      return true;
    }
    throw err;
  }
  let changed = false;
  let lost = false;
  for (const g of a.groups) {
    if (g.tag !== TAG.EVENT_NOTIFICATION) continue;
    const seq = int(g, 'notify-sequence-number');
    if (seq === null) continue;
    if (!changed && seq > sub.nextSeq) lost = true;
    changed = true;
    sub.nextSeq = Math.max(sub.nextSeq, seq + 1);
  }
  return changed || lost;
}
