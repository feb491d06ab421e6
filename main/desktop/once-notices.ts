/**
 * Notices the app shows once per user ("still running in the tray"), remembered in
 * notices.json next to the settings, so the settings file is never rewritten for them.
 */
import { z } from 'zod';
import type { Logger } from '../core/ports';
import { readJsonFile, writeFileAtomic } from './atomic-file';

export const NOTICES_FILE_NAME = 'notices.json';
export const CLOSE_TO_TRAY_NOTICE = 'close-to-tray';

const NoticesFile = z.object({ version: z.literal(1), shown: z.array(z.string().max(64)).max(100) });

export interface OnceNotices {
  /** True the first time for `id` (and records it); false ever after. */
  claim(id: string): Promise<boolean>;
}

export function createOnceNotices(path: string, logger: Logger): OnceNotices {
  let shown: Set<string> | null = null;
  let chain: Promise<unknown> = Promise.resolve();

  async function load(): Promise<Set<string>> {
    if (shown) return shown;
    try {
      const raw = await readJsonFile(path);
      const parsed = raw === undefined ? null : NoticesFile.safeParse(raw);
      if (parsed && !parsed.success) logger.warn('Ignoring notices.json: it is not valid.', { path });
      shown = new Set(parsed?.success ? parsed.data.shown : []);
    } catch (err) {
      logger.warn('Ignoring notices.json: it could not be read.', { path, error: (err as Error).message });
      shown = new Set();
    }
    return shown;
  }

  return {
    claim(id) {
      const run = chain.then(async () => {
        const set = await load();
        if (set.has(id)) return false;
        set.add(id);
        try {
          await writeFileAtomic(path, `${JSON.stringify({ version: 1, shown: [...set] }, null, 2)}\n`, 0o644);
        } catch (err) {
          // Showing the notice again next time is better than not showing it now.
          logger.warn('Could not remember a shown notice.', { path, error: (err as Error).message });
        }
        return true;
      });
      chain = run.catch(() => undefined);
      return run;
    },
  };
}
