/**
 * The queue window: command bar, filters, the virtualized grid (or what to do when it is empty),
 * the detail panel, and whichever panel or dialog is open. Everything reads the one store.
 */
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { t } from './i18n/messages';
import { docName, MAX_VISIBLE_NOTICES, type Store } from './state/store';
import { StoreContext, useStore } from './components/context';
import { watchJobNotices } from './state/job-notices';
import { CommandBar, FilterBar, PausedBanner } from './components/Toolbar';
import { NOT_LIVE_NOTE_ID, QueueGrid } from './components/QueueGrid';
import { formatDateTime } from './i18n/format';
import { EmptyState } from './components/EmptyState';
import { OutageBanner } from './components/OutageBanner';
import { SummaryStrip } from './components/SummaryStrip';
import { PrintersView } from './components/PrintersView';
import { HistorySection } from './components/HistoryViewEntry';
import { LazyDetailPanel, LazyDialogs, LazyPrintDialog, LazyServicePanel, LazySettingsPanel, LazySourcesPanel, LazyTrackDialog } from './components/lazy';

export type ThemeChoice = 'system' | 'light' | 'dark';

/** Applies the theme choice to the page: `system` follows prefers-color-scheme through the CSS. */
export function applyTheme(theme: ThemeChoice, root: HTMLElement = document.documentElement): void {
  if (theme === 'system') delete root.dataset.theme;
  else root.dataset.theme = theme;
}

export function App(props: { store: Store }) {
  return (
    <StoreContext.Provider value={props.store}>
      <Shell />
    </StoreContext.Provider>
  );
}

function Shell() {
  const store = useStore();
  const theme = store.ui.value.theme;
  useEffect(() => applyTheme(theme), [theme]);
  useEffect(() => watchJobNotices(store), [store]);
  // While only the queue's first rows are in, they are shown under the choices they were picked for;
  // none of them, without the whole queue's counts beside them, says nothing of the queue yet.
  const head = store.partial.value;
  const unknown = head !== null && (head !== store.ui.value || (store.headCounts.value === null && store.visible.value.length === 0));
  const status = store.status.value === 'ready' && unknown ? 'loading' : store.status.value;
  const detailOpen = store.detailKey.value !== null;
  return (
    <div class={detailOpen ? 'app has-detail' : 'app'}>
      <CommandBar />
      {/* One region for what is wrong, capped and scrolled by itself: the queue stays in view. The
          note that the queue is not live is there too, and describes the grid (QueueGrid). */}
      <div class="banners" data-testid="banners">
        <ConnectionBanner />
        <NotLiveNote />
        <PausedBanner />
        <OutageBanner />
      </div>
      <FilterBar />
      <SummaryStrip />
      <PrintersView />
      <HistorySection />
      <main class="content" data-testid="queue" data-status={status}>
        <div class="queue-area">
          {status === 'loading' && (
            <p class="loading" role="status">
              {t.loading}
            </p>
          )}
          {status === 'error' && <LoadError />}
          {status === 'ready' && (store.visible.value.length ? <QueueGrid /> : <EmptyState />)}
        </div>
        {detailOpen && <LazyDetailPanel />}
        <DetailAnnouncer />
      </main>
      <OpenPanel />
      <LazyDialogs />
      <Notices />
    </div>
  );
}

/** Says, to a screen reader, which job's details just opened (the live region stays in the page). */
function DetailAnnouncer() {
  const store = useStore();
  const key = store.detailKey.value;
  const job = key ? store.jobs.get(key) : undefined;
  return (
    <p class="visually-hidden" aria-live="polite" data-testid="detail-announcer">
      {job ? t.detailsOpened(docName(job)) : ''}
    </p>
  );
}

function ConnectionBanner() {
  const store = useStore();
  const message = store.connection.value;
  const banner = useRef<HTMLDivElement>(null);
  // The first thing said in the banners' region, and in view when it comes even if the region was
  // scrolled down to the outages' details.
  const shown = !!message;
  useLayoutEffect(() => {
    if (shown) banner.current?.scrollIntoView?.({ block: 'nearest' });
  }, [shown]);
  if (!message) return null;
  return (
    <div ref={banner} class="banner banner-error" role="alert" data-testid="connection-banner">
      {message}
    </div>
  );
}

