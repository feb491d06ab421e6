/**
 * The window's first frame drawn by the app itself, into the page it serves (main/desktop/
 * first-frame.ts): the same App, the same components and the same store the window runs, put in
 * from the app's own answers to the window's first requests (its settings and the first rows of
 * the queue), rendered to markup in the app's process. The page then shows its rows as soon as it
 * is read, before any of its scripts has run; the window's code takes the markup over when the
 * whole queue is in (start.tsx), drawing over it in place.
 *
 * One owner for the rows' markup: this renders the components the window renders, never a copy.
 * Runs in Node (no DOM): nothing here or in what it renders may touch `window` or `document`
 * while rendering (effects, which do, never run in a render to markup).
 */
import { h } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { PrintQueueBridge, Snapshot, SettingsView } from '../../preload/contract/contract';
import { App, type ThemeChoice } from './App';
import { createStore } from './state/store';
import { useFormatLocale } from './i18n/format';
import { assumeViewport, gridPlacementCss } from './components/QueueGrid';
import { FIRST_FRAME_ATTRIBUTE } from './boot';

export { FIRST_FRAME_ATTRIBUTE };


/**
 * The first rows the app reads for the frame it draws (getSnapshot `first`): more than the frame
 * draws (the rows a window of FALLBACK_ROWS_HEIGHT shows, QueueGrid.tsx), fewer than the window asks
 * for when it draws its first rows itself (boot.ts, FIRST_ROWS).
 */
export const FIRST_FRAME_ROWS = 60;

export interface FirstFrameInput {
  settings: SettingsView;
  /** getSnapshot with `first`: the first rows under the saved view choices, and the queue's size. */
  head: Snapshot;
  /** The locale the window formats in (the system's regional format on the desktop; the browser's language in the preview). */
  locale: string | undefined;
  /** The window's content size in CSS pixels when the app knows it (the desktop's window); null: unknown (the preview). */
  viewport?: { width: number; height: number } | null;
}

export interface FirstFrame {
  /** The markup of the window's #app element. */
  html: string;
  /**
   * CSS rules, scoped to the page's #app while it holds the frame, for what the window's layout
   * effects would have written into the DOM (the grid's columns, its rows' places: QueueGrid's
   * gridPlacementCss); they lapse once the window takes the frame over and writes its own.
   */
  css: string;
  /** The theme the settings choose, for the page's root element (App's applyTheme sets it on the page otherwise). */
  theme: ThemeChoice;
}

/** A bridge that is never answered and never calls: the store rendered here only reads what it was given. */
const INERT_BRIDGE: PrintQueueBridge = {
  request: () => new Promise<never>(() => undefined),
  on: () => () => undefined,
};

/** The window's first frame, as markup, from the app's answers to its first requests. */
export async function renderFirstFrame(input: FirstFrameInput): Promise<FirstFrame> {
  const store = createStore(INERT_BRIDGE);
  try {
    await store.loadSettings(Promise.resolve({ ok: true, value: input.settings }));
    store.putSnapshot(input.head, store.ui.value);
    useFormatLocale(input.locale);
    assumeViewport(input.viewport ?? null);
    try {
      const html = renderToString(h(App, { store }));
      const css = gridPlacementCss(`#app[${FIRST_FRAME_ATTRIBUTE}]`, store.ui.value.columns, store.visible.value.length);
      return { html, css, theme: store.ui.value.theme };
    } finally {
      assumeViewport(null);
    }
  } finally {
    store.dispose();
  }
}
