// @vitest-environment happy-dom
/**
 * Panels and dialogs load after the first frame; one opened before that says it is loading and
 * then appears. (The other component tests mount with the panels already loaded, as after the
 * first frame; this file starts without them.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, render, screen } from '@testing-library/preact';
import { App } from '../../renderer/src/App';
import { createStore } from '../../renderer/src/state/store';
import { t } from '../../renderer/src/i18n/messages';
import { FakeBridge, makeJob } from '../helpers/fake-bridge';

afterEach(() => cleanup());

describe('panels loaded on demand', () => {
  it('shows "Loading…" for a panel opened before the panels are loaded, then the panel', async () => {
    const store = createStore(new FakeBridge({ jobs: [makeJob({ key: 'local:a' })] }));
    render(<App store={store} />);
    await act(() => store.start());
    expect(screen.queryByRole('dialog')).toBeNull();
    act(() => {
      store.panel.value = { kind: 'settings' };
      store.openDetails('local:a');
    });
    expect(screen.getByText('Loading…').getAttribute('role')).toBe('status');
    // The job's details keep their place beside the queue and say they are loading.
    expect(screen.getByTestId('detail-panel').textContent).toBe(t.detailLoading);
    const dialog = await screen.findByRole('dialog', {}, { timeout: 3000 });
    expect(dialog.textContent).toContain('Settings');
    expect(screen.queryByText('Loading…')).toBeNull();
    expect(screen.getByTestId('detail-panel').textContent).not.toBe(t.detailLoading);
    store.dispose();
  });

  it('loads the confirm dialog only when a confirmation is asked for', async () => {
    const store = createStore(new FakeBridge({ jobs: [makeJob({ key: 'local:a' })] }));
    render(<App store={store} />);
    await act(() => store.start());
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.queryByRole('alertdialog')).toBeNull();
    act(() => {
      store.confirm.value = { title: 'Cancel 2 jobs?', body: 'They stop printing.', confirmLabel: 'Cancel jobs', onConfirm: () => undefined };
    });
    const dialog = await screen.findByText('Cancel 2 jobs?', {}, { timeout: 3000 });
    expect(dialog).toBeTruthy();
    store.dispose();
  });
});
