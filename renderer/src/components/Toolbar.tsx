/** The window's command bar, the view/filter bar and the paused banner. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { JobState } from '../../../preload/contract/model';
import { JOB_STATES } from '../../../preload/contract/job-states';
import { t } from '../i18n/messages';
import { formatDateTime, count, formatInt } from '../i18n/format';
import type { ViewName } from '../../../preload/contract/queue-view';
import { askCancel } from './actions';
import { useStore } from './context';
import { useClosingMenus } from './menus';
import { ColumnChooser } from './ColumnChooser';
import { COLUMNS } from './QueueGrid';
import { NO_FILTERS, isFiltered, type Store } from '../state/store';
import { csvFile } from '../../../preload/contract/csv';
import { downloadText, viewToCsv, viewToJson } from './export';

export function CommandBar() {
  const store = useStore();
  const paused = store.paused.value;
  const root = useRef<HTMLElement>(null);
  useClosingMenus(root);
  return (
    <header class="command-bar" ref={root}>
      <h1 class="app-title">{t.appTitle}</h1>
      <div class="command-group" role="toolbar" aria-label={t.toolbarLabel}>
        <button type="button" onClick={() => (store.panel.value = { kind: 'track' })}>
          {t.trackJob}
        </button>
        <button type="button" onClick={() => (store.panel.value = { kind: 'print' })}>
          {t.print}
        </button>
        {paused ? (
          <button type="button" onClick={() => void store.resume()}>
            {t.resume}
          </button>
        ) : (
          <details class="menu">
            <summary>{t.pause}</summary>
            <div class="menu-items">
              <button type="button" onClick={() => void store.pause(15)}>
                {t.pauseFor(t.pause15)}
              </button>
              <button type="button" onClick={() => void store.pause(60)}>
                {t.pauseFor(t.pause60)}
              </button>
              <button type="button" onClick={() => void store.pause(null)}>
                {t.pauseUntilResumed}
              </button>
            </div>
          </details>
        )}
        <button type="button" onClick={() => (store.panel.value = { kind: 'sources' })}>
          {t.sources}
          <SourcesSummaryDot />
        </button>
        <button type="button" onClick={() => (store.panel.value = { kind: 'settings' })}>
          {t.settings}
        </button>
      </div>
    </header>
  );
}

function SourcesSummaryDot() {
  const store = useStore();
  const worst = store.sources.value.find((s) => s.status === 'down' || s.status === 'auth-required') ?? store.sources.value.find((s) => s.status === 'degraded');
  if (!worst) return null;
  return <span class={`dot dot-${worst.status}`} title={`${worst.name}: ${t.health[worst.status]}`} aria-label={`${worst.name}: ${t.health[worst.status]}`} />;
}

/** Arrow keys in the view radio group choose the previous or next view and move the focus to it. */
function moveView(e: KeyboardEvent, views: ViewName[], current: ViewName, choose: (v: ViewName) => void): void {
  const step = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? 1 : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? -1 : 0;
  const i = views.indexOf(current);
  const next = e.key === 'Home' ? 0 : e.key === 'End' ? views.length - 1 : step ? (i + step + views.length) % views.length : -1;
  if (next < 0) return;
  e.preventDefault();
  choose(views[next]);
  const group = e.currentTarget as HTMLElement;
  queueMicrotask(() => group.querySelectorAll<HTMLElement>('[role="radio"]')[next]?.focus());
}

export function PausedBanner() {
  const store = useStore();
  const paused = store.paused.value;
  if (!paused) return null;
  return (
    <div class="banner banner-warning" role="status">
      <span>{paused.until ? t.pausedUntil(formatDateTime(paused.until)) : t.pausedIndefinitely}</span>
      <button type="button" onClick={() => void store.resume()}>
        {t.resume}
      </button>
    </div>
  );
}

function MultiFilter<V extends string>(props: { label: string; options: { value: V; label: string }[]; chosen: V[]; onChange: (v: V[]) => void }) {
  const summary = props.chosen.length === 0 ? t.filterAny : props.chosen.length === 1 ? (props.options.find((o) => o.value === props.chosen[0])?.label ?? props.chosen[0]) : formatInt(props.chosen.length);
  return (
    <details class="menu filter">
      <summary>
        {props.label}: <strong>{summary}</strong>
      </summary>
      <fieldset class="menu-items">
        <legend class="visually-hidden">{props.label}</legend>
        {props.options.map((o) => (
          <label key={o.value} class="check">
            <input
              type="checkbox"
              checked={props.chosen.includes(o.value)}
              onChange={(e) => props.onChange(e.currentTarget.checked ? [...props.chosen, o.value] : props.chosen.filter((c) => c !== o.value))}
            />
            {o.label}
          </label>
        ))}
      </fieldset>
    </details>
  );
}

/** Every printer a filter can choose: those the sources describe and those jobs name, by display name. */
function printerOptions(store: Store): { value: string; label: string }[] {
  const names = new Set<string>(store.printers.value);
  for (const p of store.printerList.value) names.add(p.name);
  return [...names].sort((a, b) => a.localeCompare(b)).map((n) => ({ value: n, label: n }));
}

/**
 * Saves the rows the queue shows now (view, filters, search and sort applied) as CSV or JSON. The
 * CSV is a file for a spreadsheet like the history export (csvFile: the byte order mark Excel needs).
 */
