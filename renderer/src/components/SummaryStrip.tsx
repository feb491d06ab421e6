/**
 * How the queue stands at a glance ("4 printing · 1 failed · 2 stuck"), each count a one-click
 * filter: pressing it shows exactly those jobs, pressing it again shows everything.
 */
import type { JobState } from '../../../preload/contract/model';
import { t } from '../i18n/messages';
import { formatInt } from '../i18n/format';
import { NO_FILTERS } from '../state/store';
import { useStore } from './context';

/** The states counted, in the order they read. */
const COUNTED: JobState[] = ['printing', 'processing', 'queued', 'paused', 'failed'];

export function SummaryStrip() {
  const store = useStore();
  const ui = store.ui.value;
  // Counts of the first rows only are not how the queue stands: nothing until the whole queue's.
  if (store.partial.value !== null && store.headCounts.value === null) return null;
  const { byState, stuck } = store.stateCounts.value;
  const items: { id: string; label: string; on: boolean; choose: () => void }[] = [];
  for (const s of COUNTED) {
    const n = byState[s] ?? 0;
    if (!n) continue;
    const on = ui.stateFilter.length === 1 && ui.stateFilter[0] === s && !ui.stuckOnly;
    items.push({ id: s, label: t.summaryState(formatInt(n), t.states[s]), on, choose: () => store.updateUi(on ? { ...NO_FILTERS } : { ...NO_FILTERS, view: 'all', stateFilter: [s] }) });
  }
  if (stuck) {
    const on = ui.stuckOnly && ui.stateFilter.length === 0;
    items.push({ id: 'stuck', label: t.summaryStuck(formatInt(stuck)), on, choose: () => store.updateUi(on ? { ...NO_FILTERS } : { ...NO_FILTERS, view: 'all', stuckOnly: true }) });
  }
  if (!items.length) return null;
  return (
    <nav class="summary-strip" aria-label={t.summaryLabel} data-testid="summary-strip">
      {items.map((it, i) => (
        <span key={it.id}>
          {i > 0 && <span aria-hidden="true"> · </span>}
          <button type="button" class={`link summary-${it.id}`} aria-pressed={it.on ? 'true' : 'false'} data-summary={it.id} onClick={it.choose}>
            {it.label}
          </button>
        </span>
      ))}
    </nav>
  );
}
