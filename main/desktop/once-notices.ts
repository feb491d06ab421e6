/** Notices the app shows once per user ("still running in the tray"); kept by main/app-state.ts. */

export const CLOSE_TO_TRAY_NOTICE = 'close-to-tray';

export interface OnceNotices {
  /** True the first time for `id` (and records it); false ever after. */
  claim(id: string): Promise<boolean>;
}
