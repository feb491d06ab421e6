/**
 * What each tray menu choice does, through the same validated contract the window uses. Plain
 * TypeScript: main/index.ts passes the real handlers and window functions; tests pass fakes.
 */
import { dispatch, type Events, type Handlers, type RequestOutput } from '../../preload/contract/contract';
import type { AppError } from '../../preload/contract/model';
import type { EventName } from '../../preload/contract/channels';
import type { Logger } from '../ports/ports';
import type { TrayAction } from './tray-model';

export interface TrayActionDeps {
  handlers: Handlers;
  /** Turns a thrown error into the envelope (the core's, which hides secrets); default: as is. */
  toError?: (err: unknown) => AppError;
  emit<E extends EventName>(event: E, payload: Events[E]): void;
  showWindow(): void;
  /** A cancel the user made from the tray (so it is not reported as someone else's). */
  noteOwnAction(key: string): void;
  /** Starts an explicit quit. */
  quit(): void;
  /** Tells the user about a failed action when the window may be hidden (a notification). */
  alert(message: string): void;
  logger: Logger;
}

export function createTrayActionRunner(deps: TrayActionDeps): (action: TrayAction) => Promise<void> {
  const run = async (name: Parameters<typeof dispatch>[1], payload: unknown, failure: string): Promise<boolean> => {
    const result = await dispatch(deps.handlers, name, payload, deps.toError);
    if (result.ok) return true;
    const message = `${failure}: ${result.error.message}`;
    deps.logger.warn('A tray action failed.', { action: String(name), code: result.error.code });
    deps.emit('app:notice', { level: 'error', message });
    deps.alert(message);
    return false;
  };

  return async (action) => {
    switch (action.type) {
      case 'show':
        deps.showWindow();
        return;
      case 'open-job':
        deps.showWindow();
        deps.emit('app:navigate', { key: action.key });
        return;
      case 'cancel':
        deps.noteOwnAction(action.key);
        await run('cancelJob', { key: action.key }, 'The job could not be canceled');
        return;
      case 'refresh':
        await run('refreshNow', {}, 'Refreshing failed');
        return;
      case 'pause':
        await run('pauseMonitoring', { minutes: action.minutes }, 'Monitoring could not be paused');
        return;
      case 'resume':
        await run('resumeMonitoring', {}, 'Monitoring could not be resumed');
        return;
      case 'install-update': {
        const result = await dispatch(deps.handlers, 'installUpdate', {}, deps.toError);
        const answer = result.ok ? (result.value as RequestOutput<'installUpdate'>) : null;
        const why = !result.ok ? result.error.message : answer?.restarting ? null : (answer?.reason ?? null);
        if (why !== null) {
          const message = `The update is not installed yet: ${why}`;
          deps.emit('app:notice', { level: result.ok ? 'info' : 'error', message });
          deps.alert(message);
        }
        return;
      }
      case 'quit':
        deps.quit();
        return;
      default: {
        const never: never = action;
        deps.logger.warn('Unknown tray action ignored.', { action: JSON.stringify(never).slice(0, 80) });
      }
    }
  };
}

/**
 * The handlers the window and tray call, with the app's own cancels and aborts noted before they
 * reach the service, so the resulting "canceled" transition is not announced as someone else's.
 */
export function withOwnActionNotes(handlers: Handlers, noteOwnAction: (key: string) => void): Handlers {
  return {
    ...handlers,
    cancelJob: (input) => {
      noteOwnAction(input.key);
      return handlers.cancelJob(input);
    },
    cancelJobs: (input) => {
      for (const key of input.keys) noteOwnAction(key);
      return handlers.cancelJobs(input);
    },
    abortJob: (input) => {
      noteOwnAction(input.key);
      return handlers.abortJob(input);
    },
  };
}
