/** Settings → Notifications: which events notify, for which sources, and do-not-disturb. */
import { useState } from 'preact/hooks';
import { NOTIFICATION_EVENTS, NotificationSettings, type Settings } from '../../../../preload/contract/model';
import { t } from '../../i18n/messages';
import { Check, OutcomeLine, SaveButton } from './fields';
import { sameSettings, useUnsaved } from './unsaved';
import { useSettingsSave } from './use-save';

export function NotificationsTab(props: { settings: Settings }) {
  const [n, setN] = useState(props.settings.notifications);
  const { busy, outcome, save, refuse } = useSettingsSave();
  // A source not named notifies: switched off and on again is no change.
  const bySource = (sources: Record<string, boolean>) => props.settings.sources.map((s) => sources[s.id] !== false);
  const saved = props.settings.notifications;
  useUnsaved(!sameSettings({ ...n, sources: bySource(n.sources) }, { ...saved, sources: bySource(saved.sources) }));

  async function submit(e: Event) {
    e.preventDefault();
    const parsed = NotificationSettings.safeParse(n);
    if (!parsed.success) return refuse({}, parsed.error.issues[0]?.message ?? t.fixFields);
    await save({ notifications: parsed.data });
  }

  return (
    <form onSubmit={submit} noValidate data-testid="settings-notifications">
      <Check name="notif-enabled" label={t.notifEnabled} checked={n.enabled} onChange={(v) => setN({ ...n, enabled: v })} />
      <fieldset class="field" disabled={!n.enabled}>
        <legend>{t.notifEvents}</legend>
        {NOTIFICATION_EVENTS.map((ev) => (
          <Check key={ev} name={`notif-${ev}`} label={t.notifEventNames[ev]} checked={n.events[ev]} onChange={(v) => setN({ ...n, events: { ...n.events, [ev]: v } })} />
        ))}
      </fieldset>
      <fieldset class="field" disabled={!n.enabled}>
        <legend>{t.notifSources}</legend>
        {props.settings.sources.map((s) => (
          <Check key={s.id} label={s.name ?? s.id} checked={n.sources[s.id] !== false} onChange={(v) => setN({ ...n, sources: { ...n.sources, [s.id]: v } })} />
        ))}
      </fieldset>
      <Check name="notif-own" label={t.notifOwnOnly} checked={n.ownJobsOnly} onChange={(v) => setN({ ...n, ownJobsOnly: v })} />
      <Check name="notif-dnd" label={t.notifDnd} checked={n.doNotDisturb} onChange={(v) => setN({ ...n, doNotDisturb: v })} />
      <OutcomeLine outcome={outcome} />
      <div class="dialog-buttons">
        <SaveButton busy={busy} />
      </div>
    </form>
  );
}
