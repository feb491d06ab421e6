// @vitest-environment happy-dom
/**
 * The queue's columns: resized from the keyboard (and saved), shown and hidden in the column
 * chooser, the lowest-priority ones left out first in a narrow window, and the detail panel over
 * the list when the window is narrow.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { makeHealth, makeJob } from '../helpers/fake-bridge';
import { mount, rowOf, unmount, type Mounted } from './harness';
import { COLUMN_WIDTH_MAX, COLUMN_WIDTH_MIN, DEFAULT_COLUMNS, layoutColumns, toggleColumn } from '../../renderer/src/state/columns';
import { UiSettings } from '../../preload/contract/model';

let m: Mounted | undefined;
afterEach(() => {
  unmount(m);
  m = undefined;
  vi.unstubAllGlobals();
});

const sources = [makeHealth({ id: 'local', name: 'This PC' })];
const jobs = () => [makeJob({ key: 'local:a', document: 'Invoice.pdf', state: 'printing' }), makeJob({ key: 'local:b', document: 'Budget.xlsx', state: 'queued' })];
const headers = () => screen.getAllByRole('columnheader').map((h) => h.dataset.col);
const savedUi = () => m!.bridge.calls.filter((c) => c.name === 'saveUiSettings').map((c) => (c.input as { ui: UiSettings }).ui);

describe('column layout', () => {
  it('leaves out the lowest-priority columns first when the grid is narrow, never Document or State; kept ones stay and scroll', () => {
    const all = layoutColumns(DEFAULT_COLUMNS, 0);
    expect(all.shown).toHaveLength(10);
    expect(all.squeezed).toEqual([]);
    expect(layoutColumns(DEFAULT_COLUMNS, all.minWidth).squeezed).toEqual([]);
    // 900 pixels: Submitted, Size and Pages go first, then Progress, Owner, Source.
    const narrow = layoutColumns(DEFAULT_COLUMNS, 900);
    expect(narrow.squeezed).toEqual(['createdAt', 'size', 'pages', 'progress']);
    expect(narrow.minWidth).toBeLessThanOrEqual(900);
    const tiny = layoutColumns(DEFAULT_COLUMNS, 100);
    expect(tiny.shown).toEqual(['document', 'state']);
    const kept = layoutColumns(toggleColumn(DEFAULT_COLUMNS, 'size', true), 900);
    expect(kept.shown).toContain('size');
    expect(kept.squeezed).toEqual(['createdAt', 'pages', 'progress', 'owner']);
    // Every column kept: none is left out, and the rows are wider than the grid (it scrolls sideways).
    const everything = (['source', 'printer', 'owner', 'progress', 'pages', 'size', 'createdAt', 'updatedAt'] as const).reduce((c, id) => toggleColumn(c, id, true), DEFAULT_COLUMNS);
    const scrolls = layoutColumns(everything, 900);
    expect(scrolls.squeezed).toEqual([]);
    expect(scrolls.minWidth).toBeGreaterThan(900);
    // A width set by the user is its column's in the template; the others keep their own.
    const wide = layoutColumns({ ...DEFAULT_COLUMNS, widths: { document: 300 } }, 0);
    expect(wide.template.split(' ').slice(0, 4)).toEqual(['120px', '160px', '300px', '112px']);
  });

  it('the settings accept widths in range only, and never hide Document or State', () => {
    const parse = (columns: unknown) => UiSettings.safeParse({ columns }).success;
    expect(parse({ widths: { document: COLUMN_WIDTH_MIN, owner: COLUMN_WIDTH_MAX }, hidden: ['size'], shown: ['pages'] })).toBe(true);
    expect(parse({ widths: { document: COLUMN_WIDTH_MIN - 1 } })).toBe(false);
    expect(parse({ widths: { document: COLUMN_WIDTH_MAX + 1 } })).toBe(false);
    expect(parse({ widths: { nope: 100 } })).toBe(false);
    expect(parse({ hidden: ['document'] })).toBe(false);
    expect(parse({ hidden: ['state'] })).toBe(false);
  });
});

describe('the grid columns', () => {
  it('resizes a column from its edge with the arrow keys and saves the width', async () => {
    m = await mount({ jobs: jobs(), sources });
    const edge = screen.getByRole('separator', { name: 'Resize the Document column' });
    expect(edge.getAttribute('aria-valuenow')).toBe('160');
    fireEvent.keyDown(edge, { key: 'ArrowRight' });
    fireEvent.keyDown(screen.getByRole('separator', { name: 'Resize the Document column' }), { key: 'ArrowRight' });
    await waitFor(() => expect(screen.getByRole('separator', { name: 'Resize the Document column' }).getAttribute('aria-valuenow')).toBe('192'));
    expect(screen.getByRole('grid').style.getPropertyValue('--pq-cols')).toContain('192px');
    await waitFor(() => expect(savedUi().at(-1)?.columns.widths).toEqual({ document: 192 }));
    // The grid's own keys are not the header's: Enter there does not open a job.
    fireEvent.keyDown(screen.getByRole('separator', { name: 'Resize the Owner column' }), { key: 'ArrowLeft' });
    await waitFor(() => expect(m!.store.ui.value.columns.widths.owner).toBe(96));
    expect(m.store.detailKey.value).toBeNull();
  });

  it('shows and hides columns from the column chooser, and resets them', async () => {
    m = await mount({ jobs: jobs(), sources });
    const chooser = screen.getByTestId('column-chooser');
    expect((within(chooser).getByLabelText(/^Document/) as HTMLInputElement).disabled).toBe(true);
    fireEvent.click(within(chooser).getByLabelText('Owner'));
    await waitFor(() => expect(headers()).not.toContain('owner'));
    expect(screen.getByRole('grid').getAttribute('aria-colcount')).toBe('9');
    expect(rowOf(m.container, 'local:a').querySelector('.cell-owner')).toBeNull();
    await waitFor(() => expect(savedUi().at(-1)?.columns.hidden).toEqual(['owner']));
    fireEvent.click(within(chooser).getByTestId('reset-columns'));
    await waitFor(() => expect(headers()).toContain('owner'));
    expect(m.store.ui.value.columns).toEqual(DEFAULT_COLUMNS);
  });
});

/** Mounts in a window that is narrow or not (as the panel's media query says), and opens the first job from the keyboard. */
async function openDetailsIn(narrow: boolean) {
  vi.stubGlobal('matchMedia', (query: string) => ({ matches: narrow, media: query, addEventListener: () => undefined, removeEventListener: () => undefined }));
  m = await mount({ jobs: jobs(), sources });
  const grid = screen.getByRole('grid');
  grid.focus();
  fireEvent.keyDown(grid, { key: 'Home' });
  fireEvent.keyDown(grid, { key: 'Enter' });
  return { grid, panel: await screen.findByTestId('detail-panel') };
}

