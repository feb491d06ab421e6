/**
 * IPP event notifications with the `ippget` pull method (RFC 3996; CUPS offers them): the source
 * subscribes once to the changes of its printer or server, and a fast poll is then one
 * Get-Notifications. The lease is renewed before it ends; a server that refuses the subscription
 * (a printer speaking only IPP/1.0 or 1.1 without RFC 3995) is polled with Get-Jobs instead. A
 * subscription given up on is canceled at once, and the ones left when the source stops then, so
 * the server does not keep events for nobody until the lease ends (CUPS holds at most 100
 * subscriptions for all its clients together, MaxSubscriptions).
 */
import { HttpError } from '../../http/client';
import { errorWords } from '../shared';
import { IPP_STATUS, IppStatusError, IppVersionError } from './client';
import { int, OP, TAG } from './codec';
import { kw, type IppContext, type IppSubscription } from './context';

/** The lease asked for, and how long before its end it is renewed. */
export const SUBSCRIPTION_LEASE_S = 600;
export const RENEW_BEFORE_MS = 120_000;
/** How long after a full read events alone are trusted (CUPS' ippget-event-life is 15 s). */
export const EVENT_LIFE_MS = 10_000;
/** How long stopping waits for the server to confirm the cancellations. */
export const CANCEL_TIMEOUT_MS = 2_000;
/**
 * How long a refusal that proves nothing (HTTP 400, which a proxy may send too, or an IPP error
 * other than operation-not-supported) stops the source from subscribing: it asks again then.
 */
export const SUBSCRIBE_AGAIN_MS = 10 * 60_000;
/** Subscriptions whose cancellation failed, kept for the sweep when the source stops: at most. */
export const MAX_ABANDONED = 10;
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
    const sub = { id, nextSeq: 1, expiresAt: deps.clock.now() + lease * 1000 };
    deps.logger.debug('IPP subscription created', { sourceId: config.id, subscriptionId: id, leaseSeconds: lease });
    // Stopped while it was being made: given back at once.
    if (ctx.stopped) await cancelAll(ctx, [sub]);
    else ctx.subscription = sub;
  } catch (err) {
    // No IPP version accepted: the poll says so (the read that follows would fail alike).
    if (err instanceof IppVersionError) throw err;
    // Refused: polled with Get-Jobs. For good when the server does not know the operation (or
    // cannot read the request, in IPP's words); a bare HTTP 400 (a proxy may send it) or another
    // IPP error may pass, and the server is asked again after SUBSCRIBE_AGAIN_MS.
    if (err instanceof IppStatusError || (err instanceof HttpError && err.kind === 'http' && err.status === 400)) {
      const definitive = err instanceof IppStatusError && (err.status === IPP_STATUS.OPERATION_NOT_SUPPORTED || err.status === IPP_STATUS.BAD_REQUEST);
      ctx.subscribeAfter = definitive ? Infinity : deps.clock.now() + SUBSCRIBE_AGAIN_MS;
      deps.logger.info(definitive ? 'IPP server refused event subscriptions; polling the job list instead' : 'IPP server refused an event subscription; polling the job list, and asking again later', {
        sourceId: config.id,
        status: err instanceof IppStatusError ? err.statusName : `HTTP ${err.status}`,
        version: ctx.client.versionFor(ctx.listUri),
        ...(definitive ? {} : { againInSeconds: SUBSCRIBE_AGAIN_MS / 1000 }),
      });
      return;
    }
    throw err;
  }
}

/** Whether the server has said it no longer holds the subscription. */
const isGone = (err: unknown): boolean => err instanceof IppStatusError && (err.status === IPP_STATUS.NOT_FOUND || err.status === IPP_STATUS.GONE);

/**
 * The subscription failed (its lease ended, the server restarted or refused it): a new one is made
 * at the next poll. One the server did not say it has lost is canceled at once, in the background;
 * only one whose cancellation failed is kept, for the sweep when the source stops. Otherwise a
 * lasting failure would leave one live subscription on the server per poll.
 */
function drop(ctx: IppContext, err: IppStatusError): void {
  const sub = ctx.subscription;
  ctx.subscription = null;
  if (!sub || isGone(err)) return;
  const done = cancelAll(ctx, [sub]).then((failed) => {
    ctx.canceling.delete(done);
    if (failed.length && !ctx.stopped) keepAbandoned(ctx, failed);
  });
  ctx.canceling.add(done);
}

/** Keeps subscriptions for the stop-time sweep: not those whose lease has ended, MAX_ABANDONED at most (the newest). */
function keepAbandoned(ctx: IppContext, subs: readonly IppSubscription[]): void {
  const now = ctx.deps.clock.now();
  ctx.abandoned = [...ctx.abandoned, ...subs].filter((s) => s.expiresAt > now).slice(-MAX_ABANDONED);
}

/**
 * Cancels the subscriptions the source made and the server may still hold (Cancel-Subscription,
 * RFC 3995), when the source stops (the app quits, the source is removed or switched off).
 * Best effort: all at once, for CANCEL_TIMEOUT_MS at most; a refusal is logged, never thrown.
 */
export async function cancelSubscriptions(ctx: IppContext): Promise<void> {
  ctx.stopped = true;
  const now = ctx.deps.clock.now();
  // A subscription whose lease has ended is gone from the server already.
  const held = [...(ctx.subscription ? [ctx.subscription] : []), ...ctx.abandoned].filter((s) => s.expiresAt > now);
  ctx.subscription = null;
  ctx.abandoned = [];
  // The cancellations already under way (each CANCEL_TIMEOUT_MS at most) end alongside.
  await Promise.all([cancelAll(ctx, held), ...ctx.canceling]);
}

/** Cancels the subscriptions, all at once, for CANCEL_TIMEOUT_MS at most; resolves with those that may still be held. */
async function cancelAll(ctx: IppContext, subs: readonly IppSubscription[]): Promise<IppSubscription[]> {
  if (!subs.length) return [];
  const { config, deps } = ctx;
  const signal = AbortSignal.timeout(CANCEL_TIMEOUT_MS);
  const failed: IppSubscription[] = [];
  await Promise.all(
    subs.map(async (sub) => {
      try {
        await ctx.client.call(ctx.listUri, OP.CANCEL_SUBSCRIPTION, [{ tag: TAG.INTEGER, name: 'notify-subscription-id', value: sub.id }], signal, `Canceling subscription ${sub.id}`);
        deps.logger.debug('IPP subscription canceled', { sourceId: config.id, subscriptionId: sub.id });
      } catch (err) {
        // Already ended on the server: nothing to give back.
        if (isGone(err)) return;
        failed.push(sub);
        deps.logger.warn('IPP subscription could not be canceled; the server ends it when its lease runs out', { sourceId: config.id, subscriptionId: sub.id, error: errorWords(err) });
      }
    }),
  );
  return failed;
}

export async function renew(ctx: IppContext, signal: AbortSignal): Promise<void> {
  const sub = ctx.subscription;
  if (!sub) return;
  try {
    await ctx.client.call(ctx.listUri, OP.RENEW_SUBSCRIPTION, [{ tag: TAG.INTEGER, name: 'notify-subscription-id', value: sub.id }, { tag: TAG.INTEGER, name: 'notify-lease-duration', value: SUBSCRIPTION_LEASE_S }], signal, 'Renewing the subscription');
    sub.expiresAt = ctx.deps.clock.now() + SUBSCRIPTION_LEASE_S * 1000;
  } catch (err) {
    if (!(err instanceof IppStatusError)) throw err;
    drop(ctx, err);
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
      drop(ctx, err);
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
