/**
 * The queue's header row: a sort button per column and, on its right edge, a separator that
 * resizes it: dragged with the mouse, moved with the Left and Right arrows when focused,
 * double-clicked (or Enter) to fit the widest text shown in the column.
 */
import { useRef } from 'preact/hooks';
import type { SortKeyName } from '../../../preload/contract/queue-view';
import { t } from '../i18n/messages';
import { clampWidth, COLUMN_KEY_STEP, COLUMN_WIDTH_MAX, COLUMN_WIDTH_MIN, columnSpec } from '../state/columns';
import type { Store } from '../state/store';

export interface ResizeHandlers {
  /** A width while dragging (not saved yet). */
  preview(col: SortKeyName, px: number): void;
  /** The width chosen (saved in the view choices). */
  commit(col: SortKeyName, px: number): void;
  /** Fits the column to its widest text. */
  fit(col: SortKeyName): void;
}

/** The class of a column's cells (`cell-<cls>`). */
export const cellClass = (col: SortKeyName) => `cell cell-${columnSpec(col).cls}`;

/** A column's drawn width (its header cell's), or `fallback` where nothing is laid out. */
function drawnWidth(separator: HTMLElement, fallback: number): number {
  return Math.round(separator.parentElement?.getBoundingClientRect().width ?? 0) || fallback;
}

function Resizer(props: { col: SortKeyName; width: number; on: ResizeHandlers }) {
  const drag = useRef<{ x: number; width: number; last: number } | null>(null);
  const { col, on } = props;
  const label = t.columns[col];
  return (
    <div
      role="separator"
      aria-orientation="vertical"
      aria-label={t.resizeColumn(label)}
      aria-valuenow={Math.round(props.width)}
      aria-valuemin={COLUMN_WIDTH_MIN}
      aria-valuemax={COLUMN_WIDTH_MAX}
      aria-valuetext={t.columnWidth(label, String(Math.round(props.width)))}
      title={t.resizeColumnHint}
      tabIndex={0}
      class="col-resizer"
      data-testid={`resize-${col}`}
      onPointerDown={(e) => {
        if (e.button !== 0) return;
        e.preventDefault();
        e.stopPropagation();
        const el = e.currentTarget as HTMLElement;
        el.setPointerCapture?.(e.pointerId);
        const width = drawnWidth(el, props.width);
        drag.current = { x: e.clientX, width, last: width };
      }}
      onPointerMove={(e) => {
        const d = drag.current;
        if (!d) return;
        d.last = clampWidth(d.width + e.clientX - d.x);
        on.preview(col, d.last);
      }}
      onPointerUp={(e) => {
        const d = drag.current;
        drag.current = null;
        (e.currentTarget as HTMLElement).releasePointerCapture?.(e.pointerId);
        if (d && d.last !== d.width) on.commit(col, d.last);
        else if (d) on.preview(col, d.width);
      }}
      onPointerCancel={() => {
        const d = drag.current;
        drag.current = null;
        if (d) on.commit(col, d.width);
      }}
      onDblClick={() => on.fit(col)}
      onKeyDown={(e) => {
        const step = e.shiftKey ? COLUMN_KEY_STEP * 4 : COLUMN_KEY_STEP;
        const width = drawnWidth(e.currentTarget as HTMLElement, props.width);
        if (e.key === 'ArrowLeft') on.commit(col, clampWidth(width - step));
        else if (e.key === 'ArrowRight') on.commit(col, clampWidth(width + step));
        else if (e.key === 'Enter') on.fit(col);
        else return;
        // The grid's own keys (Enter opens a job) are not for the header.
        e.preventDefault();
        e.stopPropagation();
      }}
    />
  );
}

function HeaderCell(props: { col: SortKeyName; store: Store; width: number; on: ResizeHandlers }) {
  const { sort } = props.store.ui.value;
  const sorted = sort.key === props.col;
  const ariaSort = sorted ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none';
  const toggle = () =>
    props.store.updateUi({ sort: { key: props.col, dir: sorted && sort.dir === 'asc' ? 'desc' : sorted ? 'asc' : props.col.endsWith('At') ? 'desc' : 'asc' } });
  return (
    <div role="columnheader" class={`${cellClass(props.col)} cell-head`} aria-sort={ariaSort} data-col={props.col}>
      <button type="button" class="sort-button" onClick={toggle}>
        {t.columns[props.col]}
        {sorted && <span aria-hidden="true">{sort.dir === 'asc' ? ' ▲' : ' ▼'}</span>}
      </button>
      <Resizer col={props.col} width={props.width} on={props.on} />
    </div>
  );
}

/** The header row over the columns shown; `widths` are the columns' drawn widths. */
export function HeaderRow(props: { store: Store; cols: readonly SortKeyName[]; widths: ReadonlyMap<SortKeyName, number>; on: ResizeHandlers }) {
  return (
    <div role="row" class="row row-head" aria-rowindex={1}>
      {props.cols.map((c) => (
        <HeaderCell key={c} col={c} store={props.store} width={props.widths.get(c) ?? columnSpec(c).width} on={props.on} />
      ))}
    </div>
  );
}

/** The width that shows a column's widest text among the rows drawn and its heading, clamped. */
export function fittedWidth(grid: HTMLElement, col: SortKeyName): number {
  const cls = `cell-${columnSpec(col).cls}`;
  let widest = 0;
  for (const cell of grid.querySelectorAll<HTMLElement>(`.grid-body .${cls}`)) widest = Math.max(widest, cell.scrollWidth);
  const head = grid.querySelector<HTMLElement>(`.grid-head .${cls}`);
  const label = head?.querySelector<HTMLElement>('.sort-button');
  if (head && label) {
    const style = getComputedStyle(head);
    widest = Math.max(widest, label.scrollWidth + parseFloat(style.paddingLeft || '0') + parseFloat(style.paddingRight || '0'));
  }
  return clampWidth(widest + 2);
}
