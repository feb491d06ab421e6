/**
 * The view choices of an empty settings file, without preload/contract/model's zod schemas: building every
 * schema costs the window tens of milliseconds at start, on the way to the first rows. Validation
 * (settings, dialogs) still uses the schemas, loaded after the first frame. The job states come
 * from preload/contract/job-states, which is zod-free. test/component/model-lite.test.ts holds this equal to
 * preload/contract/model.
 */
import type { UiSettings } from '../../../preload/contract/model';

/** The view choices of an empty settings file (preload/contract/model's `UiSettings.parse({})`), a fresh copy each call. */
export function defaultUi(): UiSettings {
  return {
    theme: 'system',
    view: 'active',
    mineOnly: false,
    sourceFilter: [],
    printerFilter: [],
    stateFilter: [],
    stuckOnly: false,
    search: '',
    sort: { key: 'updatedAt', dir: 'desc' },
    startAtLogin: false,
    startMinimized: false,
    closeToTrayNoticeShown: false,
    columns: { widths: {}, hidden: [], shown: [] },
  };
}
