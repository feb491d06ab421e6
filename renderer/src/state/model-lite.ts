/**
 * The few values of preload/model the queue's first frame needs, without that module's zod
 * schemas: building every schema costs the window tens of milliseconds at start, on the way to the
 * first rows. Validation (settings, dialogs) still uses the schemas, loaded after the first frame.
 * test/component/model-lite.test.ts holds these equal to preload/model.
 */
import type { JOB_STATES as MODEL_JOB_STATES, Job, JobState, UiSettings } from '../../../preload/model';

export const JOB_STATES: typeof MODEL_JOB_STATES = ['queued', 'processing', 'printing', 'paused', 'completed', 'failed', 'canceled', 'unknown'];

const FINAL_STATES: ReadonlySet<JobState> = new Set<JobState>(['completed', 'failed', 'canceled']);

/** Same as preload/model's isFinal: gone, or in a final state. */
export function isFinal(job: Pick<Job, 'state' | 'gone'>): boolean {
  return job.gone || FINAL_STATES.has(job.state);
}

/** The view choices of an empty settings file (preload/model's `UiSettings.parse({})`), a fresh copy each call. */
export function defaultUi(): UiSettings {
  return {
    theme: 'system',
    view: 'active',
    mineOnly: false,
    sourceFilter: [],
    printerFilter: [],
    stateFilter: [],
    search: '',
    sort: { key: 'updatedAt', dir: 'desc' },
    startAtLogin: false,
    startMinimized: false,
    closeToTrayNoticeShown: false,
  };
}
