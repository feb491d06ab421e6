/**
 * Window bounds: remembered between runs and restored on a screen that still exists. A window
 * saved on a monitor that has since been removed (or a resolution that shrank) comes back fully
 * visible instead of off-screen.
 */
import { z } from 'zod';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const SavedWindowState = z.object({
  x: z.number().int().min(-100_000).max(100_000),
  y: z.number().int().min(-100_000).max(100_000),
  width: z.number().int().min(1).max(100_000),
  height: z.number().int().min(1).max(100_000),
  maximized: z.boolean().default(false),
});
export type SavedWindowState = z.infer<typeof SavedWindowState>;

export const DEFAULT_SIZE = { width: 1100, height: 720 } as const;
export const MIN_SIZE = { width: 640, height: 420 } as const;
/** How much of the window (its top strip, where the title bar is) must show on a display. */
const MIN_VISIBLE = { width: 120, height: 40 } as const;

function intersection(a: Rect, b: Rect): Rect | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const right = Math.min(a.x + a.width, b.x + b.width);
  const bottom = Math.min(a.y + a.height, b.y + b.height);
  return right > x && bottom > y ? { x, y, width: right - x, height: bottom - y } : null;
}

function centered(size: { width: number; height: number }, area: Rect): Rect {
  const width = Math.min(size.width, area.width);
  const height = Math.min(size.height, area.height);
  return {
    x: Math.round(area.x + (area.width - width) / 2),
    y: Math.round(area.y + (area.height - height) / 2),
    width,
    height,
  };
}

/** Shrinks the rect to fit the area and moves it inside. */
function fitInside(r: Rect, area: Rect): Rect {
  const width = Math.min(r.width, area.width);
  const height = Math.min(r.height, area.height);
  const x = Math.min(Math.max(r.x, area.x), area.x + area.width - width);
  const y = Math.min(Math.max(r.y, area.y), area.y + area.height - height);
  return { x, y, width, height };
}

/**
 * Where to open the window. `workAreas` are the displays' work areas (taskbar excluded), the
 * primary one first. Saved bounds whose title strip is visible on a display are kept (shrunk and
 * moved inside that display if they overflow it); otherwise the window is centered on the primary
 * display at its saved size (or the default size).
 */
export function restoreBounds(saved: SavedWindowState | null, workAreas: readonly Rect[], defaults = DEFAULT_SIZE): Rect & { maximized: boolean } {
  const primary = workAreas[0] ?? { x: 0, y: 0, width: defaults.width, height: defaults.height };
  if (!saved) return { ...centered(defaults, primary), maximized: false };
  const size = { width: Math.max(saved.width, MIN_SIZE.width), height: Math.max(saved.height, MIN_SIZE.height) };
  const rect = { x: saved.x, y: saved.y, ...size };
  const titleStrip: Rect = { x: rect.x, y: rect.y, width: rect.width, height: MIN_VISIBLE.height };
  let best: { area: Rect; visible: number } | null = null;
  for (const area of workAreas) {
    const overlap = intersection(titleStrip, area);
    if (!overlap || overlap.width < MIN_VISIBLE.width || overlap.height < MIN_VISIBLE.height / 2) continue;
    const visible = overlap.width * overlap.height;
    if (!best || visible > best.visible) best = { area, visible };
  }
  if (!best) return { ...centered(size, primary), maximized: saved.maximized };
  return { ...fitInside(rect, best.area), maximized: saved.maximized };
}
