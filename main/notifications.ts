/**
 * Shows what the notification rules (preload/contract/notification-rules.ts) deliver as native
 * notifications; a click opens the window on the job. While the window has the focus, the
 * notifications about jobs are left to it: it shows the same ones, from the same rules, in its
 * notices (renderer/src/state/job-notices.ts), so none is told twice. Windows toasts need the AppUserModelID set
 * (main/index.ts does it before anything is shown).
 */
import { Notification } from 'electron';
import type { Logger } from './ports/ports';
import { desktopShows, type NotificationSpec } from '../preload/contract/notification-rules';

export interface NotifierDeps {
  icon?: string;
  logger: Logger;
  /** Opens the window, on the job when the notification is about one. */
  onClick(key: string | undefined): void;
  /** Whether the window is shown and has the focus (absent: never). */
  windowFocused?(): boolean;
}

export interface Notifier {
  /** A notification decided by the rules. */
  deliver(spec: NotificationSpec): void;
  /** A notice of the app itself (close to tray, a failed tray action); a click shows the window. */
  plain(title: string, body: string): void;
}

export function createNotifier(deps: NotifierDeps): Notifier {
  // Keep shown notifications referenced until closed: a garbage-collected one loses its click.
  const live = new Set<Notification>();
  const show = (options: { title: string; body: string; silent: boolean }, key: string | undefined, what: string): void => {
    if (!Notification.isSupported()) {
      deps.logger.info('Notifications are not supported here.', { what });
      return;
    }
    const n = new Notification({ ...options, ...(deps.icon ? { icon: deps.icon } : {}) });
    live.add(n);
    n.on('click', () => deps.onClick(key));
    n.on('close', () => live.delete(n));
    n.on('failed', (_e, error) => {
      live.delete(n);
      deps.logger.warn('A notification could not be shown.', { what, error });
    });
    n.show();
  };
  return {
    deliver(spec) {
      if (!desktopShows(spec, deps.windowFocused?.() ?? false)) {
        deps.logger.info('Shown in the window, which has the focus.', { what: spec.event });
        return;
      }
      show({ title: spec.title, body: spec.body, silent: spec.event === 'completed' }, spec.key, spec.event);
    },
    plain(title, body) {
      show({ title, body, silent: true }, undefined, 'notice');
    },
  };
}
