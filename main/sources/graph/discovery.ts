/**
 * Which shares and printers the Universal Print source watches, and how they are: looked up on
 * the first cycle, then at most every few minutes (the discovery interval).
 */
import { describeSchemaError } from '../../http/client';
import { run } from './batch';
import { PrinterLikeSchema, PrinterPageSchema, seg } from './client';
import { SAFE_ID, bare, nextStepId, targetFrom, type GraphContext, type Step } from './context';
import type { Via, WatchedTarget } from './mapping';

/** Shares (and printers) to watch, with their status. Runs on the first cycle and when due. */
export async function discover(ctx: GraphContext, signal: AbortSignal): Promise<void> {
  const { config, deps, sharesSetting } = ctx;
  const found = new Map<string, WatchedTarget>();
  const steps: Step[] = [];
  if (sharesSetting === 'all') steps.push({ id: nextStepId(ctx), url: '/print/shares', kind: 'share-list', op: 'list-shares' });
  else for (const id of sharesSetting) steps.push({ id: nextStepId(ctx), url: `/print/shares/${seg(id)}`, kind: 'share', op: 'read-share', target: bare('shares', id) });
  for (const id of config.printers ?? []) steps.push({ id: nextStepId(ctx), url: `/print/printers/${seg(id)}`, kind: 'printer', op: 'read-printer', target: bare('printers', id) });
  if (!steps.length) {
    ctx.targets = [];
    ctx.discoveredAt = deps.clock.now();
    ctx.discoveryProblems = [];
    return;
  }
  const res = await run(ctx, steps, signal, (step, body) => {
    if (step.kind === 'share-list') {
      const page = PrinterPageSchema.safeParse(body);
      if (!page.success) return { next: null, error: `Universal Print answered the list of printer shares with an unexpected shape (${describeSchemaError(page.error)}).` };
      for (const s of page.data.value) if (SAFE_ID.test(s.id)) found.set(`shares/${s.id}`, targetFrom('shares', s));
      return { next: page.data['@odata.nextLink'] ?? null, error: null };
    }
    const one = PrinterLikeSchema.safeParse(body);
    if (!one.success) return { next: null, error: `Universal Print answered ${step.kind} "${step.target!.id}" with an unexpected shape (${describeSchemaError(one.error)}).` };
    const via: Via = step.kind === 'share' ? 'shares' : 'printers';
    const t = targetFrom(via, { ...one.data, id: step.target!.id });
    found.set(`${via}/${t.id}`, t);
    if (via === 'printers') ctx.printerNames.set(t.id, t.name);
    return { next: null, error: null };
  });
  // A chosen share or printer whose look-up failed is still watched (by id), unless it is unknown.
  for (const p of res.problems) {
    const t = p.step.target;
    if (t && p.status !== 404 && !found.has(`${t.via}/${t.id}`)) found.set(`${t.via}/${t.id}`, t);
  }
  for (const s of res.throttled) if (s.target && !found.has(`${s.target.via}/${s.target.id}`)) found.set(`${s.target.via}/${s.target.id}`, s.target);
  // A failed "all shares" listing keeps the shares known before.
  if (sharesSetting === 'all' && (res.problems.some((p) => p.step.kind === 'share-list') || res.throttled.some((s) => s.kind === 'share-list'))) {
    for (const t of ctx.targets) if (t.via === 'shares' && !found.has(`shares/${t.id}`)) found.set(`shares/${t.id}`, t);
  }
  ctx.targets = [...found.values()];
  ctx.discoveryProblems = res.problems;
  const complete = res.problems.length === 0 && res.throttled.length === 0;
  // Incomplete discovery is retried on the next cycle.
  ctx.discoveredAt = complete ? deps.clock.now() : null;
}
