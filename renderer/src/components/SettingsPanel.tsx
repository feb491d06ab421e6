/**
 * Settings: sources (add, edit, remove, test, credentials), polling, notifications, history and
 * general choices. Every field is validated with the same schemas main uses, and a refusal from
 * main is shown at the field it names. Credentials go to main only (setSecret) and are never read
 * back: the panel only learns whether one is stored.
 */
import { useState } from 'preact/hooks';
import {
  DEFAULT_BASE_URLS,
  HistorySettings,
  NOTIFICATION_EVENTS,
  NotificationSettings,
  PollingSettings,
  SOURCE_KINDS,
  SourceConfig,
  secretNamesFor,
  type AppError,
  type SecretName,
  type Settings,
  type SourceConfig as SourceConfigT,
  type SourceHealth,
  type SourceKind,
} from '../../../preload/contract/model';
import { t } from '../i18n/messages';
import type { SettingsTab } from '../state/store';
import { useStore } from './context';
import { FieldError, Modal } from './Modal';
import { ServiceControlSettings } from './ServiceControl';

type Errors = Record<string, string>;
type Outcome = { ok: boolean; message: string } | null;

const TABS: SettingsTab[] = ['sources', 'polling', 'notifications', 'history', 'general'];

function firstErrors(issues: { path: PropertyKey[]; message: string }[], depth = 1): Errors {
  const out: Errors = {};
  for (const i of issues) {
    const f = i.path.slice(0, depth).map(String).join('.') || 'form';
    out[f] ??= i.message;
  }
  return out;
}

/** Maps a refusal from main (field like "settings.polling.graph.activeMs") to a field of a tab. */
function serverFieldErrors(e: AppError, prefix: string, known: string[]): Errors {
  const field = e.field?.replace(/^settings\./, '') ?? '';
  if (field.startsWith(prefix)) {
    const rest = field.slice(prefix.length);
    const hit = known.find((k) => rest === k || rest.startsWith(`${k}.`));
    if (hit) return { [hit]: e.message };
  }
  return { form: e.message };
}

function Outcome(props: { outcome: Outcome }) {
  if (!props.outcome) return null;
  return (
    <p class={props.outcome.ok ? 'result-ok' : 'error-text'} role={props.outcome.ok ? 'status' : 'alert'} data-testid="settings-outcome">
      {props.outcome.message}
    </p>
  );
}

function TextField(props: { id: string; label: string; value: string; onInput: (v: string) => void; error?: string; type?: string; placeholder?: string; autoComplete?: string }) {
  const errId = `${props.id}-error`;
  return (
    <>
      <label class="field">
        <span>{props.label}</span>
        <input
          id={props.id}
          name={props.id}
          type={props.type ?? 'text'}
          value={props.value}
          placeholder={props.placeholder}
          autoComplete={props.autoComplete ?? 'off'}
          spellcheck={false}
          aria-invalid={props.error ? 'true' : undefined}
          aria-describedby={props.error ? errId : undefined}
          onInput={(e) => props.onInput(e.currentTarget.value)}
        />
      </label>
      <FieldError id={errId} message={props.error} />
    </>
  );
}

function Check(props: { label: string; checked: boolean; onChange: (v: boolean) => void; name?: string; disabled?: boolean; describedBy?: string }) {
  return (
    <label class="check">
      <input
        type="checkbox"
        name={props.name}
        checked={props.checked}
        disabled={props.disabled}
        aria-describedby={props.describedBy}
        onChange={(e) => props.onChange(e.currentTarget.checked)}
      />
      {props.label}
    </label>
  );
}

