/**
 * A source that cannot be reached, or needs a sign-in, is said over the queue: which source, what
 * failed (the source's own message) and what to do, with the action at hand. Several at once are
 * one banner that names them, each one's details on demand: the queue under it stays in view.
 *
 * The banners themselves are not live regions: one alert beside them says the problems that are new
 * since it last spoke (a source gone out, or out for another reason), so a click on their buttons, a
 * source coming back or the details opened is never read out again as if it were new.
 */
import { useRef, useState } from 'preact/hooks';
import type { SourceHealth } from '../../../preload/contract/model';
import { t } from '../i18n/messages';
import { count } from '../i18n/format';
import type { Store } from '../state/store';
import { useStore } from './context';

const isOut = (s: SourceHealth) => s.status === 'down' || s.status === 'auth-required';
const titleOf = (s: SourceHealth) => (s.status === 'auth-required' ? t.outageSignIn(s.name) : t.outageTitle(s.name));
/** A problem as the alert tells it apart: the same source out for another reason is a new one. */
const problemOf = (s: SourceHealth) => `${s.id}\u0000${s.status}`;
const openSources = (store: Store) => () => (store.panel.value = { kind: 'sources' });
const titleId = (s: SourceHealth) => `outage-title-${s.id}`;

export function OutageBanner() {
  const store = useStore();
  const [expanded, setExpanded] = useState(false);
  const out = store.sources.value.filter(isOut);
  const alert = useNewProblems(out);
  // Details asked for stay open while several sources are out; the next time they are closed.
  if (out.length < 2 && expanded) setExpanded(false);
  if (!out.length) return null;
  const announcer = (
    <p class="visually-hidden" role="alert" data-testid="outage-alert">
      {alert}
    </p>
  );
  if (out.length === 1) {
    const s = out[0]!;
    return (
      <section class="outages" aria-label={t.outagesLabel} data-testid="outage-banner">
        {announcer}
        <div class="banner banner-error" data-source={s.id}>
          <OutageDetails store={store} source={s} />
        </div>
      </section>
    );
  }
  const down = out.filter((s) => s.status === 'down');
  return (
    <section class="outages" aria-label={t.outagesLabel} data-testid="outage-banner" data-count={out.length}>
      {announcer}
      <div class="banner banner-error" data-testid="outage-summary">
        <div class="outage-text">
          <strong>{t.outagesTitle(count(out.length))}</strong>
          <ul class="outage-names">
            {out.map((s) => (
              <li key={s.id} data-source={s.id}>
                {titleOf(s)}
              </li>
            ))}
          </ul>
          <p>{down.length ? t.outagesWhatToDo : t.outagesWhatToDoSignIn}</p>
        </div>
        <button type="button" class="disclosure" aria-expanded={expanded ? 'true' : 'false'} aria-controls="outage-details" onClick={() => setExpanded(!expanded)}>
          {t.outagesDetails}
        </button>
        {down.length > 0 && (
          <button type="button" onClick={() => void store.refreshNow(down.map((s) => s.id))}>
            {down.length === out.length ? t.outagesRetryAll : t.outagesRetryDown(count(down.length))}
          </button>
        )}
        <button type="button" onClick={openSources(store)}>
          {t.outageOpenSources}
        </button>
      </div>
      <ul id="outage-details" class="outage-details" hidden={!expanded}>
        {expanded &&
          out.map((s) => (
            <li key={s.id} class="banner banner-error" data-source={s.id} aria-labelledby={titleId(s)}>
              <OutageDetails store={store} source={s} />
            </li>
          ))}
      </ul>
    </section>
  );
}

/**
 * What the alert says now: the problems among `out` that were not there when it last changed (all
 * of them the first time). A source coming back, or nothing new, leaves it empty, so that the next
 * new problem is read out, and only that one.
 */
function useNewProblems(out: SourceHealth[]): string {
  const said = useRef<{ key: string; text: string; seen: ReadonlySet<string> }>({ key: '', text: '', seen: new Set() });
  const key = out.map(problemOf).join('\u0001');
  if (said.current.key !== key) {
    const fresh = out.filter((s) => !said.current.seen.has(problemOf(s)));
    said.current = { key, text: fresh.map((s) => `${titleOf(s)}.`).join(' '), seen: new Set(out.map(problemOf)) };
  }
  return said.current.text;
}

/** One source's outage: what failed, what to do, and the actions for it (each named with its source). */
function OutageDetails(props: { store: Store; source: SourceHealth }) {
  const { store, source: s } = props;
  const signIn = s.status === 'auth-required';
  return (
    <>
      <div class="outage-text">
        <strong id={titleId(s)}>{titleOf(s)}</strong>
        {s.message && <p>{t.outageWhatFailed(s.message)}</p>}
        <p>{signIn ? t.outageWhatToDoSignIn : t.outageWhatToDo}</p>
      </div>
      {!signIn && (
        <button type="button" aria-describedby={titleId(s)} onClick={() => void store.refreshNow(s.id)}>
          {t.outageRetry}
        </button>
      )}
      <button type="button" aria-describedby={titleId(s)} onClick={openSources(store)}>
        {t.outageOpenSources}
      </button>
    </>
  );
}
