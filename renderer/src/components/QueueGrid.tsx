/**
 * The queue as an ARIA grid, virtualized (./fixed-rows.ts, rows of one height) so 10,000 rows scroll
 * smoothly: only the rows in view exist in the DOM; aria-rowcount and aria-rowindex tell assistive
 * technology the full size. Focus stays on the grid; aria-activedescendant names the active row.
 */
import type { Component } from 'preact';
import { useCallback, useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } from 'preact/hooks';
import { FixedRows } from './fixed-rows';
import type { Job } from '../../../preload/contract/model';
import { t } from '../i18n/messages';
import { formatBytes, formatDateTime, formatInt, formatPercent, formatTime } from '../i18n/format';
import type { SortKeyName } from '../../../preload/contract/queue-view';
import { docName, type PendingAction, type Store } from '../state/store';
import { askCancel } from './actions';
import { handoverText } from './handover-text';
import { RowMenu, type RowMenuRequest } from './RowMenu';
import { useStore } from './context';
import { fittedWidth, HeaderRow, type ResizeHandlers } from './ColumnHeader';
import { COLUMN_SPECS, columnWidth, layoutColumns, squeezedColumns, withWidth, type ColumnChoices } from '../state/columns';

export const ROW_HEIGHT = 32;
/**
 * Rows drawn beyond each edge of the scroller: one turn of a mouse wheel (about three rows) shows
 * rows already drawn. Every row drawn and not seen costs the first frame its share (a row is a
 * dozen elements to make, lay out and paint).
 */
export const OVERSCAN_ROWS = 3;
/** The rows' area assumed before it is measured, when the window gives no size to go by (CSS pixels). */
export const FALLBACK_ROWS_HEIGHT = 640;

/**
 * Where the rows' area starts, in CSS pixels from the top of the window, when the toolbar, the
 * summary strip and the column header each take one line (as they do from about 1000 pixels wide).
 */
export const ROWS_TOP_ESTIMATE = 224;

/**
 * The window's size as the app knows it, for a frame drawn where there is no window (the app's
 * first frame: renderer/src/first-frame.tsx, set for each render); null: not known.
 */
let assumedViewport: { width: number; height: number } | null = null;

export function assumeViewport(viewport: { width: number; height: number } | null): void {
  assumedViewport = viewport;
}

/** The window to go by: the page's own, else the size the app assumes (assumeViewport), else none. */
const viewportNow = (): { innerWidth: number; innerHeight: number } | null =>
  typeof window !== 'undefined' ? window : assumedViewport && { innerWidth: assumedViewport.width, innerHeight: assumedViewport.height };

/**
 * The rows' area's height as the first frame assumes it, before it is measured: the window below
 * ROWS_TOP_ESTIMATE. The first frame then draws the rows the window shows, and the measurement
 * that follows its layout usually finds the same rows, with nothing to draw again before paint.
 */
export function initialRowsHeight(win: { innerHeight: number } | null = viewportNow()): number {
  if (!win || !(win.innerHeight > ROWS_TOP_ESTIMATE)) return FALLBACK_ROWS_HEIGHT;
  return win.innerHeight - ROWS_TOP_ESTIMATE;
}

/**
 * What the grid's layout effects write into the DOM (the columns' layout as CSS variables, the
 * sizer's height, each drawn row's place), as CSS rules under `scope`: for a frame drawn without
 * script (renderer/src/first-frame.tsx), which runs no effects. The rows and columns are those the
 * grid draws for `count` rows in the window the app assumes (assumeViewport; unknown: the fallback
 * height, every chosen column).
 */
export function gridPlacementCss(scope: string, choices: ColumnChoices, count: number): string {
  const layout = layoutColumns(choices, typeof window === 'undefined' ? (assumedViewport?.width ?? 0) : 0);
  const rows = new FixedRows({ rowHeight: ROW_HEIGHT, overscan: OVERSCAN_ROWS, height: initialRowsHeight(), onChange: () => undefined });
  rows.setCount(count);
  const drawn = rows.range();
  const rules = [`${scope} .grid{--pq-cols:${layout.template};--pq-row-min:${layout.minWidth}px}`, `${scope} .grid-sizer{height:${rows.totalSize()}px}`];
  for (let i = drawn.start; i < drawn.end; i++) rules.push(`${scope} .grid-body .row[aria-rowindex="${i + 2}"]{transform:translateY(${rows.startOf(i)}px)}`);
  return rules.join('\n');
}

