/** Track a job by pasting its id; print a URL, a file or HTML through ScriptX or Universal Print. */
import { useState } from 'preact/hooks';
import { PrintRequest, requests } from '../../../preload/contract/contract';
import { isWebAddress, type AppError } from '../../../preload/contract/model';
import { t } from '../i18n/messages';
import { formatBytes, formatPercent } from '../i18n/format';
import { useStore } from './context';
import { FieldError, Modal } from './Modal';
import { wholeNumberProblem } from './settings/fields';

type FieldErrors = Record<string, string>;

function zodErrors(issues: { path: PropertyKey[]; message: string }[]): FieldErrors {
  const out: FieldErrors = {};
  for (const i of issues) {
    const f = i.path.map(String).join('.') || 'form';
    out[f] ??= i.message;
  }
  return out;
}

function serverErrors(e: AppError, known: string[]): FieldErrors {
  const f = e.field && known.includes(e.field) ? e.field : 'form';
  return { [f]: e.message };
}

export function TrackDialog() {
  const store = useStore();
  const sources = store.sources.value.filter((s) => s.capabilities.track);
  const [sourceId, setSourceId] = useState(sources[0]?.id ?? '');
  const [id, setId] = useState('');
  const [kind, setKind] = useState<'' | 'html' | 'pdf'>('');
  const [title, setTitle] = useState('');
  const [printer, setPrinter] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const close = () => (store.panel.value = null);
  const kindOf = sources.find((s) => s.id === sourceId)?.kind;

  async function submit(e: Event) {
    e.preventDefault();
    const input = {
      sourceId,
      id: id.trim(),
      ...(kind && kindOf === 'scriptx' ? { kind } : {}),
      ...(title.trim() && kindOf === 'scriptx' ? { title: title.trim() } : {}),
      ...(printer.trim() && kindOf === 'scriptx' ? { printer: printer.trim() } : {}),
    };
    if (!input.id) return setErrors({ id: t.trackIdMissing });
    const parsed = requests.trackJob.input.safeParse(input);
    if (!parsed.success) return setErrors(zodErrors(parsed.error.issues));
    setErrors({});
    setBusy(true);
    const r = await store.trackJob(parsed.data);
    setBusy(false);
    if (r.ok) close();
    else setErrors(serverErrors(r.error, ['sourceId', 'id', 'kind', 'title', 'printer']));
  }

  return (
    <Modal title={t.trackTitle} onClose={close} testId="track-dialog">
      {sources.length === 0 ? (
        <p>{t.noSourcesToChoose}</p>
      ) : (
        <form onSubmit={submit} noValidate>
          <p class="muted">{t.trackHelp}</p>
          <label class="field">
            <span>{t.trackSource}</span>
            <select value={sourceId} onChange={(e) => setSourceId(e.currentTarget.value)} aria-invalid={errors.sourceId ? 'true' : undefined} aria-describedby="track-source-error">
              {sources.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </label>
          <FieldError id="track-source-error" message={errors.sourceId} />
          <label class="field">
            <span>{t.trackId}</span>
            <input data-autofocus value={id} onInput={(e) => setId(e.currentTarget.value)} aria-invalid={errors.id ? 'true' : undefined} aria-describedby="track-id-error" autoComplete="off" spellcheck={false} />
          </label>
          <FieldError id="track-id-error" message={errors.id} />
          {kindOf === 'scriptx' && (
            <label class="field">
              <span>{t.trackKind}</span>
              <select value={kind} onChange={(e) => setKind(e.currentTarget.value as '' | 'html' | 'pdf')}>
                <option value="">{t.trackKindAuto}</option>
                <option value="html">HTML</option>
                <option value="pdf">PDF</option>
              </select>
            </label>
          )}
          {kindOf === 'scriptx' && (
            <>
              <p class="muted" id="track-label-help">
                {t.trackLabelHelp}
              </p>
              <label class="field">
                <span>{t.trackTitleField}</span>
                <input name="title" value={title} onInput={(e) => setTitle(e.currentTarget.value)} aria-invalid={errors.title ? 'true' : undefined} aria-describedby="track-label-help track-title-error" autoComplete="off" />
              </label>
              <FieldError id="track-title-error" message={errors.title} />
              <label class="field">
                <span>{t.trackPrinterField}</span>
                <input name="printer" value={printer} onInput={(e) => setPrinter(e.currentTarget.value)} aria-invalid={errors.printer ? 'true' : undefined} aria-describedby="track-label-help track-printer-error" autoComplete="off" />
              </label>
              <FieldError id="track-printer-error" message={errors.printer} />
            </>
          )}
          <FieldError id="track-form-error" message={errors.form} />
          <div class="dialog-buttons">
            <button type="submit" class="primary" disabled={busy}>
              {busy ? t.working : t.trackSubmit}
            </button>
            <button type="button" onClick={close}>
              {t.cancel}
            </button>
          </div>
        </form>
      )}
    </Modal>
  );
}

export function PrintDialog() {
  const store = useStore();
  const sources = store.sources.value.filter((s) => s.capabilities.print);
  const [sourceId, setSourceId] = useState(sources[0]?.id ?? '');
  const [type, setType] = useState<'url' | 'file' | 'html'>('url');
  const [url, setUrl] = useState('');
  const [html, setHtml] = useState('');
  const [printer, setPrinter] = useState('');
  const [title, setTitle] = useState('');
  const [copies, setCopies] = useState('1');
  const [orientation, setOrientation] = useState<'' | 'portrait' | 'landscape'>('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const close = () => (store.panel.value = null);
  // Upload progress arrives as events before the request answers: show the newest one.
  const progressEntry = busy ? [...store.printProgress.value.entries()].pop() : undefined;
  const progress = progressEntry?.[1];

  async function submit(e: Event) {
    e.preventDefault();
    const document = type === 'url' ? { type, url: url.trim() } : type === 'html' ? { type, html } : { type };
    const input = {
      sourceId,
      document,
      ...(printer.trim() ? { printer: printer.trim() } : {}),
      ...(title.trim() ? { title: title.trim() } : {}),
      copies: Number(copies),
      ...(orientation ? { orientation } : {}),
    };
    // What was typed, said in words beside its input; the request's schema then has the last word.
    const typed: FieldErrors = {};
    if (document.type === 'url') {
      if (!document.url) typed['document.url'] = t.printUrlMissing;
      else if (!isWebAddress(document.url)) typed['document.url'] = t.printUrlNotWeb;
    }
    if (document.type === 'html' && !document.html.trim()) typed['document.html'] = t.printHtmlMissing;
    const copiesProblem = wholeNumberProblem(copies, 1, 999);
    if (copiesProblem) typed.copies = copiesProblem;
    if (Object.keys(typed).length) return setErrors(typed);
    const parsed = PrintRequest.safeParse(input);
    if (!parsed.success) return setErrors(zodErrors(parsed.error.issues));
    setErrors({});
    setBusy(true);
    const r = await store.submitPrint(parsed.data);
    setBusy(false);
    if (r.ok) close();
    else setErrors(serverErrors(r.error, ['sourceId', 'document.url', 'document.html', 'printer', 'title', 'copies']));
  }

  return (
    <Modal title={t.printTitle} onClose={close} wide testId="print-dialog">
      {sources.length === 0 ? (
        <p>{t.noPrintSources}</p>
      ) : (
        <form onSubmit={submit} noValidate>
          <label class="field">
            <span>{t.printSource}</span>
            <select value={sourceId} onChange={(e) => setSourceId(e.currentTarget.value)}>
              {sources.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </label>
          <fieldset class="field">
            <legend>{t.printWhat}</legend>
            {(['url', 'file', 'html'] as const).map((v) => (
              <label key={v} class="check">
                <input type="radio" name="print-type" checked={type === v} onChange={() => setType(v)} />
                {v === 'url' ? t.printUrl : v === 'file' ? t.printFile : t.printHtml}
              </label>
            ))}
          </fieldset>
          {type === 'url' && (
            <>
              <label class="field">
                <span>{t.printUrlLabel}</span>
                <input type="url" data-autofocus value={url} onInput={(e) => setUrl(e.currentTarget.value)} aria-invalid={errors['document.url'] ? 'true' : undefined} aria-describedby="print-url-error" />
              </label>
              <FieldError id="print-url-error" message={errors['document.url']} />
            </>
          )}
          {type === 'html' && (
            <>
              <label class="field">
                <span>{t.printHtmlLabel}</span>
                <textarea rows={5} value={html} onInput={(e) => setHtml(e.currentTarget.value)} aria-invalid={errors['document.html'] ? 'true' : undefined} aria-describedby="print-html-error" />
              </label>
              <FieldError id="print-html-error" message={errors['document.html']} />
            </>
          )}
          <label class="field">
            <span>{t.printPrinter}</span>
            <input value={printer} placeholder={t.printPrinterDefault} onInput={(e) => setPrinter(e.currentTarget.value)} aria-invalid={errors.printer ? 'true' : undefined} aria-describedby="print-printer-error" />
          </label>
          <FieldError id="print-printer-error" message={errors.printer} />
          <label class="field">
            <span>{t.printTitleLabel}</span>
            <input value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
          </label>
          <div class="field-row">
            <label class="field">
              <span>{t.printCopies}</span>
              <input type="number" min={1} max={999} value={copies} onInput={(e) => setCopies(e.currentTarget.value)} aria-invalid={errors.copies ? 'true' : undefined} aria-describedby="print-copies-error" />
            </label>
            <label class="field">
              <span>{t.printOrientation}</span>
              <select value={orientation} onChange={(e) => setOrientation(e.currentTarget.value as '' | 'portrait' | 'landscape')}>
                <option value="">{t.none}</option>
                <option value="portrait">{t.portrait}</option>
                <option value="landscape">{t.landscape}</option>
              </select>
            </label>
          </div>
          <FieldError id="print-copies-error" message={errors.copies} />
          {progress && (
            <div class="upload" role="status">
              <progress max={progress.totalBytes} value={progress.sentBytes} />
              <span>
                {t.uploading(formatBytes(progress.sentBytes), formatBytes(progress.totalBytes))} ({formatPercent(progress.sentBytes / Math.max(1, progress.totalBytes))})
              </span>
              <button type="button" onClick={() => void store.cancelUpload(progressEntry![0])}>
                {t.cancelUpload}
              </button>
            </div>
          )}
          <FieldError id="print-form-error" message={errors.form ? t.printFailed(errors.form) : undefined} />
          <div class="dialog-buttons">
            <button type="submit" class="primary" disabled={busy}>
              {busy ? t.working : t.printSubmit}
            </button>
            <button type="button" onClick={close}>
              {t.cancel}
            </button>
          </div>
        </form>
      )}
    </Modal>
  );
}
