/** main/tray.ts with Electron mocked: the menu and icons come from the tray model. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeJob, makeHealth } from '../../helpers/fake-bridge';

const trays: FakeTray[] = [];
class FakeTray {
  tooltip = '';
  image = '';
  menu: unknown = null;
  listeners = new Map<string, () => void>();
  constructor(img: { path: string }) {
    this.image = img.path;
    trays.push(this);
  }
  setToolTip(t: string) {
    this.tooltip = t;
  }
  setImage(img: { path: string }) {
    this.image = img.path;
  }
  menusSet = 0;
  setContextMenu(m: unknown) {
    this.menu = m;
    this.menusSet++;
  }
  on(name: string, fn: () => void) {
    this.listeners.set(name, fn);
  }
  destroy = vi.fn();
}
vi.mock('electron', async () => {
  const { EventEmitter } = await import('node:events');
  /** Electron's Menu: an EventEmitter with 'menu-will-show' and 'menu-will-close'. */
  class FakeMenu extends EventEmitter {
    constructor(readonly template: unknown) {
      super();
    }
    static buildFromTemplate(t: unknown) {
      return new FakeMenu(t);
    }
  }
  const mod = {
    Tray: FakeTray,
    Menu: FakeMenu,
    nativeImage: { createFromPath: (path: string) => ({ path, isEmpty: () => false }) },
    nativeTheme: { shouldUseDarkColorsForSystemIntegratedUI: true },
  };
  return { ...mod, default: mod };
});

const { toMenuTemplate, createAppTray, trayIconPath, badgeIconPath } = await import('../../../main/tray');
const { buildTrayModel } = await import('../../../main/desktop/tray-model');
const { silentLogger } = await import('../../../main/ports/ports');

const realPlatform = process.platform;
afterEach(() => Object.defineProperty(process, 'platform', { value: realPlatform }));

describe('tray menu', () => {
  it('is built from the model: jobs with Cancel, Show, Refresh, Pause choices, Quit', () => {
    const job = makeJob({ key: 'local:a', document: 'Report & Co', state: 'printing' });
    const model = buildTrayModel({ jobs: [job], sources: [], paused: null });
    const onAction = vi.fn();
    const template = toMenuTemplate(model.menu, onAction);
    const labels = template.map((i) => i.label ?? i.type);
    expect(labels).toEqual(['Report && Co — Printer A (printing)', 'separator', 'Show window', 'Refresh now', 'Pause monitoring', 'separator', 'Quit Print Queue Monitor']);
    const jobItems = template[0].submenu as { label: string; click?: () => void }[];
    jobItems.find((i) => i.label === 'Cancel job')!.click!();
    expect(onAction).toHaveBeenCalledWith({ type: 'cancel', key: 'local:a' });
    const pause = template[4].submenu as { label: string; click: () => void }[];
    expect(pause.map((p) => p.label)).toEqual(['For 15 minutes', 'For 1 hour', 'Until resumed']);
    pause[1].click();
    expect(onAction).toHaveBeenLastCalledWith({ type: 'pause', minutes: 60 });
    (template.at(-1) as { click: () => void }).click();
    expect(onAction).toHaveBeenLastCalledWith({ type: 'quit' });
  });
});

describe('createAppTray', () => {
  it('shows the state icon for the taskbar theme, the tooltip, and the overlay badge on Windows', () => {
    Object.defineProperty(process, 'platform', { value: 'win32' });
    const onClick = vi.fn();
    const tray = createAppTray({ iconDir: '/icons', onAction: vi.fn(), onClick, logger: silentLogger });
    const fake = trays.at(-1)!;
    expect(fake.image).toBe(trayIconPath('/icons', 'idle', true));
    const win = { isDestroyed: () => false, setOverlayIcon: vi.fn() };
    const jobs = Array.from({ length: 12 }, (_, i) => makeJob({ key: `local:${i}`, state: 'printing' }));
    tray.update(buildTrayModel({ jobs, sources: [makeHealth({ id: 'up', name: 'Universal Print', status: 'down' })], paused: null }), win as never);
    expect(fake.image).toBe('/icons/tray/attention-dark.png');
    expect(fake.tooltip).toMatch(/^Universal Print is unreachable\. 12 jobs printing/);
    expect(win.setOverlayIcon).toHaveBeenCalledWith({ path: badgeIconPath('/icons', 12), isEmpty: expect.any(Function) }, '12 active print jobs');
    expect(badgeIconPath('/icons', 12)).toBe('/icons/badge/9plus.png');
    tray.update(buildTrayModel({ jobs: [], sources: [], paused: null }), win as never);
    expect(win.setOverlayIcon).toHaveBeenLastCalledWith(null, '');
    expect(fake.tooltip).toBe('Print queue is empty');
    fake.listeners.get('click')!();
    expect(onClick).toHaveBeenCalled();
  });
});

describe('the tray menu is replaced only when it changed, never while it is open', () => {
  it('an unchanged model keeps the menu; a change while open waits until it closes', async () => {
    const tray = createAppTray({ iconDir: '/icons', onAction: vi.fn(), onClick: vi.fn(), logger: silentLogger });
    const fake = trays.at(-1)!;
    const one = buildTrayModel({ jobs: [makeJob({ key: 'local:a', document: 'One', state: 'printing' })], sources: [], paused: null });
    const two = buildTrayModel({ jobs: [makeJob({ key: 'local:b', document: 'Two', state: 'printing' })], sources: [], paused: null });
    tray.update(one, null);
    tray.update(buildTrayModel({ jobs: [makeJob({ key: 'local:a', document: 'One', state: 'printing' })], sources: [], paused: null }), null);
    expect(fake.menusSet).toBe(1);
    const open = fake.menu as import('node:events').EventEmitter & { template: { label?: string }[] };
    open.emit('menu-will-show');
    tray.update(two, null);
    expect(fake.menusSet).toBe(1);
    expect(fake.menu).toBe(open);
    open.emit('menu-will-close');
    await vi.waitFor(() => expect(fake.menusSet).toBe(2));
    expect((fake.menu as { template: { label?: string }[] }).template[0].label).toMatch(/^Two/);
    tray.update(two, null);
    expect(fake.menusSet).toBe(2);
  });
});
