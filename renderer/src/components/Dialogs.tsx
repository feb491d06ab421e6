/** The confirmation dialog and the abort-with-a-reason dialog. */
import { useState } from 'preact/hooks';
import { requests } from '../../../preload/contract/contract';
import { t } from '../i18n/messages';
import { docName } from '../state/store';
import { useStore } from './context';
import { FieldError, Modal } from './Modal';

export function ConfirmDialog() {
  const store = useStore();
  const req = store.confirm.value;
  if (!req) return null;
  const close = () => (store.confirm.value = null);
  return (
    <Modal title={req.title} onClose={close} role="alertdialog" testId="confirm-dialog" returnFocus={req.returnFocus}>
      <p>{req.body}</p>
      {req.list && (
        <ul class="confirm-list">
          {req.list.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      )}
      <div class="dialog-buttons">
        <button
          type="button"
          class="danger"
          onClick={() => {
            close();
            void req.onConfirm();
          }}
        >
          {req.confirmLabel}
        </button>
        <button type="button" data-autofocus onClick={close}>
          {req.keepLabel ?? t.keepJobs}
        </button>
      </div>
    </Modal>
  );
}

export function AbortDialog() {
  const store = useStore();
  const key = store.abortKey.value;
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!key) return null;
  const job = store.jobs.get(key);
  const close = () => {
    store.abortKey.value = null;
    setReason('');
    setError(null);
  };
  async function submit(e: Event) {
    e.preventDefault();
    const parsed = requests.abortJob.input.safeParse({ key, reason });
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message ?? t.fixFields);
      return;
    }
    setBusy(true);
    const ok = await store.abortJob(key!, parsed.data.reason);
    setBusy(false);
    if (ok) close();
    else setError(store.rowErrors.value.get(key!) ?? null);
  }
  return (
    <Modal title={`${t.abortTitle}: ${job ? docName(job) : key}`} onClose={close} testId="abort-dialog">
      <form onSubmit={submit} noValidate>
        <label class="field">
          <span>{t.abortReason}</span>
          <textarea
            data-autofocus
            rows={3}
            value={reason}
            aria-invalid={error ? 'true' : undefined}
            aria-describedby="abort-reason-error"
            onInput={(e) => setReason(e.currentTarget.value)}
          />
        </label>
        <FieldError id="abort-reason-error" message={error} />
        <div class="dialog-buttons">
          <button type="submit" class="danger" disabled={busy}>
            {busy ? t.working : t.abortConfirm}
          </button>
          <button type="button" onClick={close}>
            {t.cancel}
          </button>
        </div>
      </form>
    </Modal>
  );
}