/** Every column, in order (the export writes them all; the grid draws those the layout shows). */
export const COLUMNS: SortKeyName[] = COLUMN_SPECS.map((c) => c.id);

const PENDING_TEXT: Record<PendingAction, string> = {
  cancel: t.pendingCancel,
  abort: t.pendingAbort,
  retry: t.pendingRetry,
  dismiss: t.pendingDismiss,
  hold: t.pendingHold,
  release: t.pendingRelease,
  pause: t.pendingPause,
  resume: t.pendingResume,
};

export const rowDomId = (index: number) => `pq-row-${index}`;
/** The note that says since when the queue is not updated (App.tsx), which describes the grid meanwhile. */
export const NOT_LIVE_NOTE_ID = 'queue-not-live';

/** The State cell: the state's word and icon, and what is known of why. */
function stateCell(props: { job: Job; pending?: PendingAction; error?: string; sourceName: string }) {
  const { job } = props;
  const title = [handoverText(job) ?? job.reason, job.detail, props.error].filter(Boolean).join(' — ') || undefined;
  return (
    <div key="state" role="gridcell" class="cell cell-state" title={title}>
      <span class={`badge badge-${job.state}`} data-testid="state-word">
        {/* Drawn by the stylesheet (.state-icon), not a font's symbol: see app.css. */}
        <span class="state-icon" data-icon={job.state} aria-hidden="true" />
        {t.states[job.state]}
      </span>
      {job.stuck && (
        <span class="badge badge-stuck" title={t.stuckTitle}>
          {t.stuck}
        </span>
      )}
      {(job.handover || job.reason) && !props.pending && !props.error && (
        <span class="row-reason" data-testid="state-reason">
          {handoverText(job) ?? job.reason}
        </span>
      )}
      {props.pending && <span class="row-pending">{PENDING_TEXT[props.pending]}</span>}
      {props.error && <span class="row-error">{props.error}</span>}
      {job.gone && <span class="row-gone">{t.gone(props.sourceName)}</span>}
    </div>
  );
}

interface RowProps {
  job: Job;
  index: number;
  start: number;
  selected: boolean;
  active: boolean;
  pending?: PendingAction;
  error?: string;
  sourceName: string;
  upload?: { sentBytes: number; totalBytes: number };
  /** The columns drawn, in order (the same array while the layout holds). */
  cols: readonly SortKeyName[];
  onPointer: (e: MouseEvent, key: string, index: number) => void;
  onOpen: (key: string) => void;
  onMenu: (e: MouseEvent, key: string, index: number) => void;
}

function samePropsOf(a: object, b: object): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if ((a as Record<string, unknown>)[k] !== (b as Record<string, unknown>)[k]) return false;
  return true;
}

/**
 * One cell of a row, by column, keyed by it. Cells and the State cell are plain functions, not
 * components: a row is one component, which keeps the first frame's 30-odd rows cheap to make.
 */
