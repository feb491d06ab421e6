/** Adds or edits one source: its settings for its kind, its credentials, and Test connection. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { SourceConfig, secretNamesFor, type SecretName, type Settings, type SourceHealth, type SourceKind } from '../../../../preload/contract/model';
import { t } from '../../i18n/messages';
import { useStore } from '../context';
import { FieldError } from '../Modal';
import { ServiceControlSettings } from '../ServiceControl';
import { Check, firstErrors, OutcomeLine, TextField, type Errors } from './fields';
import { fromForm, toForm, type SourceForm } from './source-form';
import { sameSettings, useUnsaved } from './unsaved';
import { useSettingsSave } from './use-save';

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

export function SourceEditor(props: { settings: Settings; index: number | null; kind: SourceKind; onDone: (message: string | null) => void }) {
  const store = useStore();
  const original = props.index === null ? null : props.settings.sources[props.index];
  const [form, setForm] = useState<SourceForm>(() => toForm(original, props.kind));
  const [secrets, setSecrets] = useState<Partial<Record<SecretName, string>>>({});
  const saving = useSettingsSave();
  const { errors, setErrors, outcome, setOutcome } = saving;
  /** Testing the connection, or storing the credentials once the settings are saved. */
  const [phase, setPhase] = useState<'test' | 'secrets' | null>(null);
  const busy = saving.busy || phase !== null;
  const [tested, setTested] = useState<SourceHealth | null>(null);
  useUnsaved(!sameSettings(form, toForm(original, props.kind)) || Object.values(secrets).some((v) => !!v));
  const put = <K extends keyof SourceForm>(k: K, v: SourceForm[K]) => setForm({ ...form, [k]: v });
  // The admin mode is set in the settings file; the form offers the credential it is set up with.
  const secretNames = secretNamesFor({ kind: form.kind, auth: form.auth, ...(original?.kind === 'graph' && original.admin ? { admin: original.admin } : {}) });
  const storedSecrets = store.settingsView.value?.secrets ?? [];

  /** Validates the form; answers the config or shows the reasons at the fields. */
  function validate(): SourceConfig | null {
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
    const next = props.index === null ? [...props.settings.sources, config] : props.settings.sources.map((s, i) => (i === props.index ? config : s));
    const index = props.index ?? next.length - 1;
    if (!(await saving.save({ sources: next }, { prefix: `sources.${index}.`, known: Object.keys(form), announce: false }))) return;
    setPhase('secrets');
    const secretsOk = await storeSecrets(config.id);
    setPhase(null);
    if (secretsOk) props.onDone(t.settingsSaved);
    else setOutcome({ ok: false, message: t.fixFields });
  }

  async function test() {
    setOutcome(null);
    setTested(null);
    const config = validate();
    if (!config) return setOutcome({ ok: false, message: t.fixFields });
    setPhase('test');
    // Typed credentials travel with the test (nothing is stored by it); stored ones are used by
    // main only while the configuration still points where they were entered for.
    const typed: Partial<Record<SecretName, string>> = {};
    for (const name of secretNames) {
      const value = secrets[name]?.trim();
      if (value) typed[name] = value;
    }
    const r = await store.testSource(Object.keys(typed).length ? { source: config, secrets: typed } : { source: config });
    setPhase(null);
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

  // The editor takes the place of the list and of the button that opened it: the focus moves in.
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => formRef.current?.querySelector<HTMLElement>('input')?.focus(), []);

  const f = form;
  return (
    <form ref={formRef} onSubmit={save} noValidate data-testid="source-editor" aria-label={original ? t.editSource(original.name ?? original.id) : t.addSource}>
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
      <OutcomeLine outcome={outcome} />
      <FieldError id="source-form-error" message={errors.form} />
      <div class="dialog-buttons">
        <button type="submit" class="primary" disabled={busy}>
          {saving.busy || phase === 'secrets' ? t.saving : t.save}
        </button>
        <button type="button" disabled={busy} onClick={() => void test()}>
          {phase === 'test' ? t.testing : t.testConnection}
        </button>
        <button type="button" onClick={() => props.onDone(null)}>
          {t.cancel}
        </button>
      </div>
    </form>
  );
}
