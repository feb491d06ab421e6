// @vitest-environment happy-dom
/**
 * Panels and dialogs load after the first frame; one opened before that says it is loading and
 * then appears. (The other component tests mount with the panels already loaded, as after the
 * first frame; this file starts without them.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, render, screen } from '@testing-library/preact';
import { App } from '../../renderer/src/App';
import { StoreContext } from '../../renderer/src/components/context';
import { useLazyModule } from '../../renderer/src/components/lazy';
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

  it('shows a module that arrived after the panel was drawn "Loading…" but before that drawing\'s effects ran', async () => {
    // The panels load at an idle moment; a panel opened meanwhile is drawn while they are still on
    // their way, and they may arrive before that drawing's effects run (a busy machine widens the gap).
    const store = createStore(new FakeBridge({ jobs: [] }));
    const module = { Panel: () => <p>The panel</p> };
    let arrived = false;
    const mod = { load: () => Promise.resolve(module), get: () => (arrived ? module : null) };
    function Wanting() {
      const m = useLazyModule(mod, true);
      // Drawn without it; it arrives before the effects of this drawing run.
      if (!m) arrived = true;
      return m ? <m.Panel /> : <p>Loading…</p>;
    }
    render(
      <StoreContext.Provider value={store}>
        <Wanting />
      </StoreContext.Provider>,
    );
    expect(await screen.findByText('The panel', {}, { timeout: 3000 })).toBeTruthy();
    store.dispose();
  });
});
