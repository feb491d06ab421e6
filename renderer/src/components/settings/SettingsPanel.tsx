/**
 * Settings: sources (add, edit, remove, test, credentials), polling, notifications, history and
 * general choices, one file per tab, each saving through one hook (use-save.ts). Every field is
 * validated with the same schemas main uses, and a refusal from main is shown at the field it
 * names. Credentials go to main only (setSecret) and are never read back: the panel only learns
 * whether one is stored. Every tab stays drawn while the panel is open, so edits in one are kept
 * while another is shown until they are saved; closing with edits not saved asks first. An outcome
 * that comes in a tab not shown (a save that finished after the user went to another tab) is said
 * under the tabs, with the tab's name, until the user goes back to that tab.
 */
import { useMemo, useRef, useState } from 'preact/hooks';
import { problemDetail } from '../../../../preload/contract/model';
import { t } from '../../i18n/messages';
import type { SettingsTab } from '../../state/store';
import { useStore } from '../context';
import { Modal } from '../Modal';
import { GeneralTab } from './GeneralTab';
import { HistoryTab } from './HistoryTab';
import { NotificationsTab } from './NotificationsTab';
import { PollingTab } from './PollingTab';
import { SourcesTab } from './SourcesTab';
import { TabPlaceContext, type Outcome, type TabPlace } from './fields';

const TABS: SettingsTab[] = ['sources', 'polling', 'notifications', 'history', 'general'];

export function SettingsPanel(props: { initialTab?: SettingsTab; sourceId?: string }) {
  const store = useStore();
  const [tab, setTab] = useState<SettingsTab>(props.initialTab ?? 'sources');
  /** The last outcome that came in a tab while it was not shown: said under the tabs until that tab is. */
  const [elsewhere, setElsewhere] = useState<{ tab: SettingsTab; outcome: NonNullable<Outcome> } | null>(null);

  function show(k: SettingsTab) {
    setTab(k);
    setElsewhere((e) => (e?.tab === k ? null : e));
  }
  const view = store.settingsView.value;
  const close = () => (store.panel.value = null);
  // The tabs holding edits not saved yet, as each tab says.
  const unsaved = useRef(new Set<SettingsTab>());
  /** What each tab tells the panel (TabPlace): an outcome while it is not shown, its unsaved edits. */
  const told = useMemo(
    () =>
      Object.fromEntries(
        TABS.map((k) => [
          k,
          {
            elsewhere: (outcome: NonNullable<Outcome>) => setElsewhere({ tab: k, outcome }),
            unsaved: (edited: boolean) => {
              if (edited) unsaved.current.add(k);
              else unsaved.current.delete(k);
            },
          },
        ]),
      ) as Record<SettingsTab, Omit<TabPlace, 'shown'>>,
    [],
  );

  /** Closes at once without unsaved edits; else asks whether to drop them (Discard) or go on (Keep editing). */
  function requestClose() {
    const edited = TABS.filter((k) => unsaved.current.has(k));
    if (!edited.length) return close();
    store.confirm.value = {
      title: t.discardChangesTitle,
      body: t.discardChangesBody(edited.map((k) => t.settingsTabs[k])),
      confirmLabel: t.discardChanges,
      keepLabel: t.keepEditing,
      onConfirm: () => void close(),
    };
  }

  function onTabKey(e: KeyboardEvent) {
    const i = TABS.indexOf(tab);
    const next = e.key === 'ArrowRight' ? (i + 1) % TABS.length : e.key === 'ArrowLeft' ? (i - 1 + TABS.length) % TABS.length : e.key === 'Home' ? 0 : e.key === 'End' ? TABS.length - 1 : -1;
    if (next < 0) return;
    e.preventDefault();
    show(TABS[next]);
    (e.currentTarget as HTMLElement).querySelector<HTMLElement>(`#settings-tab-${TABS[next]}`)?.focus();
  }

  return (
    <Modal title={t.settingsTitle} onClose={requestClose} wide testId="settings-dialog">
      {!view ? (
        <p role="status">{t.loading}</p>
      ) : (
        <div data-testid="settings-panel">
          {view.problems.length > 0 && (
            <div class="banner banner-warning" role="alert">
              <p>{t.settingsProblems}</p>
              <ul>
                {view.problems.map((p, i) => (
                  <li key={`${i}:${p.field}`}>
                    {p.field ? (
                      <>
                        <code>{p.field}</code>: {problemDetail(p)}
                      </>
                    ) : (
                      p.message
                    )}
                  </li>
                ))}
              </ul>
            </div>
          )}
          <div class="tabs" role="tablist" aria-label={t.settingsTitle} onKeyDown={onTabKey}>
            {TABS.map((k) => (
              <button
                key={k}
                type="button"
                role="tab"
                id={`settings-tab-${k}`}
                aria-selected={tab === k ? 'true' : 'false'}
                aria-controls={`settings-panel-${k}`}
                tabIndex={tab === k ? 0 : -1}
                onClick={() => show(k)}
              >
                {t.settingsTabs[k]}
              </button>
            ))}
          </div>
          {TABS.map((k) => (
            <div key={k} role="tabpanel" id={`settings-panel-${k}`} aria-labelledby={`settings-tab-${k}`} class="tab-panel" hidden={tab !== k}>
              <TabPlaceContext.Provider value={{ shown: tab === k, ...told[k] }}>
                {k === 'sources' && <SourcesTab settings={view.settings} editSourceId={props.sourceId} />}
                {k === 'polling' && <PollingTab settings={view.settings} />}
                {k === 'notifications' && <NotificationsTab settings={view.settings} />}
                {k === 'history' && <HistoryTab settings={view.settings} />}
                {k === 'general' && <GeneralTab />}
              </TabPlaceContext.Provider>
            </div>
          ))}
          {elsewhere && elsewhere.tab !== tab && (
            <p class={elsewhere.outcome.ok ? 'result-ok' : 'error-text'} role={elsewhere.outcome.ok ? 'status' : 'alert'} data-testid="settings-outcome-elsewhere">
              {t.outcomeInTab(t.settingsTabs[elsewhere.tab], elsewhere.outcome.message)}
            </p>
          )}
          <p class="muted small">{t.settingsFile(view.configPath)}</p>
        </div>
      )}
    </Modal>
  );
}
