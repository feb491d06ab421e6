/** Settings → Polling: how often each kind of source is asked, in seconds, and when a job is stuck. */
import { useState } from 'preact/hooks';
import { SOURCE_KINDS, type Settings } from '../../../../preload/contract/model';
import { t } from '../../i18n/messages';
import { OutcomeLine, SaveButton, TextField } from './fields';
import { pollingFromForm, pollingToForm } from './polling-form';
import { sameNumber, useUnsaved } from './unsaved';
import { useSettingsSave } from './use-save';

export function PollingTab(props: { settings: Settings }) {
  const initial = pollingToForm(props.settings.polling);
  const [values, setValues] = useState(initial);
  const { busy, outcome, errors, save, refuse } = useSettingsSave();
  useUnsaved(Object.keys(initial).some((k) => !sameNumber(values[k] ?? '', initial[k])));

  async function submit(e: Event) {
    e.preventDefault();
    const r = pollingFromForm(values, props.settings.polling);
    if (!r.ok) return refuse(r.errors);
    await save({ polling: r.value }, { prefix: 'polling.', known: Object.keys(initial) });
  }

  const field = (k: string, label: string, inSeconds: boolean) => (
    <TextField key={k} id={`polling-${k.replace('.', '-')}`} label={label} type="number" step={inSeconds ? 'any' : undefined} value={values[k]} onInput={(v) => setValues({ ...values, [k]: v })} error={errors[k]} />
  );
  return (
    <form onSubmit={submit} noValidate data-testid="settings-polling">
      {SOURCE_KINDS.map((k) => (
        <div key={k} class="field-row">
          {field(`${k}.activeMs`, t.pollingActive(t.sourceKinds[k]), true)}
          {field(`${k}.idleMs`, t.pollingIdle(t.sourceKinds[k]), true)}
        </div>
      ))}
      {field('hiddenFactor', t.pollingHidden, false)}
      {field('stuckAfterMinutes', t.pollingStuck, false)}
      {field('maxBackoffMs', t.pollingBackoff, true)}
      <OutcomeLine outcome={outcome} />
      <div class="dialog-buttons">
        <SaveButton busy={busy} />
      </div>
    </form>
  );
}
