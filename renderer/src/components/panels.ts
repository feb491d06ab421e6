/** The dialogs and panels that validate input with the contract's schemas: loaded after the first frame (see lazy.tsx). */
export { SettingsPanel } from './SettingsPanel';
export { PrintDialog, TrackDialog } from './TrackPrint';
export { AbortDialog, ConfirmDialog } from './Dialogs';
