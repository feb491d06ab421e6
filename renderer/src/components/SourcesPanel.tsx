/** One line per source with its health, plus the ScriptX.Services panel. */
import { useEffect, useState } from 'preact/hooks';
import type { ServiceActionRequest, ServiceInfo, SettingsView } from '../../../preload/contract/contract';
import { notCheckedYet, type AppError, type SourceHealth } from '../../../preload/contract/model';
import { t } from '../i18n/messages';
import { formatDate, formatDateTime, count } from '../i18n/format';
import { askCancelAll, cancelableOf } from './actions';
import { useStore } from './context';
import { Modal } from './Modal';
import { ServiceControlSettings } from './ServiceControl';

const LICENSE_WARN_DAYS = 14;

/** Printer health the source may report in detail.printers; read defensively, it is free-form. */
function printersOf(h: SourceHealth): { name: string; status: string; message: string | null }[] {
  const list = h.detail?.printers;
  if (!Array.isArray(list)) return [];
  return list
    .filter((p): p is Record<string, unknown> => !!p && typeof p === 'object' && typeof (p as { name?: unknown }).name === 'string')
    .map((p) => ({ name: p.name as string, status: typeof p.status === 'string' ? p.status : '', message: typeof p.message === 'string' ? p.message : null }));
}

export function SourcesPanel() {
  const store = useStore();
  const sources = store.sources.value;
  const close = () => (store.panel.value = null);
  return (
    <Modal title={t.sourcesTitle} onClose={close} wide testId="sources-dialog">
      {sources.length === 0 && <p>{t.noSourcesYet}</p>}
      <ul class="source-list" data-testid="sources-panel">
        {sources.map((s) => (
          <SourceLine key={s.id} health={s} />
        ))}
      </ul>
    </Modal>
  );
}

