/**
 * The settings as the window knows them: the app's answer (the settings, their problems, which
 * secrets are stored), and the view choices, changed at once and saved shortly after.
 */
import { batch, signal } from '@preact/signals';
import type { SettingsView } from '../../../preload/contract/contract';
import type { Result, Settings, UiSettings } from '../../../preload/contract/model';
import { t } from '../i18n/messages';
import { defaultUi } from './model-lite';
import type { Notify } from './notices';
import type { Call } from './call';

const UI_SAVE_DELAY_MS = 400;

/** The view choices that hide jobs (every one but the view), each at its "show everything" value. */
export const NO_FILTERS = { mineOnly: false, sourceFilter: [], printerFilter: [], stateFilter: [], stuckOnly: false, search: '' } as const satisfies Partial<UiSettings>;
const FILTER_KEYS = Object.keys(NO_FILTERS) as (keyof typeof NO_FILTERS)[];

/** Whether any filter or the search hides jobs. */
export function isFiltered(ui: UiSettings): boolean {
  return ui.mineOnly || ui.stuckOnly || ui.sourceFilter.length > 0 || ui.printerFilter.length > 0 || ui.stateFilter.length > 0 || ui.search.trim() !== '';
}

/**
 * `notifyBackground`: how a failure of what the window reads by itself (not asked for by the user)
 * is told; default `notify`.
 */
export function createSettings(opts: { call: Call; notify: Notify; notifyBackground?: Notify }) {
  const { call, notify } = opts;
  const notifyBackground = opts.notifyBackground ?? notify;
  const settingsView = signal<SettingsView | null>(null);
  const ui = signal<UiSettings>(defaultUi());
  /** True while the filters or search in use are those saved last time (the window says so), until one is changed. */
  const filtersRestored = signal(false);
  let uiSaveTimer: ReturnType<typeof setTimeout> | null = null;

  /** Loads the settings; false when they could not be read (the window then says why). */
  async function loadSettings(answer?: Promise<Result<SettingsView>>): Promise<boolean> {
    const r = await (answer ?? call('getSettings', {}));
    if (!r.ok) {
      notifyBackground('warning', t.settingsLoadFailed(r.error.message));
      return false;
    }
    batch(() => {
      settingsView.value = r.value;
      ui.value = r.value.settings.ui;
      filtersRestored.value = isFiltered(r.value.settings.ui);
    });
    return true;
  }

  /** The settings as they are in the file now (a panel showing what only the file sets), without changing the window's copy. */
  function readSettings(): Promise<Result<SettingsView>> {
    return call('getSettings', {});
  }

  /** Saves the whole settings file; answers the server's error (with its field) on refusal. */
  async function saveSettings(settings: Settings): Promise<Result<SettingsView>> {
    const r = await call('saveSettings', { settings });
    if (r.ok) settingsView.value = r.value;
    return r;
  }

  /** Changes a view choice now and persists it shortly after (typing in search saves once). */
  function updateUi(change: Partial<UiSettings>): void {
    ui.value = { ...ui.value, ...change };
    if (FILTER_KEYS.some((k) => k in change)) filtersRestored.value = false;
    if (uiSaveTimer) clearTimeout(uiSaveTimer);
    uiSaveTimer = setTimeout(() => void persistUi(), UI_SAVE_DELAY_MS);
  }
  async function persistUi(): Promise<void> {
    uiSaveTimer = null;
    if (!settingsView.value) return;
    // The view choices alone: the window's copy of the rest may be older than the file (edited by
    // hand, or by another copy of the app), and is never written back with them.
    const r = await call('saveUiSettings', { ui: ui.value });
    if (r.ok) settingsView.value = r.value;
    else notify('error', t.settingsSaveFailed(r.error.message));
  }
  /**
   * Shows one printer's whole queue, as Windows' own queue window of it would: every other filter
   * and the search are cleared, so the jobs ahead of a stuck one (anyone's) are in view too.
   * `stuckOnly`: only its stuck jobs (the Printers view's stuck count), as "Stuck only" shows them.
   */
  function showPrinterQueue(sourceId: string, printer: string, opts: { stuckOnly?: boolean } = {}): void {
    updateUi({ ...NO_FILTERS, printerFilter: [printer], sourceFilter: [sourceId], view: 'all', stuckOnly: opts.stuckOnly === true });
  }
  function flushUi(): Promise<void> {
    if (!uiSaveTimer) return Promise.resolve();
    clearTimeout(uiSaveTimer);
    return persistUi();
  }

  function dispose(): void {
    if (uiSaveTimer) clearTimeout(uiSaveTimer);
  }

  return { settingsView, ui, filtersRestored, loadSettings, readSettings, saveSettings, updateUi, showPrinterQueue, flushUi, dispose };
}

export type SettingsState = ReturnType<typeof createSettings>;