/**
 * Over the queue while the connection to the app is lost: since when nothing in it is updated
 * (the grid, which it describes, is dimmed meanwhile). Gone once the queue is read afresh.
 */
function NotLiveNote() {
  const store = useStore();
  const since = store.notLiveSince.value;
  if (since === null) return null;
  return (
    <section id={NOT_LIVE_NOTE_ID} class="not-live-note" aria-label={t.notLiveLabel} data-testid="not-live">
      <strong>{t.notLiveSince(formatDateTime(since))}</strong> <span>{t.notLiveWhy}</span>
    </section>
  );
}

function LoadError() {
  const store = useStore();
  const error = store.loadError.value;
  return (
    <section class="empty" role="alert" data-testid="load-error">
      <h2>{t.loadFailed(error?.message ?? t.none)}</h2>
      <div class="empty-actions">
        <button type="button" class="primary" onClick={() => void store.loadSnapshot()}>
          {t.retry}
        </button>
      </div>
    </section>
  );
}

function OpenPanel() {
  const store = useStore();
  const panel = store.panel.value;
  if (!panel) return null;
  switch (panel.kind) {
    case 'sources':
      return <LazySourcesPanel />;
    case 'service':
      return <LazyServicePanel sourceId={panel.sourceId} />;
    case 'settings':
      return <LazySettingsPanel initialTab={panel.tab} sourceId={panel.sourceId} />;
    case 'track':
      return <LazyTrackDialog />;
    case 'print':
      return <LazyPrintDialog />;
  }
}

/**
 * Outcomes of actions and messages from the app, in a strip under the queue (never over its
 * columns): the newest three, "and N more" with "Dismiss all"; identical ones counted once.
 * Info and warnings close by themselves unless hovered or focused; errors stay until dismissed.
 */
function Notices() {
  const store = useStore();
  const notices = store.notices.value;
  const shown = notices.slice(-MAX_VISIBLE_NOTICES);
  const hidden = notices.length - shown.length;
  const hold = (held: boolean) => () => store.holdNotices(held);
  return (
    <section
      class="notices"
      aria-label={t.noticesLabel}
      aria-live="polite"
      data-testid="notices"
      onMouseEnter={hold(true)}
      onMouseLeave={hold(false)}
      onFocusIn={hold(true)}
      onFocusOut={(e) => {
        if (!(e.currentTarget as HTMLElement).contains(e.relatedTarget as Node | null)) store.holdNotices(false);
      }}
    >
      {shown.map((n) => (
        <div key={n.id} class={`notice notice-${n.level}`} role={n.level === 'error' ? 'alert' : 'status'} data-testid="notice" data-level={n.level}>
          <div class="notice-body">
            <span>{n.message}</span>
            {n.count > 1 && <span class="notice-count"> {t.noticeRepeated(String(n.count))}</span>}
            {n.actions && (
              <span class="notice-actions">
                {n.actions.map((a) => (
                  <button
                    key={a.label}
                    type="button"
                    class="link"
                    onClick={() => {
                      a.run();
                      store.dismissNotice(n.id);
                    }}
                  >
                    {a.label}
                  </button>
                ))}
              </span>
            )}
            {n.details && (
              <details class="notice-details">
                <summary>{t.noticeDetails}</summary>
                <ul class="plain">
                  {n.details.map((d, i) => (
                    <li key={i}>{d}</li>
                  ))}
                </ul>
              </details>
            )}
          </div>
          <button type="button" class="icon-button" aria-label={t.dismissNotice} title={t.dismissNotice} onClick={() => store.dismissNotice(n.id)}>
            ✕
          </button>
        </div>
      ))}
      {notices.length > 1 && (
        <div class="notices-more" data-testid="notices-more">
          {hidden > 0 && <span>{t.noticesMore(String(hidden))}</span>}
          <button type="button" onClick={() => store.dismissAllNotices()}>
            {t.dismissAllNotices}
          </button>
        </div>
      )}
    </section>
  );
}
