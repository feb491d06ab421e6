/**
 * The rows the grid draws, for rows of one height: those in view and OVERSCAN beyond each edge,
 * by arithmetic on the scroller's position and height; scrolling to a row moves the least that
 * shows it whole, and writes nothing when it is in view.
 */
import { describe, expect, it } from 'vitest';
import { FixedRows } from '../../renderer/src/components/fixed-rows';

const ROW = 32;
const OVERSCAN = 3;

class FakeScroller {
  scrollTop = 0;
  clientHeight = 0;
  writes: number[] = [];
  private scroll: (() => void) | null = null;
  private resize: (() => void) | null = null;
  readonly ownerDocument: Document;
  constructor() {
    const watch = (cb: (() => void) | null): void => {
      this.resize = cb;
    };
    class RO {
      constructor(cb: () => void) {
        watch(cb);
      }
      observe(): void {}
      disconnect(): void {
        watch(null);
      }
    }
    this.ownerDocument = { defaultView: { ResizeObserver: RO } } as unknown as Document;
  }
  addEventListener(type: string, cb: () => void): void {
    if (type === 'scroll') this.scroll = cb;
  }
  removeEventListener(type: string): void {
    if (type === 'scroll') this.scroll = null;
  }
  scrollTo(opts: { top: number }): void {
    this.writes.push(opts.top);
    this.scrollTop = opts.top;
  }
  userScrolls(top: number): void {
    this.scrollTop = top;
    this.scroll?.();
  }
  resized(height: number): void {
    this.clientHeight = height;
    this.resize?.();
  }
}

function rows(count: number, height = 676) {
  let changes = 0;
  const r = new FixedRows({ rowHeight: ROW, overscan: OVERSCAN, height, onChange: () => changes++ });
  r.setCount(count);
  return { r, changes: () => changes };
}

describe('FixedRows', () => {
  it('draws the rows in view and OVERSCAN more, from the top before any scrolling', () => {
    const { r } = rows(10_000);
    // 676 px show rows 0 to 21 (the 22nd in part).
    expect(r.range()).toEqual({ start: 0, end: 22 + OVERSCAN });
    expect(r.totalSize()).toBe(10_000 * ROW);
    expect(r.startOf(100)).toBe(100 * ROW);
  });

  it('follows the scroller: its position, and its height once measured', () => {
    const { r, changes } = rows(10_000);
    const el = new FakeScroller();
    const stop = r.attach(el as never);
    r.range();
    el.userScrolls(3200);
    expect(changes()).toBe(1);
    expect(r.range()).toEqual({ start: 100 - OVERSCAN, end: Math.ceil((3200 + 676) / ROW) + OVERSCAN });
    el.userScrolls(3201);
    expect(changes()).toBe(1);
    el.resized(320);
    expect(changes()).toBe(2);
    expect(r.viewportHeight()).toBe(320);
    expect(r.range()).toEqual({ start: 100 - OVERSCAN, end: 110 + OVERSCAN + 1 });
    // Hidden (no height): the last height is kept.
    el.resized(0);
    expect(r.viewportHeight()).toBe(320);
    stop();
    el.userScrolls(0);
    expect(changes()).toBe(2);
  });

  it('never draws beyond the list, also while a shorter list leaves the scroller past its end', () => {
    const { r } = rows(5);
    expect(r.range()).toEqual({ start: 0, end: 5 });
    const long = rows(10_000);
    const el = new FakeScroller();
    long.r.attach(el as never);
    el.userScrolls(3200);
    long.r.setCount(10);
    expect(long.r.range()).toEqual({ start: 0, end: 10 });
    long.r.setCount(0);
    expect(long.r.range()).toEqual({ start: 0, end: 0 });
  });

  it('scrolls the least that shows a row whole, and not at all when it is in view', () => {
    const { r, changes } = rows(10_000);
    const el = new FakeScroller();
    el.clientHeight = 640;
    r.attach(el as never);
    r.range();
    r.scrollToIndex(5, el as never);
    expect(el.writes).toEqual([]);
    // Below the view: its bottom to the view's bottom.
    r.scrollToIndex(50, el as never);
    expect(el.writes).toEqual([51 * ROW - 640]);
    expect(changes()).toBe(1);
    expect(r.range().start).toBe(Math.floor((51 * ROW - 640) / ROW) - OVERSCAN);
    // Above it: its top to the view's top, the first row back to the top.
    r.scrollToIndex(0, el as never);
    expect(el.writes.at(-1)).toBe(0);
    // Past the end: the last row.
    r.scrollToIndex(20_000, el as never);
    expect(el.writes.at(-1)).toBe(10_000 * ROW - 640);
  });
});
