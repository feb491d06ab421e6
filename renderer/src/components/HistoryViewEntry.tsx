/**
 * Where the History view is reached: a section over the queue, beside Printers. The view and its
 * chart library are loaded the first time the section is opened, never for the queue's start.
 */
import { t } from '../i18n/messages';
import { historyOf } from '../state/history';
import { useStore } from './context';
import { lazyModule, useLazyModule } from './lazy';

const historyView = lazyModule(() => import('./HistoryView'));

/** Loads the History view once; a failed load may be tried again. */
export const loadHistoryView = historyView.load;

function LazyHistoryView() {
  const loaded = useLazyModule(historyView, true);
  if (!loaded) {
    return (
      <p class="loading" role="status">
        {t.panelLoading}
      </p>
    );
  }
  return <loaded.HistoryView />;
}

export function HistorySection() {
  const store = useStore();
  const h = historyOf(store);
  const open = h.open.value;
  return (
    <section class="app-section" aria-label={t.historyTitle}>
      <details class="printers-view history-section" data-testid="history-section" open={open} onToggle={(e) => {
        const next = (e.currentTarget as HTMLDetailsElement).open;
        // The view's code is fetched now, beside the history it reads, not after the next frame
        // (a failure is said when the view asks for it again).
        if (next) historyView.load().catch(() => undefined);
        if (next !== h.open.value) h.setOpen(next);
      }}>
        <summary>{t.historyTitle}</summary>
        {/* Drawn only while open: a closed section costs the queue nothing. */}
        {open && <LazyHistoryView />}
      </details>
    </section>
  );
}
