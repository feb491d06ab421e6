/**
 * Frames drawn by the test: while installed, requestAnimationFrame only records its callback and
 * the page counts as visible, so that a test decides when "the next frame" is drawn
 * (renderer/src/transport/reader.ts holds long texts until then).
 */
import { afterEach, beforeEach, expect } from 'vitest';

/** A turn of the event loop (a task). */
export const tick = (): Promise<void> => new Promise<void>((r) => setTimeout(r, 0));

/** Installs the fake frames around each test of the calling file. */
export function useFakeFrames(): { frames: (() => void)[]; drawFrame: () => Promise<void> } {
  const frames: (() => void)[] = [];
  const saved = { raf: globalThis.requestAnimationFrame, document: (globalThis as { document?: unknown }).document };
  beforeEach(() => {
    frames.length = 0;
    globalThis.requestAnimationFrame = ((cb: () => void) => frames.push(cb)) as never;
    (globalThis as { document?: unknown }).document = { visibilityState: 'visible' };
  });
  afterEach(() => {
    globalThis.requestAnimationFrame = saved.raf;
    (globalThis as { document?: unknown }).document = saved.document;
  });
  /** Draws the frame: runs the callbacks asked for so far, then a task. */
  const drawFrame = async (): Promise<void> => {
    for (const f of frames.splice(0)) f();
    await tick();
  };
  return { frames, drawFrame };
}

/**
 * The order both transports' readers keep at start-up: the whole queue's long answer waits for the
 * next frame; the settings' answer, though it came after it, is read at once; a patch that came
 * after both waits behind the whole queue. `order` records what the test's listeners saw.
 */
export async function expectWholeQueueAfterFrame(t: { order: string[]; settings: Promise<unknown>; whole: Promise<unknown>; wholeEntry: string; drawFrame: () => Promise<void> }): Promise<void> {
  await t.settings;
  await tick();
  expect(t.order).toEqual(['settings']);
  await t.drawFrame();
  await t.whole;
  await tick();
  expect(t.order).toEqual(['settings', t.wholeEntry, 'patch']);
}
