/**
 * The `print-queue-monitor:` protocol: registered for this app at each start (in the user's part
 * of the registry), and by the installer for the installation (build/installer.nsh, the same
 * command), so links from web pages and e-mails reach the running instance.
 */
import { app } from 'electron';
import { resolve } from 'node:path';
import type { Logger } from './ports/ports';
import { PROTOCOL } from './desktop/app-identity';

export function registerProtocolClient(logger: Logger): boolean {
  let ok: boolean;
  if (process.defaultApp && process.argv.length >= 2) {
    // Unpackaged (electron .): register electron.exe with the app path so links start this app.
    ok = app.setAsDefaultProtocolClient(PROTOCOL, process.execPath, [resolve(process.argv[1])]);
  } else {
    ok = app.setAsDefaultProtocolClient(PROTOCOL);
  }
  if (!ok) logger.warn(`Could not register the ${PROTOCOL}: protocol; links will not open the app.`);
  return ok;
}
