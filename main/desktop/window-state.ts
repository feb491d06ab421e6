/** Persists the window's bounds in window-state.json next to the settings. */
import { SavedWindowState } from './bounds';
import { readJsonFile, writeFileAtomic } from './atomic-file';
import type { Logger } from '../core/ports';

export async function loadWindowState(path: string, logger: Logger): Promise<SavedWindowState | null> {
  try {
    const raw = await readJsonFile(path);
    if (raw === undefined) return null;
    const parsed = SavedWindowState.safeParse(raw);
    if (!parsed.success) {
      logger.warn('Ignoring the saved window position: the file is not valid.', { path });
      return null;
    }
    return parsed.data;
  } catch (err) {
    logger.warn('Ignoring the saved window position: it could not be read.', { path, error: (err as Error).message });
    return null;
  }
}

export async function saveWindowState(path: string, state: SavedWindowState): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(SavedWindowState.parse(state), null, 2), 0o644);
}
