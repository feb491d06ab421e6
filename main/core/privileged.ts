/**
 * Settings that decide what code runs: the commands that start, stop and restart a local service,
 * and the update feed. They come from the settings file (or machine policy) only; the window can
 * neither set nor change them. A save from the window that leaves them out keeps the file's
 * values; one that sends a different value is refused, naming the field, and nothing is saved.
 */
import { AppFailure, type Settings } from '../../preload/contract/model';

/** Where the window says these can be changed. */
export function privilegedHint(configPath: string): string {
  return `it can be changed only in the settings file (${configPath}), not from the window`;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The settings to save from a window request: `next` with every privileged value taken from
 * `current` (the file as loaded). Throws invalid-input when `next` asks to change one.
 */
export function keepPrivileged(next: Settings, current: Settings, configPath: string): Settings {
  const refuse = (field: string, what: string): never => {
    throw new AppFailure('invalid-input', `${field}: ${what} ${privilegedHint(configPath)}; nothing was saved.`, { field });
  };
  const sources = next.sources.map((source, i) => {
    if (source.kind !== 'scriptx') return source;
    const before = current.sources.find((c) => c.id === source.id && c.kind === 'scriptx');
    const kept = before?.kind === 'scriptx' ? before.service : undefined;
    if (source.service === undefined) return kept === undefined ? source : { ...source, service: kept };
    if (!same(source.service, kept)) refuse(`settings.sources.${i}.service`, 'the commands that start, stop and restart the service decide which programs run, so');
    return source;
  });
  const feedUrl = current.updates.feedUrl;
  if (next.updates.feedUrl !== undefined && next.updates.feedUrl !== feedUrl) {
    refuse('settings.updates.feedUrl', 'the update feed decides which code is installed, so');
  }
  const updates = feedUrl === undefined ? { ...next.updates } : { ...next.updates, feedUrl };
  if (feedUrl === undefined) delete updates.feedUrl;
  return { ...next, sources, updates };
}
