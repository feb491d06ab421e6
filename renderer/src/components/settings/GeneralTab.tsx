/** Settings → General: theme, start at login, updates, diagnostics, and what this copy cannot do. */
import { useState } from 'preact/hooks';
import { t } from '../../i18n/messages';
import { useStore } from '../context';
import { Check, OutcomeLine, SaveButton } from './fields';
import { useUnsaved } from './unsaved';
import { useSettingsSave } from './use-save';

export function GeneralTab() {
  const store = useStore();
  const ui = store.ui.value;
  const [theme, setTheme] = useState(ui.theme);
  const [startAtLogin, setStartAtLogin] = useState(ui.startAtLogin);
  const [startMinimized, setStartMinimized] = useState(ui.startMinimized);
  const { busy, outcome, setOutcome, save } = useSettingsSave();
  useUnsaved(theme !== ui.theme || startAtLogin !== ui.startAtLogin || startMinimized !== ui.startMinimized);

  async function submit(e: Event) {
    e.preventDefault();
    const nextUi = { ...store.ui.value, theme, startAtLogin, startMinimized };
    if (await save({ ui: nextUi })) store.ui.value = nextUi;
  }

  async function diagnostics() {
    const r = await store.saveDiagnostics({});
    if (!r.ok) setOutcome({ ok: false, message: r.error.message });
    else setOutcome({ ok: true, message: r.value ? t.savedTo(r.value.savedTo) : t.notSaved });
  }

  async function restartToUpdate() {
    const r = await store.installUpdate({});
    if (!r.ok) setOutcome({ ok: false, message: r.error.message });
    else if (!r.value.restarting) setOutcome({ ok: false, message: t.updateNotYet(r.value.reason ?? '') });
    else setOutcome({ ok: true, message: t.updateRestarting });
  }

  // How this copy runs (the desktop app only): start at login as Windows has it, updates, limits.
  const desktop = store.settingsView.value?.desktop;
  const login = desktop?.startAtLogin;
  const loginNote = login ? (login.available ? login.note : login.reason) : null;

  return (
    <form onSubmit={submit} noValidate data-testid="settings-general">
      <label class="field">
        <span>{t.theme}</span>
        <select name="theme" value={theme} onChange={(e) => setTheme(e.currentTarget.value as typeof theme)}>
          {(['system', 'light', 'dark'] as const).map((k) => (
            <option key={k} value={k}>
              {t.themes[k]}
            </option>
          ))}
        </select>
      </label>
      <Check
        name="start-at-login"
        label={t.startAtLogin}
        checked={startAtLogin}
        onChange={setStartAtLogin}
        disabled={login?.available === false}
        describedBy={loginNote ? 'start-at-login-note' : undefined}
      />
      {loginNote && (
        <p id="start-at-login-note" class="muted" data-testid="start-at-login-note">
          {loginNote}
        </p>
      )}
      <Check name="start-minimized" label={t.startMinimized} checked={startMinimized} onChange={setStartMinimized} disabled={login?.available === false} />
      {desktop && (
        <div data-testid="settings-update">
          <p class={desktop.update.state === 'failed' ? undefined : 'muted'}>{t.updateStatus(desktop.update)}</p>
          {desktop.update.state === 'ready' && (
            <button type="button" onClick={() => void restartToUpdate()}>
              {t.updateRestartNow}
            </button>
          )}
        </div>
      )}
      {desktop && desktop.unavailable.length > 0 && (
        <section data-testid="settings-unavailable" aria-label={t.unavailableIn(desktop.install)}>
          <h3>{t.unavailableIn(desktop.install)}</h3>
          <ul>
            {desktop.unavailable.map((u) => (
              <li key={u.feature}>
                <strong>{u.feature}</strong>: {u.reason}
              </li>
            ))}
          </ul>
        </section>
      )}
      <OutcomeLine outcome={outcome} />
      <div class="dialog-buttons">
        <SaveButton busy={busy} />
        <button type="button" onClick={() => void diagnostics()}>
          {t.saveDiagnostics}
        </button>
      </div>
    </form>
  );
}
