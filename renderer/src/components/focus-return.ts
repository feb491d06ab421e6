/**
 * Where the focus goes when a dialog, menu or panel closes (the WAI-ARIA dialog pattern): back to
 * the element that opened it while that is still in the window; otherwise to a place the caller
 * names (the row or the grid a dialog acted on), else the dialog still open below, else the queue.
 * Never to the page itself: when the element the focus went back to is removed or disabled by what
 * the dialog did (a job's Cancel button once the job is canceled), the focus moves on the same way.
 */

export const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** The place a closing dialog names for the focus when its opener is gone; null: none of its own. */
export type FocusFallback = () => HTMLElement | null | undefined;

function isElement(el: unknown): el is HTMLElement {
  return !!el && typeof (el as HTMLElement).focus === 'function' && (el as Node).nodeType === 1;
}

/** Whether the focus can go to `el` and stay there: in the window, enabled, not hidden. */
function usable(el: unknown, closing?: Element | null): el is HTMLElement {
  if (!isElement(el) || !el.isConnected || el === document.body) return false;
  if (closing?.contains(el)) return false;
  if ((el as HTMLButtonElement).disabled) return false;
  return !el.closest('[hidden], [inert]');
}

/** Whether the focus is nowhere in particular: on the page itself, or on an element that can no longer hold it. */
function focusLost(): boolean {
  const active = document.activeElement;
  return !active || active === document.body || !usable(active);
}

/** The elements of `root` the focus can go to (Tab, a dialog's first control): enabled, not in a hidden or inert part, in order. */
export function focusableIn(root: Element): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => usable(el));
}

/** Where the focus goes first in `root`: its element marked data-autofocus, else its first control (hidden parts skipped). */
export function firstFocusable(root: Element | null | undefined): HTMLElement | null {
  if (!root) return null;
  const marked = root.querySelector<HTMLElement>('[data-autofocus]');
  return usable(marked) ? marked : (focusableIn(root)[0] ?? null);
}

/**
 * The logical place when nothing named is there: the top-most dialog left open (not `closing`),
 * else the queue grid, else the first control of the queue's area, else of the window.
 */
export function logicalFocusTarget(closing?: Element | null): HTMLElement | null {
  const open = [...document.querySelectorAll<HTMLElement>('.modal')].filter((m) => m !== closing && !closing?.contains(m));
  const top = open[open.length - 1];
  if (top) return firstFocusable(top) ?? top;
  const grid = document.querySelector<HTMLElement>('[role="grid"]');
  if (usable(grid, closing)) return grid;
  return [firstFocusable(document.querySelector('main')), firstFocusable(document.body)].find((el) => usable(el, closing)) ?? null;
}

/** What had the focus when each dialog still in memory opened. */
const openers = new WeakMap<Element, Element | null>();

/**
 * The opener of the dialog a removed element was in, when that dialog closed with it (a
 * confirmation over Settings whose answer closed Settings too): where that dialog gave it back.
 */
function openerOf(target: Element | null, closing?: Element | null): HTMLElement | null {
  let el = target;
  for (let depth = 0; el && !el.isConnected && depth < 8; depth++) {
    const dialog = el.closest('.modal');
    if (!dialog || !openers.has(dialog)) return null;
    el = openers.get(dialog) ?? null;
  }
  return el && usable(el, closing) && el !== target ? el : null;
}

/**
 * Remembers `before`, what had the focus as `dialog` opened (by default what has it now: call it
 * before moving the focus in, or pass what had it when the dialog was first drawn, before its
 * contents could take it); the answer gives the focus back as the dialog closes (see returnFocus).
 */
export function focusOpener(dialog: Element | null, fallback?: FocusFallback, before: Element | null = document.activeElement): () => void {
  if (dialog) openers.set(dialog, before);
  return () => returnFocus(before, fallback, dialog);
}

/** How long after a dialog closed the focus is still moved on should what holds it be removed or disabled. */
export const FOCUS_WATCH_MS = 10_000;

/** Stops the watch of the last focus given back, if any. */
let stopWatching: (() => void) | null = null;

/**
 * Gives the focus back to `target` when `closing` (the dialog or panel going away) has it, or it
 * is lost: to `fallback()` when `target` is gone, else to the logical place. Then, until the user
 * moves the focus on, puts it at the fallback again should what holds it be removed or disabled.
 */
export function returnFocus(target: Element | null, fallback?: FocusFallback, closing?: Element | null): void {
  const active = document.activeElement;
  if (!closing?.contains(active) && !focusLost()) return;
  stopWatching?.();
  const place = () => {
    const named = fallback?.();
    return usable(named, closing) ? named : (openerOf(target, closing) ?? logicalFocusTarget(closing));
  };
  const first = usable(target, closing) ? target : place();
  first?.focus({ preventScroll: true });
  const held = document.activeElement;

  const observer = new MutationObserver(() => {
    if (!focusLost()) return;
    stop();
    place()?.focus({ preventScroll: true });
  });
  const onFocusIn = (e: Event) => {
    if (e.target !== held) stop();
  };
  // What the dialog did has shown by then: later changes are the queue's own, not its.
  const timer = setTimeout(stop, FOCUS_WATCH_MS);
  function stop() {
    clearTimeout(timer);
    observer.disconnect();
    document.removeEventListener('focusin', onFocusIn, true);
    document.removeEventListener('pointerdown', stop, true);
    document.removeEventListener('keydown', stop, true);
    if (stopWatching === stop) stopWatching = null;
  }
  observer.observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['disabled', 'hidden', 'inert'] });
  document.addEventListener('focusin', onFocusIn, true);
  // The user going on (a click, a key) ends the watch: what they do next is theirs.
  document.addEventListener('pointerdown', stop, true);
  document.addEventListener('keydown', stop, true);
  stopWatching = stop;
}
