/**
 * Source ids and job keys (docs/interfaces.md, "Ids and keys"): plain functions without the zod
 * schemas of model.ts, so that the window's first code (and the notification rules it runs) can use
 * them without building every schema. model.ts re-exports them.
 */

/**
 * The most job keys one request names (cancelJobs, cancelPrinterJobs: the contract's schemas); a
 * longer list is refused `invalid-input`. The window sends more in requests of at most this many,
 * one after another: 1000 keys stay far below the web transport's limit on one message.
 */
export const MAX_KEYS_PER_REQUEST = 1000;

export const SOURCE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;

export function makeJobKey(sourceId: string, locator: string): string {
  return `${sourceId}:${locator}`;
}

export function parseJobKey(key: string): { sourceId: string; locator: string } | null {
  const i = key.indexOf(':');
  if (i <= 0 || i === key.length - 1) return null;
  const sourceId = key.slice(0, i);
  if (!SOURCE_ID_PATTERN.test(sourceId)) return null;
  return { sourceId, locator: key.slice(i + 1) };
}
