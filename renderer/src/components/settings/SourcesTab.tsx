/** Settings → Sources: the configured sources, add, edit and remove (with their stored credentials). */
import { useEffect, useRef, useState } from 'preact/hooks';
import { SOURCE_KINDS, type Settings, type SourceKind } from '../../../../preload/contract/model';
import { t } from '../../i18n/messages';
import { useStore } from '../context';
import { returnFocus } from '../focus-return';
import { OutcomeLine } from './fields';
import { SourceEditor } from './SourceEditor';
import { useSettingsSave } from './use-save';

/** `editSourceId`: the source whose editor opens first (its credentials need entering). */
export function SourcesTab(props: { settings: Settings; editSourceId?: string }) {
  const store = useStore();
  const [editing, setEditing] = useState<{ index: number | null; kind: SourceKind } | null>(() => {
    const index = props.settings.sources.findIndex((s) => s.id === props.editSourceId);
    return index < 0 ? null : { index, kind: props.settings.sources[index].kind };
  });
  const { outcome, setOutcome, save } = useSettingsSave();
  const listRef = useRef<HTMLElement>(null);
  /** Whose Edit button opened the editor ('' for Add a source): it has the focus again once the editor closes. */
  const openedFrom = useRef<string | null>(editing ? (props.editSourceId ?? null) : null);
  const [newKind, setNewKind] = useState<SourceKind>('scriptx');
  const sources = props.settings.sources;
  // Kinds this computer cannot watch (the Windows spooler elsewhere) are not offered.
  const unavailable = new Set((store.settingsView.value?.unavailableKinds ?? []).map((u) => u.kind));

  const addButton = () => listRef.current?.querySelector<HTMLElement>('[data-action="add"]');
  const editButton = (id: string | undefined) => (id === undefined ? null : listRef.current?.querySelector<HTMLElement>(`[data-source="${CSS.escape(id)}"] [data-action="edit"]`));

  function edit(next: { index: number | null; kind: SourceKind }) {
    openedFrom.current = next.index === null ? '' : sources[next.index].id;
    setEditing(next);
  }

  useEffect(() => {
    if (editing || openedFrom.current === null) return;
    const from = openedFrom.current;
    openedFrom.current = null;
    returnFocus(from ? (editButton(from) ?? null) : (addButton() ?? null), addButton);
  }, [editing]);

  function remove(index: number) {
    const src = sources[index];
    const label = src.name ?? src.id;
    store.confirm.value = {
      title: t.removeSource(label),
      body: t.removeSourceConfirm(label),
      confirmLabel: t.remove,
      // The Remove button goes with its source: the next source's Edit, else Add a source.
      returnFocus: () => editButton(store.settingsView.value?.settings.sources[index]?.id) ?? editButton(store.settingsView.value?.settings.sources.at(-1)?.id) ?? addButton(),
      onConfirm: async () => {
        // Read before saving: the saved view no longer lists the removed source's credentials.
        const stored = (store.settingsView.value?.secrets ?? []).filter((s) => s.sourceId === src.id && s.present);
        if (!(await save({ sources: sources.filter((_, i) => i !== index) }, { announce: false }))) return;
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
    <section aria-label={t.settingsTabs.sources} ref={listRef}>
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
              <button type="button" data-action="edit" onClick={() => edit({ index: i, kind: s.kind })} aria-label={t.editSource(s.name ?? s.id)}>
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
        <button type="button" class="primary" data-action="add" onClick={() => edit({ index: null, kind: newKind })}>
          {t.addSource}
        </button>
      </div>
      <OutcomeLine outcome={outcome} />
    </section>
  );
}
