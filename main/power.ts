/**
 * The machine's sleep and network, told to the core: no polling while the machine sleeps (Electron's
 * powerMonitor 'suspend' and 'resume'), none while the network is down (net.isOnline(), checked on
 * a beat: Electron has no event for it in the main process).
 */
import { net, powerMonitor } from 'electron';
import type { AppCore } from './core/app-core-types';
import type { Logger } from './ports/ports';

export const ONLINE_CHECK_MS = 15_000;

/** Follows sleep and the network until the returned function is called. */
export function followPowerAndNetwork(core: Pick<AppCore, 'setSuspended' | 'setOnline'>, logger: Logger): () => void {
  const suspend = (): void => core.setSuspended(true);
  const resume = (): void => core.setSuspended(false);
  powerMonitor.on('suspend', suspend);
  powerMonitor.on('resume', resume);
  let online = net.isOnline();
  core.setOnline(online);
  const timer = setInterval(() => {
    const now = net.isOnline();
    if (now === online) return;
    online = now;
    logger.info(now ? 'The network is back.' : 'The network is offline.');
    core.setOnline(now);
  }, ONLINE_CHECK_MS);
  return () => {
    clearInterval(timer);
    powerMonitor.removeListener('suspend', suspend);
    powerMonitor.removeListener('resume', resume);
  };
}