function exportView(store: Store, format: 'csv' | 'json'): void {
  const rows = store.visible.value;
  const names = store.sourceNames.value;
  const stamp = new Date().toISOString().slice(0, 10);
  if (format === 'csv') downloadText(`print-queue-${stamp}.csv`, csvFile(viewToCsv(rows, COLUMNS, names)), 'text/csv;charset=utf-8');
  else downloadText(`print-queue-${stamp}.json`, viewToJson(rows, COLUMNS, names), 'application/json');
  store.notify('info', t.exportViewDone(count(rows.length)));
}

function ExportMenu() {
  const store = useStore();
  return (
    <details class="menu menu-end" data-testid="export-menu">
      <summary>{t.exportView}</summary>
      <div class="menu-items">
        <button type="button" onClick={(e) => (exportView(store, 'csv'), closeMenuOf(e))}>
          {t.exportViewCsv}
        </button>
        <button type="button" onClick={(e) => (exportView(store, 'json'), closeMenuOf(e))}>
          {t.exportViewJson}
        </button>
      </div>
    </details>
  );
}

function closeMenuOf(e: Event): void {
  const menu = (e.currentTarget as HTMLElement).closest('details');
  if (menu) menu.open = false;
}

export function FilterBar() {
  const store = useStore();
  const ui = store.ui.value;
  const root = useRef<HTMLDivElement>(null);
  useClosingMenus(root);
  const printers = printerOptions(store);
  const [search, setSearch] = useState(ui.search);
  useEffect(() => setSearch(ui.search), [ui.search]);
  // While only the first rows are in, the counts the app gave beside them (the whole queue's),
  // under the view choices they were given for; under others the window is still loading.
  const head = store.partial.value === store.ui.value ? store.headCounts.value : null;
  const shown = head?.shown ?? store.visible.value.length;
  const total = store.jobCount.value;
  const selected = store.selection.value;
  const filtered = isFiltered(ui);
  const restored = filtered && store.filtersRestored.value;
  const views: ViewName[] = ['active', 'finished', 'all'];
  return (
    <div class="filter-bar" aria-label={t.filtersLabel} role="region" data-testid="filter-bar" ref={root}>
      <div class="segmented" role="radiogroup" aria-label={t.viewsLabel} onKeyDown={(e) => moveView(e, views, ui.view, (v) => store.updateUi({ view: v }))}>
        {views.map((v) => (
          <button
            key={v}
            type="button"
            role="radio"
            aria-checked={ui.view === v ? 'true' : 'false'}
            // One tab stop: the chosen view; the arrows choose another.
            tabIndex={ui.view === v ? 0 : -1}
            class={ui.view === v ? 'is-on' : ''}
            onClick={() => store.updateUi({ view: v })}
          >
            {t.views[v]}
          </button>
        ))}
      </div>
      <MultiFilter
        label={t.filterSource}
        options={store.sources.value.map((s) => ({ value: s.id, label: s.name }))}
        chosen={ui.sourceFilter}
        onChange={(v) => store.updateUi({ sourceFilter: v })}
      />
      <MultiFilter label={t.filterPrinter} options={printers} chosen={ui.printerFilter} onChange={(v) => store.updateUi({ printerFilter: v })} />
      <MultiFilter<JobState>
        label={t.filterState}
        options={JOB_STATES.map((s) => ({ value: s, label: t.states[s] }))}
        chosen={ui.stateFilter}
        onChange={(v) => store.updateUi({ stateFilter: v })}
      />
      <label class="check">
        <input type="checkbox" checked={ui.mineOnly} onChange={(e) => store.updateUi({ mineOnly: e.currentTarget.checked })} />
        {t.mineOnly}
      </label>
      <label class="check">
        <input type="checkbox" checked={ui.stuckOnly} onChange={(e) => store.updateUi({ stuckOnly: e.currentTarget.checked })} />
        {t.filterStuck}
      </label>
      <input
        type="search"
        class="search"
        aria-label={t.search}
        placeholder={t.searchPlaceholder}
        maxLength={200}
        value={search}
        onInput={(e) => {
          setSearch(e.currentTarget.value);
          store.updateUi({ search: e.currentTarget.value });
        }}
      />
      {restored ? (
        <span class="filters-restored" role="status" data-testid="filters-restored">
          {t.filtersRestored}{' '}
          <button type="button" class="link" onClick={() => store.updateUi({ ...NO_FILTERS })}>
            {t.clearRestored}
          </button>
        </span>
      ) : filtered ? (
        <button type="button" class="link" onClick={() => store.updateUi({ ...NO_FILTERS })}>
          {t.clearFilters}
        </button>
      ) : null}
      <span class="spacer" />
      <ColumnChooser />
      <ExportMenu />
      {selected.size > 1 && (
        <button type="button" class="danger" onClick={() => askCancel(store, [...selected])}>
          {t.cancelSelected(formatInt(selected.size))}
        </button>
      )}
      <span class="count" aria-live="polite" data-testid="job-count">
        {store.partial.value && !head ? t.loadingRest : t.jobCount(formatInt(shown), count(total))}
        {selected.size > 1 ? ` · ${t.selectedCount(formatInt(selected.size))}` : ''}
      </span>
    </div>
  );
}
