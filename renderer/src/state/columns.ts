/**
 * The queue's columns: each one's own width (all ten fit a 1280-pixel window) and priority, and how the user's choices (widths
 * dragged, columns hidden or kept) and the window's width lay them out. In a window too narrow for
 * every chosen column, the lowest-priority ones go first (Document and State never do); columns the
 * user chose to keep stay, and the grid then scrolls sideways.
 */
import { signal, type Signal } from '@preact/signals';
import type { UiSettings } from '../../../preload/contract/model';
import type { SortKeyName } from '../../../preload/contract/queue-view';

/** preload/contract/model's COLUMN_WIDTH_MIN / MAX (test/component/model-lite.test.ts holds them equal). */
export const COLUMN_WIDTH_MIN = 48;
export const COLUMN_WIDTH_MAX = 1200;
/** How far one Left / Right arrow press on a column's edge moves it. */
export const COLUMN_KEY_STEP = 16;

export type ColumnChoices = UiSettings['columns'];

export interface ColumnSpec {
  id: SortKeyName;
  /** The cells' class suffix (`cell-<cls>`). */
  cls: string;
  /** Its own width in CSS pixels (the least it takes when it stretches). */
  width: number;
  /** Share of the spare width it takes while the user has not set its width. */
  flex?: number;
  /** 1: always shown; 2 to 4: hidden in this order (4 first) when the window is too narrow. */
  priority: 1 | 2 | 3 | 4;
}

export const COLUMN_SPECS: readonly ColumnSpec[] = [
  { id: 'source', cls: 'source', width: 120, priority: 3 },
  { id: 'printer', cls: 'printer', width: 160, priority: 2 },
  { id: 'document', cls: 'document', width: 160, flex: 2, priority: 1 },
  { id: 'owner', cls: 'owner', width: 112, priority: 3 },
  { id: 'state', cls: 'state', width: 160, flex: 1.5, priority: 1 },
  { id: 'progress', cls: 'progress', width: 112, priority: 3 },
  { id: 'pages', cls: 'pages', width: 96, priority: 4 },
  { id: 'size', cls: 'size', width: 88, priority: 4 },
  { id: 'createdAt', cls: 'created', width: 120, priority: 4 },
  { id: 'updatedAt', cls: 'updated', width: 128, priority: 2 },
];

const SPEC_BY_ID = new Map(COLUMN_SPECS.map((c) => [c.id, c]));
export const columnSpec = (id: SortKeyName): ColumnSpec => SPEC_BY_ID.get(id)!;

export function clampWidth(px: number): number {
  return Math.round(Math.min(COLUMN_WIDTH_MAX, Math.max(COLUMN_WIDTH_MIN, px)));
}

export interface ColumnLayout {
  /** The columns drawn, in order. */
  shown: SortKeyName[];
  /** Chosen columns left out because the window is too narrow, lowest priority first. */
  squeezed: SortKeyName[];
  /** The rows' grid-template-columns. */
  template: string;
  /** The least width of a row: wider than the grid, it scrolls sideways. */
  minWidth: number;
}

/** The width a column takes at least: the user's, or its own. */
export function columnWidth(choices: ColumnChoices, id: SortKeyName): number {
  return choices.widths[id] ?? columnSpec(id).width;
}

/**
 * Lays the columns out for a grid `available` CSS pixels wide (0: not measured yet, nothing is
 * squeezed out). `override` is a width being dragged, not saved yet.
 */
export function layoutColumns(choices: ColumnChoices, available: number, override?: { id: SortKeyName; width: number }): ColumnLayout {
  const savedWidth = (id: SortKeyName) => columnWidth(choices, id);
  const widthOf = (id: SortKeyName) => (override?.id === id ? override.width : savedWidth(id));
  const chosen = COLUMN_SPECS.filter((c) => !choices.hidden.includes(c.id) || c.priority === 1).map((c) => c.id);
  const total = (ids: SortKeyName[], width = widthOf) => ids.reduce((sum, id) => sum + width(id), 0);
  const squeezable = COLUMN_SPECS.map((c, i) => ({ c, i }))
    .filter(({ c }) => c.priority > 1 && chosen.includes(c.id) && !choices.shown.includes(c.id))
    .sort((a, b) => b.c.priority - a.c.priority || b.i - a.i)
    .map(({ c }) => c.id);
  let shown = chosen;
  const squeezed: SortKeyName[] = [];
  if (available > 0) {
    for (const id of squeezable) {
      // A width being dragged squeezes nothing out until it is let go.
      if (total(shown, savedWidth) <= available) break;
      shown = shown.filter((s) => s !== id);
      squeezed.push(id);
    }
  }
  const template = shown
    .map((id) => {
      const spec = columnSpec(id);
      const set = override?.id === id ? override.width : choices.widths[id];
      if (set !== undefined) return `${set}px`;
      return spec.flex ? `minmax(${spec.width}px, ${spec.flex}fr)` : `${spec.width}px`;
    })
    .join(' ');
  return { shown, squeezed, template, minWidth: total(shown) };
}

/** The choices after the user shows or hides a column in the column chooser. */
export function toggleColumn(choices: ColumnChoices, id: SortKeyName, visible: boolean): ColumnChoices {
  if (columnSpec(id).priority === 1) return choices;
  const hidden = choices.hidden.filter((h) => h !== id);
  const shown = choices.shown.filter((s) => s !== id);
  return visible ? { ...choices, hidden, shown: [...shown, id] } : { ...choices, hidden: [...hidden, id], shown };
}

/** The choices with one column's width set (clamped to the allowed range). */
export function withWidth(choices: ColumnChoices, id: SortKeyName, px: number): ColumnChoices {
  return { ...choices, widths: { ...choices.widths, [id]: clampWidth(px) } };
}

export const DEFAULT_COLUMNS: ColumnChoices = { widths: {}, hidden: [], shown: [] };

const squeezedByStore = new WeakMap<object, Signal<readonly SortKeyName[]>>();
/** The chosen columns the grid of this store leaves out for want of width (the column chooser says so). */
export function squeezedColumns(store: object): Signal<readonly SortKeyName[]> {
  let s = squeezedByStore.get(store);
  if (!s) squeezedByStore.set(store, (s = signal<readonly SortKeyName[]>([])));
  return s;
}