function cell(col: SortKeyName, p: RowProps, progress: number | null | undefined) {
  const { job } = p;
  switch (col) {
    case 'source':
      return (
        <div key={col} role="gridcell" class="cell cell-source" title={p.sourceName}>
          {p.sourceName}
        </div>
      );
    // Names as the services give them, in any script: each cell takes the direction of its own text
    // (a right-to-left document name is cut at its end, not at its first word).
    case 'printer':
      return (
        <div key={col} role="gridcell" class="cell cell-printer" dir="auto" title={job.printer ?? undefined}>
          {job.printer ?? t.none}
        </div>
      );
    case 'document':
      return (
        <div key={col} role="gridcell" class={job.document ? 'cell cell-document' : 'cell cell-document is-unnamed'} dir="auto" title={job.document ?? undefined}>
          {docName(job)}
        </div>
      );
    case 'owner':
      return (
        <div key={col} role="gridcell" class="cell cell-owner" dir="auto" title={job.owner ?? undefined}>
          {job.owner ?? t.none}
        </div>
      );
    case 'state':
      return stateCell({ job, pending: p.pending, error: p.error, sourceName: p.sourceName });
    case 'progress': {
      // An upload's bytes do not fit beside the bar: its share is shown, the bytes are said and
      // in the tooltip.
      const uploading = p.upload ? t.uploading(formatBytes(p.upload.sentBytes), formatBytes(p.upload.totalBytes)) : undefined;
      return (
        <div key={col} role="gridcell" class="cell cell-progress" title={uploading}>
          {progress != null && (
            <>
              <progress max={1} value={progress} aria-hidden="true" />
              {uploading && <span class="visually-hidden">{uploading}</span>}
              <span aria-hidden={uploading ? 'true' : undefined}>{formatPercent(progress)}</span>
            </>
          )}
        </div>
      );
    }
    case 'pages': {
      // Up to "999 of 999" fits the column; a longer count is whole in the tooltip.
      const pages = job.pages == null ? '' : job.pagesPrinted == null ? formatInt(job.pages) : t.pagesOf(formatInt(job.pagesPrinted), formatInt(job.pages));
      return (
        <div key={col} role="gridcell" class="cell cell-pages" title={pages || undefined}>
          {pages}
        </div>
      );
    }
    case 'size':
      return (
        <div key={col} role="gridcell" class="cell cell-size">
          {job.sizeBytes == null ? '' : formatBytes(job.sizeBytes)}
        </div>
      );
    case 'createdAt':
      return (
        <div key={col} role="gridcell" class="cell cell-created" title={formatDateTime(job.createdAt) || undefined}>
          {formatTime(job.createdAt)}
        </div>
      );
    case 'updatedAt':
      return (
        <div key={col} role="gridcell" class="cell cell-updated" title={(job.stale ? job.lastSeenAt && t.staleTitle(formatDateTime(job.lastSeenAt)) : formatDateTime(job.updatedAt)) || undefined}>
          {job.stale ? (
            <span class="row-stale">
              {job.lastSeenAt ? (
                <>
                  <span class="visually-hidden">{t.lastSeen} </span>
                  {formatTime(job.lastSeenAt)}
                </>
              ) : (
                t.staleNever
              )}
            </span>
          ) : (
            formatTime(job.updatedAt)
          )}
        </div>
      );
  }
}

/**
 * One row. It draws again only when one of its props changes (by identity): the check is set on the
 * row's own component (preact/compat's `memo` without preact/compat, which would also rewrite every
 * element the window creates, and without a wrapper component a row).
 */
function Row(this: Component<RowProps>, p: RowProps) {
  this.shouldComponentUpdate ??= (next: RowProps) => !samePropsOf(this.props, next);
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    // Positioned through the DOM property, never an inline style attribute (the CSP forbids those).
    if (ref.current) ref.current.style.transform = `translateY(${p.start}px)`;
  }, [p.start]);
  const { job } = p;
  const cls = ['row', p.selected && 'is-selected', p.active && 'is-active', job.stale && 'is-stale', job.stuck && 'is-stuck', job.gone && 'is-gone', p.pending && 'is-pending']
    .filter(Boolean)
    .join(' ');
  const progress = p.upload ? p.upload.sentBytes / Math.max(1, p.upload.totalBytes) : job.progress;
  return (
    <div
      ref={ref}
      id={rowDomId(p.index)}
      role="row"
      class={cls}
      data-testid="job-row"
      data-state={job.state}
      tabIndex={-1}
      aria-rowindex={p.index + 2}
      aria-selected={p.selected ? 'true' : 'false'}
      data-key={job.key}
      onMouseDown={(e) => p.onPointer(e, job.key, p.index)}
      onDblClick={() => p.onOpen(job.key)}
      onContextMenu={(e) => p.onMenu(e, job.key, p.index)}
    >
      {p.cols.map((col) => cell(col, p, progress))}
    </div>
  );
}

