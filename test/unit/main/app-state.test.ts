/**
 * The desktop app's own state through the real electron-store (Electron itself mocked): window
 * position and one-time notices survive a restart, a damaged file is never overwritten.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

vi.mock('electron', () => {
  const app = { getPath: () => tmpdir(), getVersion: () => '0.1.0' };
  const ipcMain = { on: () => undefined };
  return { default: { app, ipcMain, shell: {} }, app, ipcMain, shell: {} };
});

const { createAppState, APP_STATE_NAME } = await import('../../../main/app-state');

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'pqm-app-state-'));
  dirs.push(d);
  return d;
}
const warnings: string[] = [];
const logger = { debug: () => undefined, info: () => undefined, warn: (m: string) => void warnings.push(m), error: () => undefined };

describe('app state (electron-store)', () => {
  it('keeps the window position and shown notices across restarts, next to the settings', async () => {
    const d = dir();
    const a = createAppState(d, logger);
    expect(a.windowState()).toBeNull();
    a.saveWindowState({ x: 10, y: 20, width: 900, height: 600, maximized: true });
    expect(await a.notices.claim('close-to-tray')).toBe(true);
    expect(await a.notices.claim('close-to-tray')).toBe(false);

    const b = createAppState(d, logger);
    expect(b.windowState()).toEqual({ x: 10, y: 20, width: 900, height: 600, maximized: true });
    expect(await b.notices.claim('close-to-tray')).toBe(false);
    expect(await b.notices.claim('other')).toBe(true);
    const file = JSON.parse(readFileSync(join(d, `${APP_STATE_NAME}.json`), 'utf8'));
    expect(file).toMatchObject({ window: { width: 900 }, noticesShown: ['close-to-tray', 'other'] });
  });

  it('ignores a saved position that is not valid', () => {
    const d = dir();
    writeFileSync(join(d, `${APP_STATE_NAME}.json`), JSON.stringify({ window: { x: 'left', width: -5 } }));
    warnings.length = 0;
    expect(createAppState(d, logger).windowState()).toBeNull();
    expect(warnings.join(' ')).toMatch(/not valid/);
  });

  it('never overwrites a damaged file: remembers for this run only', async () => {
    const d = dir();
    const path = join(d, `${APP_STATE_NAME}.json`);
    writeFileSync(path, '{not json');
    warnings.length = 0;
    const a = createAppState(d, logger);
    expect(warnings.join(' ')).toMatch(/could not be read/);
    a.saveWindowState({ x: 0, y: 0, width: 800, height: 600, maximized: false });
    expect(await a.notices.claim('close-to-tray')).toBe(true);
    expect(await a.notices.claim('close-to-tray')).toBe(false);
    expect(a.windowState()).toMatchObject({ width: 800 });
    expect(readFileSync(path, 'utf8')).toBe('{not json');
    expect(existsSync(path)).toBe(true);
  });
});
