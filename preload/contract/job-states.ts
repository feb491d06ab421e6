/**
 * The job states and which of them are final, without zod: the queue window's first frame and the
 * queue's order (queue-view.ts) need them, and building preload/contract/model's schemas costs the window
 * tens of milliseconds at start. preload/contract/model builds its schemas from these.
 */
export const JOB_STATES = ['queued', 'processing', 'printing', 'paused', 'completed', 'failed', 'canceled', 'unknown'] as const;
export type JobStateName = (typeof JOB_STATES)[number];

export const FINAL_STATES: ReadonlySet<JobStateName> = new Set<JobStateName>(['completed', 'failed', 'canceled']);

/** A job is final when it is gone or in a final state: nothing more will happen to it. */
export function isFinal(job: { state: JobStateName; gone: boolean }): boolean {
  return job.gone || FINAL_STATES.has(job.state);
}

/**
 * What each kind of source is called, in one place for every process: `kind` in the settings form
 * and wherever a kind is chosen, `job` before a job's id where the service names no document
 * ("ScriptX job 72"), `source` as a source's name when the settings give none. model.ts checks
 * that every kind of source has its names.
 */
export const SOURCE_KIND_NAMES = {
  scriptx: { kind: 'ScriptX.Services', job: 'ScriptX', source: 'ScriptX.Services on this PC' },
  graph: { kind: 'Universal Print (Microsoft Graph)', job: 'Universal Print', source: 'Universal Print' },
  aodocs: { kind: 'AODocs', job: 'AODocs', source: 'AODocs' },
  ipp: { kind: 'IPP printer or CUPS server', job: 'IPP', source: 'Print server' },
  'windows-spooler': { kind: 'Print queues on this PC (Windows)', job: 'Print queue', source: 'Print queues on this PC' },
} as const satisfies Readonly<Record<string, { kind: string; job: string; source: string }>>;
export type SourceKindWithNames = keyof typeof SOURCE_KIND_NAMES;

/** The kind's names, or null for a kind this version does not know. */
export function sourceKindNames(kind: string): (typeof SOURCE_KIND_NAMES)[SourceKindWithNames] | null {
  return Object.prototype.hasOwnProperty.call(SOURCE_KIND_NAMES, kind) ? SOURCE_KIND_NAMES[kind as SourceKindWithNames] : null;
}

/**
 * How a job is named in the window, messages and notifications: its document, or, where the
 * service gave none, what it is ("ScriptX job 72"); never an internal key.
 */
export function jobName(job: { document: string | null; sourceKind: string; nativeId: string }): string {
  const doc = job.document?.trim();
  if (doc) return doc;
  return `${sourceKindNames(job.sourceKind)?.job ?? job.sourceKind} job ${job.nativeId}`;
}
