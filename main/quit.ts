/**
 * How the app ends, in the order Electron 45 documents: closing the window only hides it to the
 * tray ('window-all-closed' quits only once quitting was asked for); 'before-quit' marks the app as
 * quitting (windows then close for real); 'will-quit' fires once every window has closed: its
 * default is prevented until polling has stopped and history is written, then app.quit() runs
 * again (emitting 'before-quit' and 'will-quit' once more, let through). Windows ends a session
 * (logoff, shutdown) without either event: the window's 'session-end' is the only word, and the
 * process may end as soon as its handler returns, so what is buffered is written synchronously.
 */
import { app, type BrowserWindow } from 'electron';
import type { Logger } from './ports/ports';

export interface QuitDeps {
  logger: Logger;
  /** Writes what is buffered, synchronously (the Windows session is ending). */
  flushSync(): void;
  /** Stops everything the app started, in order; awaited before the process ends. */
  shutdown(): Promise<void>;
}

export interface QuitSequence {
  /** True once a quit was asked for (the tray's Quit, an update's restart, the session ending). */
  isQuitting(): boolean;
  /** A quit the user asked for (the tray's Quit). */
  quit(): void;
  /** From now on closing the window quits (no tray; an update about to restart the app). */
  markQuitting(): void;
  /** Follows the window's 'session-end' (Windows). */
  watchWindow(win: BrowserWindow): void;
}

/** Registers the quit sequence; call before 'ready' so that 'window-all-closed' is never missed. */
export function createQuitSequence(deps: QuitDeps): QuitSequence {
  let quitting = false;
  let stopped = false;
  app.on('window-all-closed', () => {
    if (quitting) app.quit();
  });
  app.on('before-quit', () => {
    quitting = true;
  });
  app.on('will-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    stopped = true;
    void (async () => {
      try {
        await deps.shutdown();
      } catch (err) {
        deps.logger.error('Stopping cleanly failed.', { error: (err as Error).message });
      }
      deps.logger.info('Stopped.');
      app.quit();
    })();
  });
  return {
    isQuitting: () => quitting,
    quit() {
      quitting = true;
      app.quit();
    },
    markQuitting() {
      quitting = true;
    },
    watchWindow(win) {
      win.on('session-end', () => {
        quitting = true;
        deps.logger.info('The Windows session is ending.');
        deps.flushSync();
      });
    },
  };
}
