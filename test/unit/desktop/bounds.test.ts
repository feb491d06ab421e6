import { describe, expect, it } from 'vitest';
import { DEFAULT_SIZE, MIN_SIZE, restoreBounds } from '../../../main/desktop/bounds';

const primary = { x: 0, y: 0, width: 1920, height: 1040 };
const right = { x: 1920, y: 0, width: 2560, height: 1400 };

describe('restoreBounds', () => {
  it('centres the default size on the primary display the first time', () => {
    expect(restoreBounds(null, [primary])).toEqual({ x: 410, y: 160, ...DEFAULT_SIZE, maximized: false });
  });
  it('keeps saved bounds that are on a display', () => {
    const saved = { x: 2100, y: 100, width: 1200, height: 800, maximized: true };
    expect(restoreBounds(saved, [primary, right])).toEqual({ ...saved });
  });
  it('brings a window back when its monitor was removed', () => {
    const saved = { x: 2100, y: 100, width: 1200, height: 800, maximized: false };
    const r = restoreBounds(saved, [primary]);
    expect(r).toEqual({ x: 360, y: 120, width: 1200, height: 800, maximized: false });
  });
  it('shrinks and moves a window that overflows a smaller display', () => {
    const r = restoreBounds({ x: 1500, y: 600, width: 2400, height: 1300, maximized: false }, [primary]);
    expect(r.x).toBeGreaterThanOrEqual(0);
    expect(r.x + r.width).toBeLessThanOrEqual(1920);
    expect(r.y + r.height).toBeLessThanOrEqual(1040);
  });
  it('never restores below the minimum size, and ignores a title bar above the screen', () => {
    const tiny = restoreBounds({ x: 10, y: 10, width: 50, height: 20, maximized: false }, [primary]);
    expect(tiny.width).toBe(MIN_SIZE.width);
    expect(tiny.height).toBe(MIN_SIZE.height);
    const above = restoreBounds({ x: 100, y: -900, width: 800, height: 600, maximized: false }, [primary]);
    expect(above.y).toBeGreaterThanOrEqual(0);
  });
});
