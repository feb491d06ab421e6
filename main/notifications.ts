/**
 * Shows what the notification rules (main/desktop/notification-rules.ts) deliver as native
 * notifications; a click opens the window on the job.
 */
import { Notification } from 'electron';
import type { Logger } from './core/ports';
import type { NotificationSpec } from './desktop/notification-rules';

export interface NotifierDeps {
  icon?: string;
  logger: Logger;
  /** Opens the window, on the job when the notification is about one. */
  onClick(key: string | undefined): void;
}

export function createNotifier(deps: NotifierDeps): (spec: NotificationSpec) => void {
  // Keep shown notifications referenced until closed: a garbage-collected one loses its click.
  const live = new Set<Notification>();
  return (spec) => {
    if (!Notification.isSupported()) {
      deps.logger.info('Notifications are not supported here.', { event: spec.event });
      return;
    }
    const n = new Notification({ title: spec.title, body: spec.body, silent: spec.event === 'completed', ...(deps.icon ? { icon: deps.icon } : {}) });
    live.add(n);
    n.on('click', () => deps.onClick(spec.key));
    n.on('close', () => live.delete(n));
    n.on('failed', (_e, error) => {
      live.delete(n);
      deps.logger.warn('A notification could not be shown.', { error });
    });
    n.show();
  };
}
