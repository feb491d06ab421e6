/** What the queue shows when it has no rows: always the reason, and what to do next. */
import { t } from '../i18n/messages';
import { useStore } from './context';
import { NO_FILTERS, isFiltered } from '../state/store';

export function EmptyState() {
  const store = useStore();
  const sources = store.sources.value;
  const configured = store.settingsView.value?.settings.sources.length ?? sources.length;
  const total = store.jobCount.value;
  const ui = store.ui.value;

  if (configured === 0 && sources.length === 0) {
    return (
      <Empty title={t.emptyNoSourcesTitle} text={t.emptyNoSources}>
        <button type="button" class="primary" onClick={() => (store.panel.value = { kind: 'settings', tab: 'sources' })}>
          {t.emptyAddSource}
        </button>
      </Empty>
    );
  }
  if (total === 0) {
    const enabled = sources.filter((s) => s.status !== 'disabled');
    const signIn = enabled.filter((s) => s.status === 'auth-required');
    const allDown = enabled.length > 0 && enabled.every((s) => s.status === 'down' || s.status === 'auth-required');
    if (allDown) {
      return (
        <Empty title={signIn.length ? t.emptySignInTitle : t.emptySourcesDownTitle} text={t.emptySourcesDown}>
          <ul class="empty-list">
            {enabled.map((s) => (
              <li key={s.id}>
                <strong>{s.name}</strong>: {s.message || t.health[s.status]}
                {s.status === 'auth-required' && (
                  <button type="button" class="primary" onClick={() => void store.signIn(s.id)}>
                    {t.signIn}
                  </button>
                )}
              </li>
            ))}
          </ul>
          <button type="button" onClick={() => (store.panel.value = { kind: 'sources' })}>
            {t.openSources}
          </button>
        </Empty>
      );
    }
    return (
      <Empty title={t.emptyNoJobsTitle} text={t.emptyNoJobs}>
        <button type="button" class="primary" onClick={() => (store.panel.value = { kind: 'track' })}>
          {t.trackJob}
        </button>
      </Empty>
    );
  }
  const filtered = isFiltered(ui);
  if (!filtered && ui.view === 'active') {
    return (
      <Empty title={t.emptyNoJobsTitle} text={t.emptyNoActive}>
        <button type="button" onClick={() => store.updateUi({ view: 'all' })}>
          {t.views.all}
        </button>
      </Empty>
    );
  }
  return (
    <Empty title={t.emptyFilteredTitle} text={t.emptyFiltered}>
      <button type="button" onClick={() => store.updateUi({ ...NO_FILTERS, view: 'all' })}>
        {t.clearFilters}
      </button>
    </Empty>
  );
}

function Empty(props: { title: string; text: string; children?: preact.ComponentChildren }) {
  return (
    <section class="empty" aria-live="polite">
      <h2>{props.title}</h2>
      <p>{props.text}</p>
      <div class="empty-actions">{props.children}</div>
    </section>
  );
}
