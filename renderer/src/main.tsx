/** The queue window's entry: one bridge, one store, one App. */
import { render } from 'preact';
import { App } from './App';
import { getBridge } from './transport';
import { createStore } from './state/store';
import type { ConnectionStatus } from './transport/web';
import './styles/app.css';

const root = document.getElementById('app');
if (!root) throw new Error('The page has no #app element to render the queue into.');

const bridge = getBridge();
const store = createStore(bridge);

// The browser preview reconnects by itself; after a reconnect the snapshot may be out of date.
const web = bridge as Partial<{ onConnection(l: (s: ConnectionStatus) => void): () => void }>;
if (typeof web.onConnection === 'function') {
  let wasOpen = false;
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
void store.start();
