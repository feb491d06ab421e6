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

const KIND_WORDS: Readonly<Record<string, string>> = { scriptx: 'ScriptX', graph: 'Universal Print', aodocs: 'AODocs' };

/**
 * How a job is named in the window, messages and notifications: its document, or, where the
 * service gave none, what it is ("ScriptX job 72"); never an internal key.
 */
export function jobName(job: { document: string | null; sourceKind: string; nativeId: string }): string {
  const doc = job.document?.trim();
  if (doc) return doc;
  return `${KIND_WORDS[job.sourceKind] ?? job.sourceKind} job ${job.nativeId}`;
}
