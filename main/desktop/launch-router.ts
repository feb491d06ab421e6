/**
 * Acts on what a launch asks for (first instance, second instance, macOS open-url): tracks a job
 * through the same validated contract the window uses, or opens the window on a job. Refusals are
 * shown as an app notice and logged; nothing here throws.
 */
import { dispatch, type Events, type Handlers } from '../../preload/contract/contract';
import type { AppError } from '../../preload/contract/model';
import type { EventName } from '../../preload/contract/channels';
import type { Logger } from '../ports/ports';
import { readLaunchArgs } from './argv';
import { parseDeepLink } from './deep-link';

export interface LaunchRouterDeps {
  handlers: Handlers;
  /** Turns a thrown error into the envelope (the core's, which hides secrets); default: as is. */
  toError?: (err: unknown) => AppError;
  /** Source ids configured right now. */
  sourceIds(): Iterable<string>;
  emit<E extends EventName>(event: E, payload: Events[E]): void;
  /** Brings the window to the front (shown, restored, focused). */
  showWindow(): void;
  logger: Logger;
}

export type LaunchOutcome =
  | { type: 'none' }
  | { type: 'shown' }
  | { type: 'navigated'; key: string }
  | { type: 'refused'; message: string };

export interface LaunchRouter {
  /** A second instance's argv (its first entries are the executable and, unpackaged, the app path). */
  handleArgv(argv: readonly string[], opts?: { firstInstance?: boolean }): Promise<LaunchOutcome>;
  /** A deep link received on its own (macOS 'open-url'). */
  handleUrl(url: string): Promise<LaunchOutcome>;
}

export function createLaunchRouter(deps: LaunchRouterDeps): LaunchRouter {
  const refuse = (message: string): LaunchOutcome => {
    deps.logger.warn('Launch request refused.', { reason: message });
    deps.showWindow();
    deps.emit('app:notice', { level: 'warning', message });
    return { type: 'refused', message };
  };
  const known = (id: string) => {
    for (const s of deps.sourceIds()) if (s === id) return true;
    return false;
  };

  async function track(input: { sourceId: string; id: string; kind?: string; title?: string; printer?: string }): Promise<LaunchOutcome> {
    if (!known(input.sourceId)) return refuse(`There is no source "${input.sourceId.slice(0, 40)}" in the settings.`);
    const payload: Record<string, unknown> = { sourceId: input.sourceId, id: input.id };
    for (const name of ['kind', 'title', 'printer'] as const) if (input[name] !== undefined) payload[name] = input[name];
    const result = await dispatch(deps.handlers, 'trackJob', payload, deps.toError);
    if (!result.ok) return refuse(`The job could not be tracked: ${result.error.message}`);
    const key = (result.value as { key: string }).key;
    deps.showWindow();
    deps.emit('app:navigate', { key });
    return { type: 'navigated', key };
  }

  async function handleUrl(url: string): Promise<LaunchOutcome> {
    const parsed = parseDeepLink(url, known);
    if (!parsed.ok) return refuse(parsed.message);
    const link = parsed.link;
    if (link.action === 'track') return track(link);
    deps.showWindow();
    deps.emit('app:navigate', { key: link.key });
    return { type: 'navigated', key: link.key };
  }

  return {
    handleUrl,
    async handleArgv(argv, opts = {}) {
      const req = readLaunchArgs(argv);
      if (req.deepLink !== undefined) return handleUrl(req.deepLink);
      if (req.problem) return refuse(req.problem);
      if (req.track) return track(req.track);
      // A plain second launch means "show me the app"; the first instance shows its window itself
      // (unless started --hidden).
      if (opts.firstInstance) return { type: 'none' };
      deps.showWindow();
      return { type: 'shown' };
    },
  };
}
