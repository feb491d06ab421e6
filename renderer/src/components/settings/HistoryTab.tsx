/** Settings → History: how long finished jobs are kept, export and clear. */
import { useState } from 'preact/hooks';
import { HistorySettings, type Settings } from '../../../../preload/contract/model';
import { t } from '../../i18n/messages';
import { useStore } from '../context';
import { firstErrors, OutcomeLine, SaveButton, TextField, wholeNumberProblem } from './fields';
import { sameNumber, useUnsaved } from './unsaved';
import { useSettingsSave } from './use-save';

export function HistoryTab(props: { settings: Settings }) {
  const store = useStore();
  const h = props.settings.history;
  const [retention, setRetention] = useState(String(h.retentionDays));
  const [maxJobs, setMaxJobs] = useState(String(h.maxJobs));
  const { busy, outcome, setOutcome, errors, save, refuse } = useSettingsSave();
  useUnsaved(!sameNumber(retention, String(h.retentionDays)) || !sameNumber(maxJobs, String(h.maxJobs)));

  async function submit(e: Event) {
    e.preventDefault();
    const typed = { retentionDays: wholeNumberProblem(retention, 1, 3650), maxJobs: wholeNumberProblem(maxJobs, 10, 1_000_000) };
    if (typed.retentionDays || typed.maxJobs) return refuse(Object.fromEntries(Object.entries(typed).filter((e): e is [string, string] => e[1] !== null)));
    const parsed = HistorySettings.safeParse({ retentionDays: Number(retention), maxJobs: Number(maxJobs) });
    if (!parsed.success) return refuse(firstErrors(parsed.error.issues));
    await save({ history: parsed.data }, { prefix: 'history.', known: ['retentionDays', 'maxJobs'] });
  }

  function clear() {
    store.confirm.value = {
      title: t.historyClearNow,
      body: t.historyClearConfirm,
      confirmLabel: t.historyClearNow,
      onConfirm: async () => {
        const r = await store.clearHistory({});
        setOutcome(r.ok ? { ok: true, message: t.historyCleared } : { ok: false, message: r.error.message });
      },
    };
  }

  async function exportAs(format: 'csv' | 'json') {
    const r = await store.exportHistory({ format });
    if (!r.ok) setOutcome({ ok: false, message: r.error.message });
    else setOutcome(r.value ? { ok: true, message: t.historyExported(r.value.savedTo) } : { ok: true, message: t.notSaved });
  }

  return (
    <form onSubmit={submit} noValidate data-testid="settings-history">
      <TextField id="history-retentionDays" label={t.historyRetention} type="number" value={retention} onInput={setRetention} error={errors.retentionDays} />
      <TextField id="history-maxJobs" label={t.historyMax} type="number" value={maxJobs} onInput={setMaxJobs} error={errors.maxJobs} />
      <OutcomeLine outcome={outcome} />
      <div class="dialog-buttons">
        <SaveButton busy={busy} />
        <button type="button" onClick={() => void exportAs('csv')}>
          {t.historyExportCsv}
        </button>
        <button type="button" onClick={() => void exportAs('json')}>
          {t.historyExportJson}
        </button>
        <button type="button" class="danger" onClick={clear}>
          {t.historyClear}
        </button>
      </div>
    </form>
  );
}
