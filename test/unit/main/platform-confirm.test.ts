/** main/platform.ts confirmCommand: a native message box (Electron mocked, as Electron 45 documents it). */
import { beforeEach, describe, expect, it, vi } from 'vitest';

const showMessageBox = vi.fn();
const win = { isDestroyed: () => false };
vi.mock('electron', () => {
  const mod = { app: {}, shell: {}, net: { fetch: vi.fn() }, dialog: { showMessageBox } };
  return { ...mod, default: mod };
});

const { createElectronPlatform } = await import('../../../main/platform');
/** An installed copy without an updater: the desktop options these tests do not look at. */
const desktop = { install: { kind: 'installed' as const, portableExe: null }, updateStatus: () => ({ state: 'off' as const, reason: 'no update feed' }) };

beforeEach(() => showMessageBox.mockReset());

describe('confirmCommand', () => {
  const request = { title: 'Restart ScriptX.Services', message: 'Run this command?', detail: '"C:\\Program Files\\x.cmd" --now' };

  it('shows the exact command in a warning box on the window, Cancel by default; Run answers true', async () => {
    // dialog.showMessageBox resolves { response, checkboxChecked }; response is the button index.
    showMessageBox.mockResolvedValue({ response: 0, checkboxChecked: false });
    const platform = createElectronPlatform(() => win as never, desktop);
    expect(await platform.confirmCommand!(request)).toBe(true);
    expect(showMessageBox).toHaveBeenCalledTimes(1);
    const [parent, options] = showMessageBox.mock.calls[0]!;
    expect(parent).toBe(win);
    expect(options).toMatchObject({ type: 'warning', title: request.title, message: request.message, detail: request.detail, buttons: ['Run', 'Cancel'], defaultId: 1, cancelId: 1 });
  });

  it('Cancel, Escape or closing the box answers false; without a window the box is shown on its own', async () => {
    showMessageBox.mockResolvedValue({ response: 1, checkboxChecked: false });
    const platform = createElectronPlatform(() => null, desktop);
    expect(await platform.confirmCommand!(request)).toBe(false);
    expect(showMessageBox.mock.calls[0]!).toHaveLength(1);
  });
});