/**
 * The columns laid out for the grid's width (measured as it changes) and the user's choices, with
 * the header's resize handlers; the layout is written to the grid as CSS variables (never a style
 * attribute: the CSP forbids those).
 */
function useColumns(store: Store, gridRef: { readonly current: HTMLDivElement | null }) {
  /**
   * The grid's width as last measured (0: not yet, and every chosen column shows). Drawn without a
   * page (the app's first frame), the width of the window the app assumes: the grid spans it.
   */
  const measured = useRef(typeof window === 'undefined' ? (assumedViewport?.width ?? 0) : 0);
  /** The columns the grid shows now, as `shownKey` below. */
  const shownNow = useRef('');
  // The grid is laid out again when a new width shows other columns, not at every measurement:
  // the first one, after the first frame's layout and before its paint, usually finds room for
  // the columns already shown and draws nothing again.
  const [relayouts, relayout] = useReducer((n: number) => n + 1, 0);
  const [drag, setDrag] = useState<{ id: SortKeyName; width: number } | null>(null);
  useLayoutEffect(() => {
    const el = gridRef.current;
    const RO = el?.ownerDocument.defaultView?.ResizeObserver;
    if (!el || !RO) return;
    const observer = new RO(() => {
      measured.current = Math.floor(el.clientWidth);
      if (layoutColumns(store.ui.value.columns, measured.current).shown.join(',') !== shownNow.current) relayout(0);
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const choices = store.ui.value.columns;
  const layout = useMemo(() => layoutColumns(choices, measured.current, drag ?? undefined), [choices, relayouts, drag]);
  const shownKey = layout.shown.join(',');
  shownNow.current = shownKey;
  // The same array while the same columns show, so memoized rows do not re-render for nothing.
  const cols = useMemo(() => layout.shown, [shownKey]);
  const widths = useMemo(() => new Map(cols.map((c) => [c, drag?.id === c ? drag.width : columnWidth(choices, c)])), [cols, choices, drag]);
  useLayoutEffect(() => {
    const el = gridRef.current;
    if (!el) return;
    el.style.setProperty('--pq-cols', layout.template);
    el.style.setProperty('--pq-row-min', `${layout.minWidth}px`);
  }, [layout.template, layout.minWidth]);
  const squeezedKey = layout.squeezed.join(',');
  useLayoutEffect(() => {
    squeezedColumns(store).value = layout.squeezed;
  }, [squeezedKey]);
  const on: ResizeHandlers = {
    preview: (id, width) => setDrag({ id, width }),
    commit: (id, width) => {
      setDrag(null);
      store.updateUi({ columns: withWidth(store.ui.value.columns, id, width) });
    },
    fit: (id) => {
      if (gridRef.current) on.commit(id, fittedWidth(gridRef.current, id));
    },
  };
  return { cols, widths, on, squeezed: layout.squeezed };
}

export function QueueGrid() {
  const store = useStore();
  const jobs = store.visible.value;
  const notLive = store.notLiveSince.value !== null;
  const scrollRef = useRef<HTMLDivElement>(null);
  const sizerRef = useRef<HTMLDivElement>(null);
  const headRef = useRef<HTMLDivElement>(null);
  const anchor = useRef<string | null>(null);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const gridRef = useRef<HTMLDivElement>(null);
  const [menu, setMenu] = useState<RowMenuRequest | null>(null);
  const columns = useColumns(store, gridRef);
  const closeMenu = useCallback(() => {
    setMenu(null);
    gridRef.current?.focus({ preventScroll: true });
  }, []);

  const rows = useMemo(() => new FixedRows({ rowHeight: ROW_HEIGHT, overscan: OVERSCAN_ROWS, height: initialRowsHeight(), onChange: () => rerender(0) }), []);
  rows.setCount(jobs.length);
  useLayoutEffect(() => (scrollRef.current ? rows.attach(scrollRef.current) : undefined), [rows]);
  useLayoutEffect(() => {
    if (sizerRef.current) sizerRef.current.style.height = `${rows.totalSize()}px`;
  });
  const scrollToIndex = (i: number): void => {
    if (scrollRef.current) rows.scrollToIndex(i, scrollRef.current);
  };

  const activeKey = store.activeKey.value;
  const activeIndex = activeKey ? jobs.findIndex((j) => j.key === activeKey) : -1;
  // When the active job leaves the list (canceled, finished, filtered out), the row now in its
  // place becomes the active one: the grid never keeps the focus on a row that is not there.
  const activePlace = useRef<{ key: string; index: number } | null>(null);
  useEffect(() => {
    if (activeKey && activeIndex >= 0) activePlace.current = { key: activeKey, index: activeIndex };
    else if (activeKey && activePlace.current?.key === activeKey && jobs.length) store.activeKey.value = jobs[Math.min(activePlace.current.index, jobs.length - 1)].key;
  });
  const selection = store.selection.value;
  const pending = store.pending.value;
  const errors = store.rowErrors.value;
  const names = store.sourceNames.value;
  const uploads = store.printProgress.value;

  function moveTo(index: number, e: { shiftKey: boolean; ctrlKey: boolean; metaKey: boolean }) {
    if (!jobs.length) return;
    const i = Math.max(0, Math.min(jobs.length - 1, index));
    const key = jobs[i].key;
    store.activeKey.value = key;
    if (e.shiftKey) selectRange(i);
    else if (!(e.ctrlKey || e.metaKey)) {
      anchor.current = key;
      store.selection.value = new Set([key]);
    }
    scrollToIndex(i);
  }

  function selectRange(to: number) {
    const from = Math.max(0, jobs.findIndex((j) => j.key === anchor.current));
    const [a, b] = from <= to ? [from, to] : [to, from];
    store.selection.value = new Set(jobs.slice(a, b + 1).map((j) => j.key));
  }

  function onPointer(e: MouseEvent, key: string, index: number) {
    if (e.button !== 0) return;
    // Rows are focusable only so that the scroll area counts as keyboard-reachable; a click keeps
    // the focus on the grid, which owns the keyboard and announces the active row.
    e.preventDefault();
    (e.currentTarget as HTMLElement | null)?.closest<HTMLElement>('[role="grid"]')?.focus({ preventScroll: true });
    store.activeKey.value = key;
    if (e.shiftKey && anchor.current) {
      e.preventDefault();
      selectRange(index);
    } else if (e.ctrlKey || e.metaKey) {
      const s = new Set(selection);
      if (s.has(key)) s.delete(key);
      else s.add(key);
      store.selection.value = s;
      anchor.current = key;
    } else {
      store.selection.value = new Set([key]);
      anchor.current = key;
    }
  }

  /** The keys a row's menu acts on: the selection when the row is part of it, else the row alone. */
  function menuKeys(key: string): string[] {
    if (selection.has(key) && selection.size > 1) return [...selection];
    store.selection.value = new Set([key]);
    anchor.current = key;
    return [key];
  }

  function onMenu(e: MouseEvent, key: string, _index: number) {
    e.preventDefault();
    store.activeKey.value = key;
    setMenu({ key, keys: menuKeys(key), x: e.clientX, y: e.clientY });
  }

  function openMenuAtActive() {
    if (!activeKey || activeIndex < 0) return;
    scrollToIndex(activeIndex);
    const r = document.getElementById(rowDomId(activeIndex))?.getBoundingClientRect();
    const head = headRef.current?.getBoundingClientRect();
    setMenu({ key: activeKey, keys: menuKeys(activeKey), x: (r?.left ?? head?.left ?? 0) + 24, y: r ? r.bottom : (head?.bottom ?? 0) });
  }

  function onKeyDown(e: KeyboardEvent) {
    const page = Math.max(1, Math.floor(rows.viewportHeight() / ROW_HEIGHT) - 1);
    const cur = activeIndex;
    switch (e.key) {
      case 'ArrowDown':
        moveTo(cur < 0 ? 0 : cur + 1, e);
        break;
      case 'ArrowUp':
        moveTo(cur < 0 ? 0 : cur - 1, e);
        break;
      case 'PageDown':
        moveTo(cur + page, e);
        break;
      case 'PageUp':
        moveTo(cur - page, e);
        break;
      case 'Home':
        moveTo(0, e);
        break;
      case 'End':
        moveTo(jobs.length - 1, e);
        break;
      case 'Enter':
        if (activeKey && activeIndex >= 0) store.openDetails(activeKey);
        break;
      case 'Escape':
        if (store.detailKey.value === null) return;
        store.detailKey.value = null;
        break;
      case ' ':
        if (activeKey && (e.ctrlKey || e.metaKey)) {
          const s = new Set(selection);
          if (s.has(activeKey)) s.delete(activeKey);
          else s.add(activeKey);
          store.selection.value = s;
        } else if (activeKey) store.selection.value = new Set([activeKey]);
        break;
      case 'a':
      case 'A':
        if (!(e.ctrlKey || e.metaKey)) return;
        store.selection.value = new Set(jobs.map((j) => j.key));
        break;
      case 'ContextMenu':
        openMenuAtActive();
        break;
      case 'F10':
        if (!e.shiftKey) return;
        openMenuAtActive();
        break;
      case 'Delete': {
        const keys = selection.size > 1 ? [...selection] : activeKey ? [activeKey] : [];
        askCancel(store, keys);
        break;
      }
      default:
        return;
    }
    e.preventDefault();
  }

  // Rows are memoized: hand them callbacks that never change identity.
  const handlers = useRef({ onPointer, onMenu });
  handlers.current = { onPointer, onMenu };
  const stable = useMemo(
    () => ({
      onPointer: (e: MouseEvent, key: string, index: number) => handlers.current.onPointer(e, key, index),
      onMenu: (e: MouseEvent, key: string, index: number) => handlers.current.onMenu(e, key, index),
      onOpen: (key: string) => store.openDetails(key),
    }),
    [store],
  );

  const drawn = rows.range();
  const indexes: number[] = [];
  for (let i = drawn.start; i < drawn.end; i++) indexes.push(i);
  return (
    <>
      <div
        ref={gridRef}
        class={notLive ? 'grid is-not-live' : 'grid'}
        role="grid"
        data-testid="queue-grid"
        data-live={notLive ? 'false' : 'true'}
        aria-label={t.gridLabel}
        aria-describedby={notLive ? NOT_LIVE_NOTE_ID : undefined}
        aria-rowcount={jobs.length + 1}
        aria-colcount={columns.cols.length}
        aria-multiselectable="true"
        aria-activedescendant={activeIndex >= 0 ? rowDomId(activeIndex) : undefined}
        tabIndex={0}
        onKeyDown={onKeyDown}
      >
        <div role="rowgroup" class="grid-head" ref={headRef}>
          <HeaderRow store={store} cols={columns.cols} widths={columns.widths} on={columns.on} />
        </div>
        <div
          role="rowgroup"
          class="grid-body"
          ref={scrollRef}
          onScroll={(e) => {
            // The header sits outside the scroller: keep its columns over the body's.
            if (headRef.current) headRef.current.scrollLeft = e.currentTarget.scrollLeft;
          }}
        >
          <div class="grid-sizer" ref={sizerRef}>
            {indexes.map((index) => {
              const job = jobs[index];
              if (!job) return null;
              return (
                <Row
                  key={job.key}
                  job={job}
                  index={index}
                  start={rows.startOf(index)}
                  selected={selection.has(job.key)}
                  active={job.key === activeKey}
                  pending={pending.get(job.key)}
                  error={errors.get(job.key)}
                  sourceName={names.get(job.sourceId) ?? job.sourceId}
                  upload={uploads.get(job.key)}
                  cols={columns.cols}
                  onPointer={stable.onPointer}
                  onOpen={stable.onOpen}
                  onMenu={stable.onMenu}
                />
              );
            })}
          </div>
        </div>
      </div>
      {menu && <RowMenu store={store} request={menu} onClose={closeMenu} />}
    </>
  );
}
