/** The panels and dialogs the queue's first frame does not show: loaded after it (see lazy.tsx). */
import './zod-jitless';

export { SettingsPanel } from './settings/SettingsPanel';
export { PrintDialog, TrackDialog } from './TrackPrint';
export { AbortDialog, ConfirmDialog } from './Dialogs';
export { DetailPanel } from './DetailPanel';
export { ServicePanel, SourcesPanel } from './SourcesPanel';