describe('the detail panel in a narrow window', () => {
  it('lies over the list, takes the focus, and gives it back to the grid on Escape', async () => {
    const { grid, panel } = await openDetailsIn(true);
    expect(document.activeElement).not.toBe(grid);
    expect(panel.dataset.overlay).toBe('true');
    await waitFor(() => expect(document.activeElement?.textContent).toBe('Invoice.pdf'));
    act(() => {
      fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    });
    await waitFor(() => expect(screen.queryByTestId('detail-panel')).toBeNull());
    expect(document.activeElement).toBe(grid);
  });

  it('sits beside the list in a wide window and leaves the focus where it is', async () => {
    const { grid, panel } = await openDetailsIn(false);
    expect(panel.dataset.overlay).toBe('false');
    expect(document.activeElement).toBe(grid);
  });

});

/** The panel's media query, as a window being resized makes it: its answer changes and it says so. */
class ResizedWindow extends EventTarget {
  constructor(
    public matches: boolean,
    readonly media = '',
  ) {
    super();
  }
  resize(narrow: boolean): void {
    act(() => {
      this.matches = narrow;
      this.dispatchEvent(new Event('change'));
    });
  }
}

async function openDetailsResizable(narrow: boolean) {
  const media = new ResizedWindow(narrow);
  vi.stubGlobal('matchMedia', () => media);
  m = await mount({ jobs: jobs(), sources });
  const grid = screen.getByRole('grid');
  grid.focus();
  fireEvent.keyDown(grid, { key: 'Home' });
  fireEvent.keyDown(grid, { key: 'Enter' });
  return { media, grid, panel: await screen.findByTestId('detail-panel') };
}

describe('the detail panel in a window resized while it is open', () => {
  it('made narrow, keeps the focus where it was in the panel, now over the list; Escape still gives it to the grid', async () => {
    const { media, grid, panel } = await openDetailsResizable(false);
    const close = within(panel).getByRole('button', { name: 'Close' });
    close.focus();
    media.resize(true);
    expect(panel.dataset.overlay).toBe('true');
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.getByTestId('detail-panel')).toBe(panel);
    expect(document.activeElement).toBe(close);
    fireEvent.keyDown(close, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('detail-panel')).toBeNull());
    expect(document.activeElement).toBe(grid);
  });

  it('made wide, keeps the focus in the panel, now beside the list, and gives it back to the grid only on closing', async () => {
    const { media, grid, panel } = await openDetailsResizable(true);
    await waitFor(() => expect(document.activeElement?.textContent).toBe('Invoice.pdf'));
    const heading = document.activeElement;
    media.resize(false);
    expect(panel.dataset.overlay).toBe('false');
    await new Promise((r) => setTimeout(r, 20));
    expect(document.activeElement).toBe(heading);
    // Back and forth: still where the user is.
    media.resize(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(document.activeElement).toBe(heading);
    fireEvent.click(within(panel).getByRole('button', { name: 'Close' }));
    await waitFor(() => expect(screen.queryByTestId('detail-panel')).toBeNull());
    expect(document.activeElement).toBe(grid);
  });

  it('made narrow while the user is in the list, brings the focus to the panel over it, and back to the grid on Escape', async () => {
    const { media, grid, panel } = await openDetailsResizable(false);
    expect(document.activeElement).toBe(grid);
    media.resize(true);
    await waitFor(() => expect(document.activeElement?.textContent).toBe('Invoice.pdf'));
    expect(panel.contains(document.activeElement)).toBe(true);
    fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('detail-panel')).toBeNull());
    expect(document.activeElement).toBe(grid);
  });
});
