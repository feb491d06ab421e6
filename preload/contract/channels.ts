/**
 * The names of every request and event on the bridge. Kept free of imports so the sandboxed
 * preload bundles nothing else; contract.ts types each name and fails the typecheck if the two
 * lists ever disagree.
 */
export const REQUEST_NAMES = [
  'getSnapshot',
  'getJobDetails',
  'cancelJob',
  'cancelJobs',
  'abortJob',
  'holdJob',
  'releaseJob',
  'pauseJob',
  'resumeJob',
  'getPrinters',
  'cancelPrinterJobs',
  'retryJob',
  'trackJob',
  'dismissJob',
  'refreshNow',
  'setWindowVisible',
  'windowReady',
  'setSelection',
  'pauseMonitoring',
  'resumeMonitoring',
  'getSettings',
  'saveSettings',
  'saveUiSettings',
  'setSecret',
  'clearSecret',
  'testSource',
  'signIn',
  'signOut',
  'submitPrint',
  'cancelUpload',
  'saveJobOutput',
  'getServiceInfo',
  'serviceAction',
  'queryHistory',
  'clearHistory',
  'exportHistory',
  'saveDiagnostics',
  'installUpdate',
] as const;
export type RequestName = (typeof REQUEST_NAMES)[number];

export const EVENT_NAMES = ['jobs:patch', 'source:health', 'monitoring:paused', 'app:navigate', 'app:notice', 'print:progress', 'signin:progress', 'printers:changed', 'settings:changed'] as const;
export type EventName = (typeof EVENT_NAMES)[number];

/** IPC channel for a request; events use their own names as channels. */
export const requestChannel = (name: RequestName): string => `pqm:${name}`;
export const eventChannel = (name: EventName): string => `pqm-event:${name}`;
