/**
 * A source that cannot be reached, or needs a sign-in, is said over the queue: which source, what
 * failed (the source's own message) and what to do, with the action at hand.
 */
import { t } from '../i18n/messages';
import { useStore } from './context';

export function OutageBanner() {
  const store = useStore();
  const out = store.sources.value.filter((s) => s.status === 'down' || s.status === 'auth-required');
  if (!out.length) return null;
  return (
    <section class="outages" aria-label={t.outagesLabel} data-testid="outage-banner">
      {out.map((s) => {
        const signIn = s.status === 'auth-required';
        return (
          <div key={s.id} class="banner banner-error" role="alert" aria-label={signIn ? t.outageSignIn(s.name) : t.outageTitle(s.name)} data-source={s.id}>
            <div class="outage-text">
              <strong>{signIn ? t.outageSignIn(s.name) : t.outageTitle(s.name)}</strong>
              {s.message && <p>{t.outageWhatFailed(s.message)}</p>}
              <p>{signIn ? t.outageWhatToDoSignIn : t.outageWhatToDo}</p>
            </div>
            {!signIn && (
              <button type="button" onClick={() => void store.refreshNow(s.id)}>
                {t.outageRetry}
              </button>
            )}
            <button type="button" onClick={() => (store.panel.value = { kind: 'sources' })}>
              {t.outageOpenSources}
            </button>
          </div>
        );
      })}
    </section>
  );
}