/** Where a sign-in stands: finish it in the browser (with the page's link), a device code to enter, or why it failed. */
function SignInProgressLine(props: { sourceId: string }) {
  const store = useStore();
  const p = store.signInProgress.value.get(props.sourceId);
  const [now, setNow] = useState(() => Date.now());
  const counting = p?.stage === 'device-code';
  useEffect(() => {
    if (!counting) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [counting]);
  if (!p || p.stage === 'done') return null;
  if (p.stage === 'failed') {
    return (
      <p class="error-text" role="alert" data-testid="signin-progress">
        {t.signInFailed(p.message)}
      </p>
    );
  }
  if (p.stage === 'browser') {
    return (
      <p role="status" data-testid="signin-progress">
        {t.signInInBrowser}{' '}
        <a href={p.url} target="_blank" rel="noreferrer">
          {t.signInOpenAgain}
        </a>
      </p>
    );
  }
  const left = Math.max(0, Math.floor((Date.parse(p.expiresAt) - now) / 1000));
  const copy = () =>
    navigator.clipboard.writeText(p.userCode).then(
      () => store.notify('info', t.signInCodeCopied),
      (err: unknown) => store.notify('error', t.copyFailed(err instanceof Error ? err.message : String(err))),
    );
  return (
    <div role="status" class="device-code" data-testid="signin-progress">
      <p>
        {t.signInDeviceCode(p.verificationUri)} <code class="user-code">{p.userCode}</code>{' '}
        <button type="button" onClick={() => void copy()}>
          {t.signInCopyCode}
        </button>
      </p>
      <p class="muted">{left > 0 ? t.signInTimeLeft(String(Math.floor(left / 60)), String(left % 60).padStart(2, '0')) : t.signInCodeExpired}</p>
    </div>
  );
}

function SourceLine(props: { health: SourceHealth }) {
  const store = useStore();
  const h = props.health;
  const printers = printersOf(h);
  const cancelable = cancelableOf(store, { sourceId: h.id });
  const checking = notCheckedYet(h);
  return (
    <li class="source-line" data-testid="source-line" data-source={h.id} data-status={h.status}>
      <div class="source-head">
        <span class={`badge health-${checking ? 'checking' : h.status}`}>{checking ? t.healthChecking : t.health[h.status]}</span>
        <strong>{h.name}</strong>
        <span class="muted">{h.lastSuccessAt ? t.lastSuccess(formatDateTime(h.lastSuccessAt)) : t.lastSuccessNever}</span>
      </div>
      {h.message && <p class={h.status === 'ok' ? 'muted' : 'source-message'}>{h.message}</p>}
      {printers.length > 0 && (
        <details>
          <summary>{t.printersHealth}</summary>
          <ul class="plain">
            {printers.map((p) => (
              <li key={p.name}>
                {p.name}: <span class="badge">{p.status}</span> {p.message && <span class="muted">{p.message}</span>}
              </li>
            ))}
          </ul>
        </details>
      )}
      <SignInProgressLine sourceId={h.id} />
      <div class="source-actions">
        {h.status === 'auth-required' && h.capabilities.signIn && (
          <button type="button" class="primary" disabled={store.signingIn.value.has(h.id)} onClick={() => void store.signIn(h.id)}>
            {store.signingIn.value.has(h.id) ? t.signingIn : t.signIn}
          </button>
        )}
        {h.status === 'auth-required' && !h.capabilities.signIn && (
          // No interactive sign-in: the credential is entered in the source's settings.
          <button type="button" class="primary" onClick={() => (store.panel.value = { kind: 'settings', tab: 'sources', sourceId: h.id })}>
            {t.signIn}
          </button>
        )}
        {h.capabilities.signOut && h.status !== 'auth-required' && h.status !== 'disabled' && (
          <button type="button" onClick={() => void store.signOut(h.id)}>
            {t.signOut}
          </button>
        )}
        {h.status !== 'disabled' && (
          <button type="button" onClick={() => void store.refreshNow(h.id)}>
            {t.refreshNow}
          </button>
        )}
        {h.capabilities.servicePanel && (
          <button type="button" onClick={() => (store.panel.value = { kind: 'service', sourceId: h.id })}>
            {t.serviceDetails}
          </button>
        )}
        {cancelable.length > 0 && (
          <button type="button" class="danger" onClick={() => askCancelAll(store, { sourceId: h.id }, h.name)}>
            {t.cancelAllOnSource(h.name, count(cancelable.length))}
          </button>
        )}
      </div>
    </li>
  );
}

export function ServicePanel(props: { sourceId: string }) {
  const store = useStore();
  const name = store.sourceNames.value.get(props.sourceId) ?? props.sourceId;
  const [info, setInfo] = useState<ServiceInfo | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [result, setResult] = useState<{ ok: boolean; message: string } | null>(null);
  const adminActions = info ? (['start', 'stop', 'restart'] as const).filter((a) => info.canControl[a] && info.needsAdmin[a]) : [];
  const [newPrinter, setNewPrinter] = useState('');
  const close = () => (store.panel.value = { kind: 'sources' });

  // The service settings (set in the file only, which may have changed since) are read afresh and
  // shown read-only with where to change them.
  const [settings, setSettings] = useState<SettingsView | null>(null);
  useEffect(() => {
    let live = true;
    void store.readSettings().then((r) => {
      if (live && r.ok) setSettings(r.value);
    });
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    let live = true;
    void store.serviceInfo({ sourceId: props.sourceId }).then((r) => {
      if (!live) return;
      if (r.ok) setInfo(r.value);
      else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [props.sourceId]);

  async function act(req: ServiceActionRequest, label: string) {
    setBusy(label);
    setResult(null);
    const r = await store.serviceAction(req);
    setBusy(null);
    if (r.ok) {
      setInfo(r.value);
      setResult({ ok: true, message: r.value.message || t.serviceActionDone });
      if (req.action === 'addPrinter') setNewPrinter('');
    } else if (r.error.code === 'canceled') setResult({ ok: true, message: r.error.message });
    else setResult({ ok: false, message: t.serviceActionFailed(r.error.message) });
  }

  const lic = info?.license;
  const days = lic?.expiresInDays ?? null;
  return (
    <Modal title={t.serviceTitle(name)} onClose={close} wide testId="service-panel">
      {!info && !error && <p role="status">{t.serviceLoading}</p>}
      {error && (
        <p class="error-text" role="alert">
          {error.message}
        </p>
      )}
      {info && (
        <>
          {!info.reachable && <p class="source-message">{info.message || t.serviceUnreachable}</p>}
          <dl class="facts">
            <div>
              <dt>{t.sourceBaseUrl}</dt>
              <dd>{info.baseUrl ? t.serviceFoundAt(info.baseUrl, info.foundBy ?? t.none) : t.serviceNotFound}</dd>
            </div>
            <div>
              <dt>{t.serviceClass}</dt>
              <dd>{info.serviceClass ?? t.none}</dd>
            </div>
            <div>
              <dt>{t.serviceVersion}</dt>
              <dd>{info.version ?? t.none}</dd>
            </div>
          </dl>
          <section>
            <h3>{t.license}</h3>
            {lic ? (
              <>
                {days != null && days < 0 && (
                  <p class="banner banner-error" role="alert">
                    {t.licenseExpired}
                  </p>
                )}
                {days != null && days >= 0 && days <= LICENSE_WARN_DAYS && (
                  <p class="banner banner-warning" role="alert">
                    {t.licenseExpiringSoon(count(days))}
                  </p>
                )}
                <dl class="facts">
                  <div>
                    <dt>{t.licenseCompany}</dt>
                    <dd>{lic.company ?? t.none}</dd>
                  </div>
                  <div>
                    <dt>{t.license}</dt>
                    <dd>
                      {t.licenseValid(formatDate(lic.validFrom) || t.none, formatDate(lic.validTo) || t.none)}
                      {days != null && days >= 0 && ` · ${t.licenseExpiresIn(count(days))}`}
                    </dd>
                  </div>
                </dl>
              </>
            ) : (
              <p class="muted">{t.licenseNone}</p>
            )}
          </section>
          <section>
            <h3>{t.printers}</h3>
            <p>
              {t.defaultPrinter}: <strong>{info.defaultPrinter ?? t.none}</strong>
            </p>
            <ul class="plain printer-list">
              {info.printers.map((p) => (
                <li key={p.name}>
                  <span>{p.name}</span>
                  {p.status && <span class="muted"> · {p.status}</span>}
                  {p.isDefault ? (
                    <span class="badge">{t.isDefault}</span>
                  ) : (
                    <button type="button" disabled={!!busy} onClick={() => void act({ sourceId: props.sourceId, action: 'setDefaultPrinter', printer: p.name }, 'default')}>
                      {t.makeDefault}
                    </button>
                  )}
                  {p.isNetwork && (
                    <button type="button" disabled={!!busy} onClick={() => void act({ sourceId: props.sourceId, action: 'removePrinter', printer: p.name }, 'remove')}>
                      {t.remove}
                    </button>
                  )}
                </li>
              ))}
            </ul>
            <form
              class="inline-form"
              onSubmit={(e) => {
                e.preventDefault();
                if (newPrinter.trim()) void act({ sourceId: props.sourceId, action: 'addPrinter', printer: newPrinter.trim() }, 'add');
              }}
            >
              <label class="field">
                <span>{t.addPrinter}</span>
                <input value={newPrinter} placeholder={t.printerName} onInput={(e) => setNewPrinter(e.currentTarget.value)} />
              </label>
              <button type="submit" disabled={!!busy || !newPrinter.trim()}>
                {t.add}
              </button>
            </form>
          </section>
          {settings && <ServiceControlSettings view={settings} sourceId={props.sourceId} />}
          {(info.canControl.start || info.canControl.stop || info.canControl.restart) && (
            <section>
              <h3>{t.serviceControl}</h3>
              <div class="source-actions">
                {(['start', 'stop', 'restart'] as const)
                  .filter((a) => info.canControl[a])
                  .map((a) => (
                    <button key={a} type="button" disabled={!!busy} onClick={() => void act({ sourceId: props.sourceId, action: a }, a)}>
                      {busy === a ? t.working : t[a]}
                    </button>
                  ))}
              </div>
              {adminActions.length > 0 && (
                <p class="source-message" data-testid="service-admin-note">
                  {t.serviceNeedsAdmin([...adminActions])}
                </p>
              )}
            </section>
          )}
        </>
      )}
      {result && (
        <p class={result.ok ? 'result-ok' : 'error-text'} role={result.ok ? 'status' : 'alert'}>
          {result.message}
        </p>
      )}
    </Modal>
  );
}
