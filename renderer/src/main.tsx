/**
 * The queue window's entry. Its first import opens the bridge and asks for settings and snapshot
 * (early.ts); the rest of the window's code is evaluated and the shell rendered while the app
 * prepares its answer.
 *
 * The window's code is not awaited at this module's top level: its chunk imports this one's
 * (electron.vite.config.ts, windowChunk), so a top-level await here would have each wait on the other.
 */
import { started, windowCode } from './early';
import { releaseFirstFrame } from './boot';
import './styles/app.css';

const root = document.getElementById('app');
if (!root) throw new Error('The page has no #app element to render the queue into.');

windowCode.then(
  ({ startWindow }) => startWindow(root, started.bridge, started.early),
  (err: unknown) => {
    // The window's messages are part of the code that failed to load: this one is said here.
    const p = document.createElement('p');
    p.setAttribute('role', 'alert');
    p.textContent = `The queue window could not load its code: ${err instanceof Error ? err.message : String(err)}. Reload the window to try again.`;
    root.replaceChildren(p);
    releaseFirstFrame(root);
  },
);
