/**
 * What the desktop app keeps for itself and never shares with the CLI: the window's position and
 * the one-time notices already shown. electron-store (atomic writes) in app-state.json next to the
 * settings. A damaged or unreadable file is never overwritten: the app then remembers for this run
 * only, and says so in the log.
 */
import Store from 'electron-store';
import { z } from 'zod';
import type { Logger } from './ports/ports';
import { SavedWindowState } from './desktop/bounds';
import type { OnceNotices } from './desktop/once-notices';

export const APP_STATE_NAME = 'app-state';

const Shown = z.array(z.string().max(64)).max(100);

export interface AppState {
  windowState(): SavedWindowState | null;
  saveWindowState(state: SavedWindowState): void;
  notices: OnceNotices;
}

interface KeyValue {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

function memory(): KeyValue {
  const m = new Map<string, unknown>();
  return { get: (k) => m.get(k), set: (k, v) => void m.set(k, v) };
}

/** `dir`: the settings folder. */
export function createAppState(dir: string, logger: Logger): AppState {
  let kv: KeyValue;
  try {
    const store = new Store<Record<string, unknown>>({ name: APP_STATE_NAME, cwd: dir, clearInvalidConfig: false });
    kv = { get: (k) => store.get(k), set: (k, v) => store.set(k, v) };
  } catch (err) {
    logger.warn('The app state file could not be read; window position and shown notices are kept for this run only.', { dir, error: (err as Error).message });
    kv = memory();
  }
  const safeSet = (key: string, value: unknown) => {
    try {
      kv.set(key, value);
    } catch (err) {
      logger.warn('The app state could not be saved.', { key, error: (err as Error).message });
    }
  };

  return {
    windowState() {
      const raw = kv.get('window');
      if (raw === undefined) return null;
      const parsed = SavedWindowState.safeParse(raw);
      if (!parsed.success) {
        logger.warn('Ignoring the saved window position: it is not valid.');
        return null;
      }
      return parsed.data;
    },
    saveWindowState(state) {
      safeSet('window', SavedWindowState.parse(state));
    },
    notices: {
      async claim(id) {
        const parsed = Shown.safeParse(kv.get('noticesShown') ?? []);
        const shown = new Set(parsed.success ? parsed.data : []);
        if (shown.has(id)) return false;
        shown.add(id);
        safeSet('noticesShown', [...shown]);
        return true;
      },
    },
  };
}
