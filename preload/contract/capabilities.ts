// What a source can do: zod-free, so that the window's first code can read it without building the
// schemas of model.ts, which re-exports it.

/**
 * What a source can do, as the source declares it (main/queue/source.ts `sourceCapabilities`): the
 * window offers an action only where its source's capabilities say so, never by the kind of
 * source. Per-job permissions (cancel, abort, hold, ...) stay on the job.
 */
export interface SourceCapabilities {
  /** Follows a job id handed in from outside (Track a job…, `pqm track`, links). */
  track: boolean;
  /** Prints a URL, file or HTML (the Print dialog). */
  print: boolean;
  /** Stops an upload still sending the document ("Stop upload"). */
  cancelUpload: boolean;
  /** Submits again a failed job the app submitted. */
  retry: boolean;
  /** Saves a print-to-file job's output. */
  saveOutput: boolean;
  /** Has a service panel (where the service runs, version, license, printers). */
  servicePanel: boolean;
  /** Starts, stops or restarts its service, or adds printers, from the service panel. */
  serviceControl: boolean;
  /** Interactive sign-in, and sign-out. */
  signIn: boolean;
  signOut: boolean;
  /** Details on demand in the detail panel (documents, tasks, events). */
  details: boolean;
}
export const CAPABILITY_NAMES = ['track', 'print', 'cancelUpload', 'retry', 'saveOutput', 'servicePanel', 'serviceControl', 'signIn', 'signOut', 'details'] as const satisfies readonly (keyof SourceCapabilities)[];

/** A source that is switched off offers nothing. */
export function noCapabilities(): SourceCapabilities {
  return Object.fromEntries(CAPABILITY_NAMES.map((n) => [n, false])) as unknown as SourceCapabilities;
}
