/** Renders the whole queue window against a FakeBridge and waits for the first snapshot. */
import { act, cleanup, render, waitFor, type RenderResult } from '@testing-library/preact';
import { App } from '../../renderer/src/App';
import { loadPanels } from '../../renderer/src/components/lazy';
import { createStore, type Store } from '../../renderer/src/state/store';
import { FakeBridge, type FakeBridgeOptions } from '../helpers/fake-bridge';

export interface Mounted extends RenderResult {
  bridge: FakeBridge;
  store: Store;
}

export async function mount(opts: FakeBridgeOptions | FakeBridge = {}): Promise<Mounted> {
  const bridge = opts instanceof FakeBridge ? opts : new FakeBridge(opts);
  const store = createStore(bridge);
  // As in the window after its first frame: the panels are loaded, so they open at once.
  await loadPanels();
  const r = render(<App store={store} />);
  await store.start();
  await waitFor(() => {
    if (store.status.value === 'loading') throw new Error('still loading');
  });
  return { ...r, bridge, store };
}

export function unmount(m?: Mounted): void {
  m?.store.dispose();
  cleanup();
  document.documentElement.removeAttribute('data-theme');
}

/** The rendered job rows, in order, by their job key. */
export function rowKeys(container: Element): string[] {
  return [...container.querySelectorAll<HTMLElement>('.grid-body [role="row"]')].map((r) => r.dataset.key!);
}

export function rowOf(container: Element, key: string): HTMLElement {
  const row = container.querySelector<HTMLElement>(`.grid-body [role="row"][data-key="${CSS.escape(key)}"]`);
  if (!row) throw new Error(`No row for ${key}`);
  return row;
}

/** Picks an option the way a browser does: the value changes, then `input` and `change` fire. */
export function choose(select: HTMLElement, value: string): void {
  act(() => {
    (select as HTMLSelectElement).value = value;
    select.dispatchEvent(new Event('input', { bubbles: true }));
    select.dispatchEvent(new Event('change', { bubbles: true }));
  });
}
