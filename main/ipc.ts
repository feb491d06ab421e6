/**
 * The contract over Electron IPC: one ipcMain.handle per request, validated by the same dispatch()
 * as the web transport, answered with the {ok,value}|{ok:false,error} envelope (never a thrown
 * error: Electron would reduce it to a string), and only for the app's own window. AppCore events
 * are forwarded to the window.
 *
 * Answers and event payloads are sent as their JSON text, a snapshot's jobs as a table
 * (preload/contract/wire.ts, the same text the web transport sends): the preload hands the text to
 * the page through the context bridge, which would otherwise copy every value of every job on the
 * window's main thread (Electron's "Context Bridge" documentation, Performance).
 */
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { EVENT_NAMES, REQUEST_NAMES, eventChannel, requestChannel } from '../preload/contract/channels';
import { dispatch, type Handlers } from '../preload/contract/contract';
import type { AppError } from '../preload/contract/model';
import { answerText, answerTextInSteps, eventText } from '../preload/contract/wire';
import type { AppCore } from './core/app-core-types';
import { nextTurn, silentLogger, type Logger } from './ports/ports';
import { isAppUrl, type AppPageLocation } from './desktop/external-links';

export type SenderCheck = (event: IpcMainInvokeEvent) => boolean;

/**
 * Trusts a request only from the main frame of the app's own window showing the app's own page
 * (out/renderer/index.html, or the dev server while developing).
 */
export function createSenderCheck(getWindow: () => BrowserWindow | null, where: AppPageLocation): SenderCheck {
  return (event) => {
    const win = getWindow();
    if (!win || win.isDestroyed()) return false;
    if (event.sender.id !== win.webContents.id) return false;
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null) return false;
    return isAppUrl(frame.url, where);
  };
}

export const NOT_ALLOWED: AppError = { code: 'not-allowed', message: 'This request did not come from the Print Queue Monitor window.' };

export interface IpcOptions {
  handlers: Handlers;
  isTrustedSender: SenderCheck;
  logger: Logger;
  /** Turns a thrown error into the envelope, once, at dispatch: the core's `toError` (which hides secrets). */
  toError: (err: unknown) => AppError;
}

/** Registers every request of the contract; returns a function that removes them. */
export function registerIpc(opts: IpcOptions): () => void {
  for (const name of REQUEST_NAMES) {
    ipcMain.handle(requestChannel(name), async (event, payload: unknown): Promise<string> => {
      if (!opts.isTrustedSender(event)) {
        opts.logger.warn('IPC request from an unexpected sender refused.', { request: name });
        return answerText(name, { ok: false, error: NOT_ALLOWED });
      }
      const result = await dispatch(opts.handlers, name, payload, opts.toError);
      if (!result.ok && result.error.code === 'internal') opts.logger.error('Request failed.', { request: name, error: result.error.message });
      // A queue of thousands of jobs is encoded a step at a time: other requests, the tray and the
      // window's events are served meanwhile.
      return answerTextInSteps(name, result, nextTurn);
    });
  }
  return () => {
    for (const name of REQUEST_NAMES) ipcMain.removeHandler(requestChannel(name));
  };
}

/** Forwards every AppCore event to the window, its payload as text; returns a function that stops it. */
export function forwardEvents(core: Pick<AppCore, 'on'>, getWindow: () => BrowserWindow | null, logger: Logger = silentLogger): () => void {
  const offs = EVENT_NAMES.map((name) =>
    core.on(name, (payload) => {
      const win = getWindow();
      if (!win || win.isDestroyed() || win.webContents.isDestroyed()) return;
      let text: string;
      try {
        text = eventText(payload);
      } catch (err) {
        logger.error('An event could not be encoded for the window.', { event: name, error: String(err) });
        return;
      }
      win.webContents.send(eventChannel(name), text);
    }),
  );
  return () => offs.forEach((off) => off());
}
