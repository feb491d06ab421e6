/**
 * `npm run demo`: the app against the built-in simulators with a continuously changing workload.
 * The Electron binary cannot launch on this machine, so the demo says so in one line and starts
 * the browser preview instead (same arguments as `npm run preview`).
 */
import { runPreview } from './preview';

export const ELECTRON_UNAVAILABLE =
  'Electron cannot launch here (its binary is not installed), so the demo opens in the browser preview instead.';

process.stderr.write(`${ELECTRON_UNAVAILABLE}\n`);
runPreview(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`The demo could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
