/**
 * The job states and which of them are final, without zod: the queue window's first frame and the
 * queue's order (queue-view.ts) need them, and building preload/model's schemas costs the window
 * tens of milliseconds at start. preload/model builds its schemas from these.
 */
export const JOB_STATES = ['queued', 'processing', 'printing', 'paused', 'completed', 'failed', 'canceled', 'unknown'] as const;
export type JobStateName = (typeof JOB_STATES)[number];

export const FINAL_STATES: ReadonlySet<JobStateName> = new Set<JobStateName>(['completed', 'failed', 'canceled']);

/** A job is final when it is gone or in a final state: nothing more will happen to it. */
export function isFinal(job: { state: JobStateName; gone: boolean }): boolean {
  return job.gone || FINAL_STATES.has(job.state);
}
