// @vitest-environment happy-dom
/**
 * Where the focus goes when a dialog or panel closes: back to what opened it, or, when that is
 * gone, to the row or grid it acted on, the dialog below, or the queue; never to the page itself.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FOCUS_WATCH_MS, returnFocus } from '../../renderer/src/components/focus-return';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { makeHealth, makeJob } from '../helpers/fake-bridge';
import { mount, rowOf, unmount, type Mounted } from './harness';

let m: Mounted | undefined;
afterEach(() => {
  unmount(m);
  m = undefined;
});

const local = makeHealth({ id: 'local', name: 'This PC' });

function focused(): Element | null {
  return document.activeElement;
}

describe('focus after a dialog closes', () => {
  it('a cancel confirmed from the detail panel leaves the focus on the grid, at the next row, once the job is gone', async () => {
    // A.pdf, B.pdf, C.pdf, newest first.
    const jobs = ['a', 'b', 'c'].map((k, i) => makeJob({ key: `local:${k}`, document: `${k.toUpperCase()}.pdf`, updatedAt: `2026-03-02T10:00:0${3 - i}Z` }));
    m = await mount({ jobs, sources: [local] });
    fireEvent.dblClick(rowOf(m.container, 'local:b'));
    const cancel = within(screen.getByRole('complementary')).getByRole('button', { name: 'Cancel job' });
    cancel.focus();
    fireEvent.click(cancel);
    const hold = m.bridge.hold('cancelJob');
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Cancel job' }));
    await hold.arrived;
    await act(async () => hold.release());
    await waitFor(() => expect(m!.store.jobs.get('local:b')?.state).toBe('canceled'));
    const grid = screen.getByRole('grid');
    await waitFor(() => expect(focused()).toBe(grid));
    // The canceled job has left the active list: the row now in its place is the active one.
    expect(m.store.visible.value.some((j) => j.key === 'local:b')).toBe(false);
    expect(grid.getAttribute('aria-activedescendant')).toBe(rowOf(m.container, 'local:c').id);
  });

  it('the detail panel beside the list gives the focus to the grid when its Close button closes it', async () => {
    m = await mount({ jobs: [makeJob({ key: 'local:a', document: 'A.pdf' })], sources: [local] });
    fireEvent.dblClick(rowOf(m.container, 'local:a'));
    const panel = screen.getByRole('complementary', { name: 'Details: A.pdf' });
    expect(panel.dataset.overlay).toBe('false');
    const close = within(panel).getByRole('button', { name: 'Close' });
    close.focus();
    fireEvent.click(close);
    expect(screen.queryByRole('complementary')).toBeNull();
    await waitFor(() => expect(focused()).toBe(screen.getByRole('grid')));
  });

  it('a job tracked from the empty queue leaves the focus on the grid that replaced the button that asked', async () => {
    m = await mount({ jobs: [], sources: [local] });
    const track = within(screen.getByTestId('queue')).getByRole('button', { name: /Track a job/ });
    track.focus();
    fireEvent.click(track);
    const dialog = screen.getByRole('dialog', { name: 'Track a print job' });
    fireEvent.input(within(dialog).getByLabelText('Job id or token'), { target: { value: 'tok-9' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Track' }));
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Track a print job' })).toBeNull());
    await waitFor(() => expect(screen.getByRole('grid')).toBeTruthy());
    await waitFor(() => expect(focused()).toBe(screen.getByRole('grid')));
  });
});

describe('focus in the settings panel', () => {
  const settings = {
    version: 1 as const,
    sources: [
      { id: 'one', kind: 'scriptx' as const, name: 'First PC' },
      { id: 'two', kind: 'scriptx' as const, name: 'Second PC' },
    ],
  };

  async function openSettings() {
    m = await mount({ sources: [local], settings });
    fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    const dialog = screen.getByRole('dialog', { name: 'Settings' });
    await waitFor(() => within(dialog).getByRole('button', { name: 'Edit First PC' }));
    return dialog;
  }

  it('a source removed after confirmation leaves the focus on the next source’s Edit button', async () => {
    const dialog = await openSettings();
    const remove = within(dialog).getByRole('button', { name: 'Remove First PC' });
    remove.focus();
    fireEvent.click(remove);
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(within(dialog).queryByRole('button', { name: 'Remove First PC' })).toBeNull());
    await waitFor(() => expect(focused()).toBe(within(dialog).getByRole('button', { name: 'Edit Second PC' })));
  });

  it('Tab stays in the settings dialog: from its last control shown to its first, past the controls of the tabs not shown', async () => {
    const dialog = await openSettings();
    const shown = [...dialog.querySelectorAll<HTMLElement>('button:not([disabled]), input:not([disabled]), select, textarea, [href]')].filter((el) => !el.closest('[hidden]'));
    const first = shown[0]!;
    const last = shown[shown.length - 1]!;
    last.focus();
    fireEvent.keyDown(last, { key: 'Tab' });
    expect(focused()).toBe(first);
    fireEvent.keyDown(first, { key: 'Tab', shiftKey: true });
    expect(focused()).toBe(last);
  });

  it('settings opened on one source keep the focus in its editor, and give it back to what had it on closing', async () => {
    m = await mount({ sources: [local], settings });
    const opener = screen.getByRole('button', { name: 'Settings' });
    opener.focus();
    act(() => {
      m!.store.panel.value = { kind: 'settings', sourceId: 'two' };
    });
    const dialog = await screen.findByRole('dialog', { name: 'Settings' });
    await waitFor(() => expect(focused()).toBe(within(dialog).getByLabelText('Id (a-z, 0-9, -)')));
    fireEvent.keyDown(focused()!, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Settings' })).toBeNull());
    await waitFor(() => expect(focused()).toBe(opener));
  });

  it('the source editor gives the focus back to the Edit button it was opened with, on Cancel and on Save', async () => {
    const dialog = await openSettings();
    const edit = () => within(dialog).getByRole('button', { name: 'Edit Second PC' });
    edit().focus();
    fireEvent.click(edit());
    // The editor takes the list's place: the focus moves into it.
    expect(focused()).toBe(within(dialog).getByLabelText('Id (a-z, 0-9, -)'));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(focused()).toBe(edit()));
    fireEvent.click(edit());
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(within(dialog).queryByTestId('source-editor')).toBeNull());
    await waitFor(() => expect(focused()).toBe(edit()));
  });
});

describe('the focus given back is watched for a while, not for ever', () => {
  /** A button the focus goes back to, the grid named as the place after it, and a closing dialog holding the focus. */
  function place() {
    const back = document.body.appendChild(document.createElement('button'));
    back.textContent = 'Opener';
    const grid = document.body.appendChild(document.createElement('div'));
    grid.setAttribute('role', 'grid');
    grid.tabIndex = 0;
    const dialog = document.body.appendChild(document.createElement('div'));
    dialog.appendChild(document.createElement('button')).focus();
    return { back, grid, dialog, remove: () => [back, grid, dialog].forEach((e) => e.remove()) };
  }
  const settle = () => new Promise((r) => setTimeout(r, 0));

  it('moves it on when what holds it is disabled soon after the dialog closed, and leaves it once FOCUS_WATCH_MS have passed', async () => {
    const soon = place();
    returnFocus(soon.back, () => soon.grid, soon.dialog);
    expect(document.activeElement).toBe(soon.back);
    soon.back.disabled = true;
    await waitFor(() => expect(document.activeElement).toBe(soon.grid));
    soon.remove();

    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const late = place();
    try {
      returnFocus(late.back, () => late.grid, late.dialog);
      expect(document.activeElement).toBe(late.back);
      vi.advanceTimersByTime(FOCUS_WATCH_MS);
      vi.useRealTimers();
      late.back.disabled = true;
      await settle();
      expect(document.activeElement).not.toBe(late.grid);
    } finally {
      vi.useRealTimers();
      late.remove();
    }
  });
});