export function SettingsPanel(props: { initialTab?: SettingsTab }) {
  const store = useStore();
  const [tab, setTab] = useState<SettingsTab>(props.initialTab ?? 'sources');
  const view = store.settingsView.value;
  const close = () => (store.panel.value = null);

  function onTabKey(e: KeyboardEvent) {
    const i = TABS.indexOf(tab);
    const next = e.key === 'ArrowRight' ? (i + 1) % TABS.length : e.key === 'ArrowLeft' ? (i - 1 + TABS.length) % TABS.length : e.key === 'Home' ? 0 : e.key === 'End' ? TABS.length - 1 : -1;
    if (next < 0) return;
    e.preventDefault();
    setTab(TABS[next]);
    (e.currentTarget as HTMLElement).querySelector<HTMLElement>(`#settings-tab-${TABS[next]}`)?.focus();
  }

  return (
    <Modal title={t.settingsTitle} onClose={close} wide testId="settings-dialog">
      {!view ? (
        <p role="status">{t.loading}</p>
      ) : (
        <div data-testid="settings-panel">
          {view.problems.length > 0 && (
            <div class="banner banner-warning" role="alert">
              <p>{t.settingsProblems}</p>
              <ul>
                {view.problems.map((p) => (
                  <li key={p.field}>
                    <code>{p.field}</code>: {p.message}
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
                onClick={() => setTab(k)}
              >
                {t.settingsTabs[k]}
              </button>
            ))}
          </div>
          <div role="tabpanel" id={`settings-panel-${tab}`} aria-labelledby={`settings-tab-${tab}`} class="tab-panel">
            {tab === 'sources' && <SourcesTab settings={view.settings} />}
            {tab === 'polling' && <PollingTab settings={view.settings} />}
            {tab === 'notifications' && <NotificationsTab settings={view.settings} />}
            {tab === 'history' && <HistoryTab settings={view.settings} />}
            {tab === 'general' && <GeneralTab settings={view.settings} />}
          </div>
          <p class="muted small">{t.settingsFile(view.configPath)}</p>
        </div>
      )}
    </Modal>
  );
}

// --- sources -------------------------------------------------------------------------------------

interface SourceForm {
  kind: SourceKind;
  id: string;
  name: string;
  enabled: boolean;
  baseUrl: string;
  orchestratorUrl: string;
  clientId: string;
  tenantId: string;
  authority: string;
  shares: string;
  printers: string;
  scope: '' | 'mine' | 'all';
  domain: string;
  libraryIds: string;
  user: string;
  auth: 'securityCode' | 'bearer';
}

function toForm(c: SourceConfigT | null, kind: SourceKind = 'scriptx'): SourceForm {
  const f: SourceForm = {
    kind: c?.kind ?? kind,
    id: c?.id ?? '',
    name: c?.name ?? '',
    enabled: c?.enabled ?? true,
    baseUrl: '',
    orchestratorUrl: '',
    clientId: '',
    tenantId: '',
    authority: '',
    shares: '',
    printers: '',
    scope: '',
    domain: '',
    libraryIds: '',
    user: '',
    auth: 'securityCode',
  };
  if (!c) {
    if (kind === 'graph' || kind === 'aodocs') f.baseUrl = DEFAULT_BASE_URLS[kind];
    return f;
  }
  f.baseUrl = (c.kind === 'ipp' ? c.url : c.kind === 'windows-spooler' ? '' : c.baseUrl) ?? '';
  if (c.kind === 'windows-spooler') {
    f.printers = (c.printers ?? []).join(', ');
    f.scope = c.scope ?? '';
  }
  if (c.kind === 'ipp') {
    f.printers = (c.printers ?? []).join(', ');
    f.user = c.user ?? '';
    f.scope = c.scope ?? '';
  }
  if (c.kind === 'scriptx') f.orchestratorUrl = c.orchestratorUrl ?? '';
  if (c.kind === 'graph') {
    f.clientId = c.clientId ?? '';
    f.tenantId = c.tenantId ?? '';
    f.authority = c.authority ?? '';
    f.shares = c.shares === 'all' ? 'all' : (c.shares ?? []).join(', ');
    f.printers = (c.printers ?? []).join(', ');
    f.scope = c.scope ?? '';
  }
  if (c.kind === 'aodocs') {
    f.domain = c.domain ?? '';
    f.libraryIds = c.libraryIds.join(', ');
    f.user = c.user ?? '';
    f.auth = c.auth ?? 'securityCode';
  }
  return f;
}

/** Whose jobs a source shows: the user's own or everyone's. */
function ScopeSelect({ value, onChange }: { value: SourceForm['scope']; onChange: (v: SourceForm['scope']) => void }) {
  return (
    <label class="field">
      <span>{t.sourceScope}</span>
      <select value={value} onChange={(e) => onChange(e.currentTarget.value as SourceForm['scope'])}>
        <option value="">{t.none}</option>
        <option value="mine">{t.scopeMine}</option>
        <option value="all">{t.scopeAll}</option>
      </select>
    </label>
  );
}

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** Builds the config from the form, keeping fields the form does not show (service commands, admin). */
export function fromForm(f: SourceForm, original: SourceConfigT | null): Record<string, unknown> {
  const base: Record<string, unknown> = original && original.kind === f.kind ? { ...original } : {};
  const set = (k: string, v: unknown) => {
    if (v === '' || v === undefined || (Array.isArray(v) && v.length === 0)) delete base[k];
    else base[k] = v;
  };
  base.kind = f.kind;
  base.id = f.id.trim();
  set('name', f.name.trim());
  base.enabled = f.enabled;
  if (f.kind === 'windows-spooler') {
    set('printers', list(f.printers));
    set('scope', f.scope);
  } else set(f.kind === 'ipp' ? 'url' : 'baseUrl', f.baseUrl.trim());
  if (f.kind === 'ipp') {
    set('printers', list(f.printers));
    set('user', f.user.trim());
    set('scope', f.scope);
  }
  if (f.kind === 'scriptx') set('orchestratorUrl', f.orchestratorUrl.trim());
  if (f.kind === 'graph') {
    set('clientId', f.clientId.trim());
    set('tenantId', f.tenantId.trim());
    set('authority', f.authority.trim());
    set('shares', f.shares.trim() === 'all' ? 'all' : list(f.shares));
    set('printers', list(f.printers));
    set('scope', f.scope);
  }
  if (f.kind === 'aodocs') {
    set('domain', f.domain.trim());
    base.libraryIds = list(f.libraryIds);
    set('user', f.user.trim());
    base.auth = f.auth;
  }
  return base;
}

function SourcesTab(props: { settings: Settings }) {
  const store = useStore();
  const [editing, setEditing] = useState<{ index: number | null; kind: SourceKind } | null>(null);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [newKind, setNewKind] = useState<SourceKind>('scriptx');
  const sources = props.settings.sources;
  // Kinds this computer cannot watch (the Windows spooler elsewhere) are not offered.
  const unavailable = new Set((store.settingsView.value?.unavailableKinds ?? []).map((u) => u.kind));

  function remove(index: number) {
    const src = sources[index];
    const label = src.name ?? src.id;
    store.confirm.value = {
      title: t.removeSource(label),
      body: t.removeSourceConfirm(label),
      confirmLabel: t.remove,
      onConfirm: async () => {
        // Read before saving: the saved view no longer lists the removed source's credentials.
        const stored = (store.settingsView.value?.secrets ?? []).filter((s) => s.sourceId === src.id && s.present);
        const r = await store.saveSettings({ ...props.settings, ui: store.ui.value, sources: sources.filter((_, i) => i !== index) });
        if (!r.ok) return setOutcome({ ok: false, message: t.settingsSaveFailed(r.error.message) });
        const failures: string[] = [];
        for (const s of stored) {
          const c = await store.clearSecret({ sourceId: src.id, name: s.name });
          if (!c.ok) failures.push(t.secretFailed(t.secretNames[s.name] ?? s.name, c.error.message));
        }
        setOutcome(failures.length ? { ok: false, message: failures.join(' ') } : { ok: true, message: t.settingsSaved });
      },
    };
  }

  if (editing) {
    return (
      <SourceEditor
        settings={props.settings}
        index={editing.index}
        kind={editing.kind}
        onDone={(message) => {
          setEditing(null);
          setOutcome(message ? { ok: true, message } : null);
        }}
      />
    );
  }
  return (
    <section aria-label={t.settingsTabs.sources}>
      <ul class="source-list" data-testid="settings-sources">
        {sources.map((s, i) => (
          <li key={s.id} class="source-line" data-source={s.id}>
            <div class="source-head">
              <strong>{s.name ?? s.id}</strong>
              <span class="muted">
                {t.sourceKinds[s.kind]} · {s.id}
                {s.enabled === false ? ` · ${t.health.disabled}` : ''}
              </span>
            </div>
            <div class="source-actions">
              <button type="button" onClick={() => setEditing({ index: i, kind: s.kind })} aria-label={t.editSource(s.name ?? s.id)}>
                {t.edit}
              </button>
              <button type="button" class="danger" onClick={() => remove(i)} aria-label={t.removeSource(s.name ?? s.id)}>
                {t.remove}
              </button>
            </div>
          </li>
        ))}
      </ul>
      {sources.length === 0 && <p>{t.noSourcesYet}</p>}
      <div class="inline-form">
        <label class="field">
          <span>{t.sourceKind}</span>
          <select value={newKind} onChange={(e) => setNewKind(e.currentTarget.value as SourceKind)}>
            {SOURCE_KINDS.filter((k) => !unavailable.has(k)).map((k) => (
              <option key={k} value={k}>
                {t.sourceKinds[k]}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="primary" onClick={() => setEditing({ index: null, kind: newKind })}>
          {t.addSource}
        </button>
      </div>
      <Outcome outcome={outcome} />
    </section>
  );
}

function SourceEditor(props: { settings: Settings; index: number | null; kind: SourceKind; onDone: (message: string | null) => void }) {
  const store = useStore();
  const original = props.index === null ? null : props.settings.sources[props.index];
  const [form, setForm] = useState<SourceForm>(() => toForm(original, props.kind));
  const [secrets, setSecrets] = useState<Partial<Record<SecretName, string>>>({});
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState<'save' | 'test' | null>(null);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [tested, setTested] = useState<SourceHealth | null>(null);
  const put = <K extends keyof SourceForm>(k: K, v: SourceForm[K]) => setForm({ ...form, [k]: v });
  // The admin mode is set in the settings file; the form offers the credential it is set up with.
  const secretNames = secretNamesFor({ kind: form.kind, auth: form.auth, ...(original?.kind === 'graph' && original.admin ? { admin: original.admin } : {}) });
  const storedSecrets = store.settingsView.value?.secrets ?? [];

  /** Validates the form; answers the config or shows the reasons at the fields. */
  function validate(): SourceConfigT | null {
    const parsed = SourceConfig.safeParse(fromForm(form, original));
    const errs: Errors = parsed.success ? {} : firstErrors(parsed.error.issues);
    const id = form.id.trim();
    if (!errs.id && props.settings.sources.some((s, i) => s.id === id && i !== props.index)) errs.id = t.sourceIdTaken(id);
    for (const name of secretNames) {
      const v = secrets[name];
      if (v !== undefined && v !== '' && v.trim() === '') errs[`secret-${name}`] = t.secretBlank;
    }
    setErrors(errs);
    return parsed.success && Object.keys(errs).length === 0 ? parsed.data : null;
  }

  /** Sends typed credentials to main; the inputs are emptied once stored. */
  async function storeSecrets(sourceId: string): Promise<boolean> {
    const left = { ...secrets };
    let ok = true;
    for (const name of secretNames) {
      const value = secrets[name]?.trim();
      if (!value) continue;
      const r = await store.setSecret({ sourceId, name, value });
      if (r.ok) delete left[name];
      else {
        ok = false;
        setErrors((e) => ({ ...e, [`secret-${name}`]: t.secretFailed(t.secretNames[name] ?? name, r.error.message) }));
      }
    }
    setSecrets(left);
    if (ok) await store.loadSettings();
    return ok;
  }

  async function save(e: Event) {
    e.preventDefault();
    setOutcome(null);
    const config = validate();
    if (!config) return setOutcome({ ok: false, message: t.fixFields });
    setBusy('save');
    const next = props.index === null ? [...props.settings.sources, config] : props.settings.sources.map((s, i) => (i === props.index ? config : s));
    const r = await store.saveSettings({ ...props.settings, ui: store.ui.value, sources: next });
    if (!r.ok) {
      setBusy(null);
      const index = props.index ?? next.length - 1;
      setErrors(serverFieldErrors(r.error, `sources.${index}.`, Object.keys(form)));
      return setOutcome({ ok: false, message: t.settingsSaveFailed(r.error.message) });
    }
    const secretsOk = await storeSecrets(config.id);
    setBusy(null);
    if (secretsOk) props.onDone(t.settingsSaved);
    else setOutcome({ ok: false, message: t.fixFields });
  }

  async function test() {
    setOutcome(null);
    setTested(null);
    const config = validate();
    if (!config) return setOutcome({ ok: false, message: t.fixFields });
    setBusy('test');
    // Typed credentials travel with the test (nothing is stored by it); stored ones are used by
    // main only while the configuration still points where they were entered for.
    const typed: Partial<Record<SecretName, string>> = {};
    for (const name of secretNames) {
      const value = secrets[name]?.trim();
      if (value) typed[name] = value;
    }
    const r = await store.testSource(Object.keys(typed).length ? { source: config, secrets: typed } : { source: config });
    setBusy(null);
    if (r.ok) {
      setTested(r.value);
      setOutcome({ ok: r.value.status === 'ok', message: t.testResult(t.health[r.value.status], r.value.message) });
    } else setOutcome({ ok: false, message: r.error.message });
  }

  async function forget(name: SecretName) {
    const r = await store.clearSecret({ sourceId: form.id.trim(), name });
    if (!r.ok) setErrors({ ...errors, [`secret-${name}`]: r.error.message });
    else await store.loadSettings();
  }

  const f = form;
  return (
    <form onSubmit={save} noValidate data-testid="source-editor" aria-label={original ? t.editSource(original.name ?? original.id) : t.addSource}>
      <h3>
        {original ? t.editSource(original.name ?? original.id) : t.addSource} · {t.sourceKinds[f.kind]}
      </h3>
      <TextField id="source-id" label={t.sourceId} value={f.id} onInput={(v) => put('id', v)} error={errors.id} />
      <TextField id="source-name" label={t.sourceName} value={f.name} onInput={(v) => put('name', v)} error={errors.name} />
      <Check label={t.sourceEnabled} checked={f.enabled} onChange={(v) => put('enabled', v)} />
      {f.kind !== 'windows-spooler' && (
        <TextField
          id="source-baseUrl"
          label={f.kind === 'scriptx' ? t.sourceBaseUrlScriptx : f.kind === 'ipp' ? t.sourceUrlIpp : t.sourceBaseUrl}
          type={f.kind === 'ipp' ? 'text' : 'url'}
          value={f.baseUrl}
          onInput={(v) => put('baseUrl', v)}
          error={f.kind === 'ipp' ? errors.url : errors.baseUrl}
        />
      )}
      {f.kind === 'windows-spooler' && (
        <>
          <TextField id="source-printers" label={t.sourceWindowsPrinters} value={f.printers} onInput={(v) => put('printers', v)} error={errors.printers} />
          <ScopeSelect value={f.scope} onChange={(v) => put('scope', v)} />
        </>
      )}
      {f.kind === 'ipp' && (
        <>
          <TextField id="source-printers" label={t.sourceQueues} value={f.printers} onInput={(v) => put('printers', v)} error={errors.printers} />
          <TextField id="source-user" label={t.sourceIppUser} value={f.user} onInput={(v) => put('user', v)} error={errors.user} />
          <ScopeSelect value={f.scope} onChange={(v) => put('scope', v)} />
        </>
      )}
      {f.kind === 'scriptx' && <TextField id="source-orchestratorUrl" label={t.sourceOrchestratorUrl} type="url" value={f.orchestratorUrl} onInput={(v) => put('orchestratorUrl', v)} error={errors.orchestratorUrl} />}
      {f.kind === 'scriptx' && original && store.settingsView.value && <ServiceControlSettings view={store.settingsView.value} sourceId={original.id} />}
      {f.kind === 'graph' && (
        <>
          <TextField id="source-clientId" label={t.sourceClientId} value={f.clientId} onInput={(v) => put('clientId', v)} error={errors.clientId} />
          <TextField id="source-tenantId" label={t.sourceTenantId} value={f.tenantId} onInput={(v) => put('tenantId', v)} error={errors.tenantId} />
          <TextField id="source-authority" label={t.sourceAuthority} type="url" value={f.authority} onInput={(v) => put('authority', v)} error={errors.authority} />
          <TextField id="source-shares" label={t.sourceShares} value={f.shares} onInput={(v) => put('shares', v)} error={errors.shares} />
          <TextField id="source-printers" label={t.sourcePrinters} value={f.printers} onInput={(v) => put('printers', v)} error={errors.printers} />
          <ScopeSelect value={f.scope} onChange={(v) => put('scope', v)} />
        </>
      )}
      {f.kind === 'aodocs' && (
        <>
          <TextField id="source-domain" label={t.sourceDomain} value={f.domain} onInput={(v) => put('domain', v)} error={errors.domain} />
          <TextField id="source-libraryIds" label={t.sourceLibraryIds} value={f.libraryIds} onInput={(v) => put('libraryIds', v)} error={errors.libraryIds} />
          <TextField id="source-user" label={t.sourceUser} type="email" value={f.user} onInput={(v) => put('user', v)} error={errors.user} />
          <label class="field">
            <span>{t.sourceAuth}</span>
            <select value={f.auth} onChange={(e) => put('auth', e.currentTarget.value as SourceForm['auth'])}>
              <option value="securityCode">{t.authSecurityCode}</option>
              <option value="bearer">{t.authBearer}</option>
            </select>
          </label>
        </>
      )}
      <fieldset class="field">
        <legend>{t.secrets}</legend>
        {secretNames.map((name) => {
          const present = storedSecrets.some((s) => s.sourceId === f.id.trim() && s.name === name && s.present);
          const label = t.secretNames[name] ?? name;
          return (
            <div key={name} class="secret-row">
              <TextField
                id={`secret-${name}`}
                label={`${label} (${present ? t.secretStored : t.secretNotStored})`}
                type="password"
                autoComplete="new-password"
                placeholder={present ? t.secretPlaceholder : undefined}
                value={secrets[name] ?? ''}
                onInput={(v) => setSecrets({ ...secrets, [name]: v })}
                error={errors[`secret-${name}`]}
              />
              {present && (
                <button type="button" onClick={() => void forget(name)}>
                  {t.secretClear}
                </button>
              )}
            </div>
          );
        })}
      </fieldset>
      {tested && <p class={`badge health-${tested.status}`}>{t.health[tested.status]}</p>}
      <Outcome outcome={outcome} />
      <FieldError id="source-form-error" message={errors.form} />
      <div class="dialog-buttons">
        <button type="submit" class="primary" disabled={!!busy}>
          {busy === 'save' ? t.saving : t.save}
        </button>
        <button type="button" disabled={!!busy} onClick={() => void test()}>
          {busy === 'test' ? t.testing : t.testConnection}
        </button>
        <button type="button" onClick={() => props.onDone(null)}>
          {t.cancel}
        </button>
      </div>
    </form>
  );
}

// --- polling -------------------------------------------------------------------------------------

function PollingTab(props: { settings: Settings }) {
  const store = useStore();
  const p = props.settings.polling;
  const initial: Record<string, string> = {
    'scriptx.activeMs': String(p.scriptx.activeMs),
    'scriptx.idleMs': String(p.scriptx.idleMs),
    'graph.activeMs': String(p.graph.activeMs),
    'graph.idleMs': String(p.graph.idleMs),
    'aodocs.activeMs': String(p.aodocs.activeMs),
    'aodocs.idleMs': String(p.aodocs.idleMs),
    hiddenFactor: String(p.hiddenFactor),
    stuckAfterMinutes: String(p.stuckAfterMinutes),
    maxBackoffMs: String(p.maxBackoffMs),
  };
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<Errors>({});
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [busy, setBusy] = useState(false);
  const num = (k: string) => (values[k].trim() === '' ? Number.NaN : Number(values[k]));

  async function save(e: Event) {
    e.preventDefault();
    setOutcome(null);
    const candidate = {
      scriptx: { activeMs: num('scriptx.activeMs'), idleMs: num('scriptx.idleMs') },
      graph: { activeMs: num('graph.activeMs'), idleMs: num('graph.idleMs') },
      aodocs: { activeMs: num('aodocs.activeMs'), idleMs: num('aodocs.idleMs') },
      hiddenFactor: num('hiddenFactor'),
      stuckAfterMinutes: num('stuckAfterMinutes'),
      maxBackoffMs: num('maxBackoffMs'),
    };
    const parsed = PollingSettings.safeParse(candidate);
    if (!parsed.success) {
      setErrors(firstErrors(parsed.error.issues, 2));
      return setOutcome({ ok: false, message: t.fixFields });
    }
    setErrors({});
    setBusy(true);
    const r = await store.saveSettings({ ...props.settings, ui: store.ui.value, polling: parsed.data });
    setBusy(false);
    if (r.ok) setOutcome({ ok: true, message: t.settingsSaved });
    else {
      setErrors(serverFieldErrors(r.error, 'polling.', Object.keys(initial)));
      setOutcome({ ok: false, message: t.settingsSaveFailed(r.error.message) });
    }
  }

  const field = (k: string, label: string) => (
    <TextField key={k} id={`polling-${k.replace('.', '-')}`} label={label} type="number" value={values[k]} onInput={(v) => setValues({ ...values, [k]: v })} error={errors[k]} />
  );
  return (
    <form onSubmit={save} noValidate data-testid="settings-polling">
      {(['scriptx', 'graph', 'aodocs'] as const).map((k) => (
        <div key={k} class="field-row">
          {field(`${k}.activeMs`, t.pollingActive(t.sourceKinds[k]))}
          {field(`${k}.idleMs`, t.pollingIdle(t.sourceKinds[k]))}
        </div>
      ))}
      {field('hiddenFactor', t.pollingHidden)}
      {field('stuckAfterMinutes', t.pollingStuck)}
      {field('maxBackoffMs', t.pollingBackoff)}
      <Outcome outcome={outcome} />
      <div class="dialog-buttons">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t.saving : t.save}
        </button>
      </div>
    </form>
  );
}

// --- notifications -------------------------------------------------------------------------------

function NotificationsTab(props: { settings: Settings }) {
  const store = useStore();
  const [n, setN] = useState(props.settings.notifications);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [busy, setBusy] = useState(false);

  async function save(e: Event) {
    e.preventDefault();
    const parsed = NotificationSettings.safeParse(n);
    if (!parsed.success) return setOutcome({ ok: false, message: parsed.error.issues[0]?.message ?? t.fixFields });
    setBusy(true);
    const r = await store.saveSettings({ ...props.settings, ui: store.ui.value, notifications: parsed.data });
    setBusy(false);
    setOutcome(r.ok ? { ok: true, message: t.settingsSaved } : { ok: false, message: t.settingsSaveFailed(r.error.message) });
  }

  return (
    <form onSubmit={save} noValidate data-testid="settings-notifications">
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
      <Outcome outcome={outcome} />
      <div class="dialog-buttons">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t.saving : t.save}
        </button>
      </div>
    </form>
  );
}

// --- history -------------------------------------------------------------------------------------

function HistoryTab(props: { settings: Settings }) {
  const store = useStore();
  const h = props.settings.history;
  const [retention, setRetention] = useState(String(h.retentionDays));
  const [maxJobs, setMaxJobs] = useState(String(h.maxJobs));
  const [errors, setErrors] = useState<Errors>({});
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [busy, setBusy] = useState(false);

  async function save(e: Event) {
    e.preventDefault();
    const parsed = HistorySettings.safeParse({ retentionDays: retention.trim() ? Number(retention) : Number.NaN, maxJobs: maxJobs.trim() ? Number(maxJobs) : Number.NaN });
    if (!parsed.success) {
      setErrors(firstErrors(parsed.error.issues));
      return setOutcome({ ok: false, message: t.fixFields });
    }
    setErrors({});
    setBusy(true);
    const r = await store.saveSettings({ ...props.settings, ui: store.ui.value, history: parsed.data });
    setBusy(false);
    if (r.ok) setOutcome({ ok: true, message: t.settingsSaved });
    else {
      setErrors(serverFieldErrors(r.error, 'history.', ['retentionDays', 'maxJobs']));
      setOutcome({ ok: false, message: t.settingsSaveFailed(r.error.message) });
    }
  }

  function clear() {
    store.confirm.value = {
      title: t.historyClear,
      body: t.historyClearConfirm,
      confirmLabel: t.historyClear,
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
    <form onSubmit={save} noValidate data-testid="settings-history">
      <TextField id="history-retentionDays" label={t.historyRetention} type="number" value={retention} onInput={setRetention} error={errors.retentionDays} />
      <TextField id="history-maxJobs" label={t.historyMax} type="number" value={maxJobs} onInput={setMaxJobs} error={errors.maxJobs} />
      <Outcome outcome={outcome} />
      <div class="dialog-buttons">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t.saving : t.save}
        </button>
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

// --- general -------------------------------------------------------------------------------------

function GeneralTab(props: { settings: Settings }) {
  const store = useStore();
  const ui = store.ui.value;
  const [theme, setTheme] = useState(ui.theme);
  const [startAtLogin, setStartAtLogin] = useState(ui.startAtLogin);
  const [startMinimized, setStartMinimized] = useState(ui.startMinimized);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [busy, setBusy] = useState(false);

  async function save(e: Event) {
    e.preventDefault();
    setBusy(true);
    const nextUi = { ...store.ui.value, theme, startAtLogin, startMinimized };
    const r = await store.saveSettings({ ...props.settings, ui: nextUi });
    setBusy(false);
    if (r.ok) {
      store.ui.value = nextUi;
      setOutcome({ ok: true, message: t.settingsSaved });
    } else setOutcome({ ok: false, message: t.settingsSaveFailed(r.error.message) });
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
    <form onSubmit={save} noValidate data-testid="settings-general">
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
      <Outcome outcome={outcome} />
      <div class="dialog-buttons">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t.saving : t.save}
        </button>
        <button type="button" onClick={() => void diagnostics()}>
          {t.saveDiagnostics}
        </button>
      </div>
    </form>
  );
}
