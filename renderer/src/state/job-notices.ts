/**
 * Notices, in the window, of your own jobs' completion, failure, cancellation elsewhere and stalls:
 * the desktop notifications' rules (preload/contract/notification-rules.ts), under the same
 * notification settings, fed from the patches the window receives (a state change is a transition,
 * a job newly flagged stuck is a stall). Each notice offers what to do: Details, Print again where
 * the service can, the printer's jobs. While the window has the focus the desktop leaves these to
 * it (main/notifications.ts), so a notice is not told twice.
 */
import { effect } from '@preact/signals';
import type { Job, NotificationSettings } from '../../../preload/contract/model';
import { createNotificationRules, JOB_EVENTS, type NotificationSpec, type RulesClock } from '../../../preload/contract/notification-rules';
import { t } from '../i18n/messages';
import type { Notice, NoticeAction, Store } from './store';

/** Before the settings are in, nothing is told (the rules' switch is off). */
const NOT_LOADED: NotificationSettings = {
  enabled: false,
  events: { completed: false, failed: false, canceledByOther: false, stuck: false, sourceProblem: false, licenseExpiring: false },
  ownJobsOnly: true,
  sources: {},
  doNotDisturb: false,
};

const LEVEL: Record<string, Notice['level']> = { completed: 'info', failed: 'error', canceledByOther: 'warning', stuck: 'warning' };

const windowClock: RulesClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

function actionsFor(store: Store, spec: NotificationSpec): NoticeAction[] {
  const job = spec.key ? store.jobs.get(spec.key) : undefined;
  if (!job) return [];
  const actions: NoticeAction[] = [{ label: t.menuShowDetails, run: () => store.openDetails(job.key) }];
  if (spec.event === 'failed' && job.extra.retryable === true) actions.push({ label: t.retryJob, run: () => void store.retryJob(job.key) });
  if (job.printer && spec.event !== 'completed') {
    const printer = job.printer;
    actions.push({ label: t.menuShowPrinter(printer), run: () => store.showPrinterQueue(job.sourceId, printer) });
  }
  return actions;
}

/** Starts telling the store's notices of your jobs; returns the stop. */
export function watchJobNotices(store: Store, clock: RulesClock = windowClock): () => void {
  const rules = createNotificationRules({
    clock,
    settings: () => store.settingsView.value?.settings.notifications ?? NOT_LOADED,
    sourceName: (id) => store.sourceNames.value.get(id),
    deliver: (spec) => {
      if (!JOB_EVENTS.includes(spec.event)) return;
      store.notify(LEVEL[spec.event] ?? 'info', t.jobNotice(spec.title, spec.body), undefined, actionsFor(store, spec));
    },
  });
  const stopWatching = store.watchJobChanges((before: Job, after: Job) => {
    if (before.state !== after.state) rules.handle({ type: 'transition', job: after, from: before.state, to: after.state });
    if (after.stuck && !before.stuck) rules.handle({ type: 'stuck', job: after });
  });
  // A cancel or abort asked for here is no surprise: its outcome is not told as "canceled outside this app".
  const stopOwn = effect(() => {
    for (const [key, action] of store.pending.value) if (action === 'cancel' || action === 'abort') rules.noteOwnAction(key);
  });
  return () => {
    stopWatching();
    stopOwn();
    rules.dispose();
  };
}
