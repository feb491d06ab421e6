/**
 * The queue window's entry. Its first import opens the bridge and asks for settings and snapshot
 * (early.ts); the rest of the window's code is evaluated and the shell rendered while the app
 * prepares its answer.
 */
import { started, windowCode } from './early';
import './styles/app.css';

const root = document.getElementById('app');
if (!root) throw new Error('The page has no #app element to render the queue into.');

const { startWindow } = await windowCode;
startWindow(root, started.bridge, started.early);
