/**
 * A source that cannot be reached, or needs a sign-in, is said over the queue: which source, what
 * failed (the source's own message) and what to do, with the action at hand. Several at once are
 * one banner that names them, each one's details on demand: the queue under it stays in view.
 */
import { useState } from 'preact/hooks';
import type { SourceHealth } from '../../../preload/contract/model';
import { t } from '../i18n/messages';
import { count } from '../i18n/format';
import type { Store } from '../state/store';
import { useStore } from './context';

const isOut = (s: SourceHealth) => s.status === 'down' || s.status === 'auth-required';
const titleOf = (s: SourceHealth) => (s.status === 'auth-required' ? t.outageSignIn(s.name) : t.outageTitle(s.name));
const openSources = (store: Store) => () => (store.panel.value = { kind: 'sources' });

export function OutageBanner() {
  const store = useStore();
  const [expanded, setExpanded] = useState(false);
  const out = store.sources.value.filter(isOut);
  if (!out.length) return null;
  if (out.length === 1) {
    const s = out[0]!;
    return (
      <section class="outages" aria-label={t.outagesLabel} data-testid="outage-banner">
        <div class="banner banner-error" role="alert" aria-label={titleOf(s)} data-source={s.id}>
          <OutageDetails store={store} source={s} />
        </div>
      </section>
    );
  }
  const down = out.filter((s) => s.status === 'down');
  return (
    <section class="outages" aria-label={t.outagesLabel} data-testid="outage-banner" data-count={out.length}>
      <div class="banner banner-error" role="alert" data-testid="outage-summary">
        <div class="outage-text">
          <strong>{t.outagesTitle(count(out.length))}</strong>
          <ul class="outage-names">
            {out.map((s) => (
              <li key={s.id} data-source={s.id}>
                {titleOf(s)}
              </li>
            ))}
          </ul>
          <p>{t.outagesWhatToDo}</p>
        </div>
        <button type="button" aria-expanded={expanded ? 'true' : 'false'} aria-controls="outage-details" onClick={() => setExpanded(!expanded)}>
          {expanded ? t.outagesHideDetails : t.outagesShowDetails}
        </button>
        {down.length > 0 && (
          <button type="button" onClick={() => down.forEach((s) => void store.refreshNow(s.id))}>
            {t.outageRetry}
          </button>
        )}
        <button type="button" onClick={openSources(store)}>
          {t.outageOpenSources}
        </button>
      </div>
      <ul id="outage-details" class="outage-details" hidden={!expanded}>
        {expanded &&
          out.map((s) => (
            <li key={s.id} class="banner banner-error" data-source={s.id}>
              <OutageDetails store={store} source={s} />
            </li>
          ))}
      </ul>
    </section>
  );
}

/** One source's outage: what failed, what to do, and the actions for it. */
function OutageDetails(props: { store: Store; source: SourceHealth }) {
  const { store, source: s } = props;
  const signIn = s.status === 'auth-required';
  return (
    <>
      <div class="outage-text">
        <strong>{titleOf(s)}</strong>
        {s.message && <p>{t.outageWhatFailed(s.message)}</p>}
        <p>{signIn ? t.outageWhatToDoSignIn : t.outageWhatToDo}</p>
      </div>
      {!signIn && (
        <button type="button" onClick={() => void store.refreshNow(s.id)}>
          {t.outageRetry}
        </button>
      )}
      <button type="button" onClick={openSources(store)}>
        {t.outageOpenSources}
      </button>
    </>
  );
}
