/**
 * The one way a settings tab saves: the whole settings file with the tab's change, the window's
 * current view choices kept; "Saving…" meanwhile, then the outcome, and a refusal from main shown
 * at the field it names.
 */
import { useState } from 'preact/hooks';
import type { Settings } from '../../../../preload/contract/model';
import { t } from '../../i18n/messages';
import { useStore } from '../context';
import { serverFieldErrors, type Errors, type Outcome } from './fields';

export function useSettingsSave() {
  const store = useStore();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [errors, setErrors] = useState<Errors>({});

  /**
   * Saves `change` over the settings as the app last answered them; true once saved. `prefix` and
   * `known`: where a refusal's field is looked up (e.g. "polling." and the tab's field names).
   * `announce: false`: the caller says how it went once its own steps after the save are done.
   */
  async function save(change: Partial<Settings>, opts: { prefix?: string; known?: string[]; announce?: boolean } = {}): Promise<boolean> {
    const current = store.settingsView.value?.settings;
    if (!current) return false;
    setOutcome(null);
    setErrors({});
    setBusy(true);
    const r = await store.saveSettings({ ...current, ui: store.ui.value, ...change });
    setBusy(false);
    if (r.ok) {
      if (opts.announce !== false) setOutcome({ ok: true, message: t.settingsSaved });
      return true;
    }
    setErrors(serverFieldErrors(r.error, opts.prefix ?? '', opts.known ?? []));
    setOutcome({ ok: false, message: t.settingsSaveFailed(r.error.message) });
    return false;
  }

  /** Shows why the form cannot be saved as it is, at its fields. */
  function refuse(fieldErrors: Errors, message: string = t.fixFields): void {
    setErrors(fieldErrors);
    setOutcome({ ok: false, message });
  }

  return { busy, outcome, setOutcome, errors, setErrors, save, refuse };
}
