/** The queue window proper: one store on the bridge that boot opened, and one App. */
import { render } from 'preact';
import type { PrintQueueBridge } from '../../preload/contract';
import { App } from './App';
import { createStore } from './state/store';
import type { ConnectionStatus } from './transport/web';
import type { EarlyAnswers } from './boot';
import { loadPanels } from './components/lazy';

export function startWindow(root: HTMLElement, bridge: PrintQueueBridge, early: EarlyAnswers): void {
  const store = createStore(bridge);

  // The browser preview reconnects by itself; after a reconnect the snapshot may be out of date.
  const web = bridge as Partial<{ onConnection(l: (s: ConnectionStatus) => void): () => void; connection(): ConnectionStatus }>;
  if (typeof web.onConnection === 'function') {
    // boot started the connection before this code loaded: it may already be open, or refused.
    const now = typeof web.connection === 'function' ? web.connection() : null;
    let wasOpen = now?.state === 'open';
    if (now && now.state !== 'open') store.connection.value = now.message;
    web.onConnection((s) => {
      store.connection.value = s.state === 'open' ? null : s.message;
      if (s.state === 'open') {
        if (wasOpen) void store.loadSnapshot();
        wasOpen = true;
      }
    });
  }

  // Polling slows down while the window is hidden.
  const reportVisibility = () => void store.call('setWindowVisible', { visible: document.visibilityState === 'visible' });
  document.addEventListener('visibilitychange', reportVisibility);
  window.addEventListener('beforeunload', () => void store.flushUi());

  render(<App store={store} />, root);
  // The panels and dialogs load once the first rows are on screen. A failure here is not reported:
  // opening a panel tries again and says why it cannot.
  void store.start(early).then(() =>
    requestAnimationFrame(() =>
      setTimeout(() => {
        loadPanels().catch(() => undefined);
      }, 0),
    ),
  );
}
