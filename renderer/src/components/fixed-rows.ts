/**
 * Which rows of a long list of rows of one height to draw: those in the scroller's view and a few
 * beyond each edge. Every row has the same height, so where a row is and which rows are in view
 * are simple arithmetic: nothing is kept per row, and a list of 10,000 jobs costs no more to place
 * than a list of ten.
 *
 * The scroller's height is learned from a ResizeObserver only (reading it at once would force a
 * layout of the whole window in the middle of the first render); until its first notice, right
 * after the first frame's layout and before its paint, the height given to the constructor is
 * assumed. Nothing is written to the scroller except by scrollToIndex.
 */

/** Rows `start` (inclusive) to `end` (exclusive). */
export interface RowRange {
  start: number;
  end: number;
}

export interface FixedRowsOptions {
  rowHeight: number;
  /** Rows drawn beyond each edge of the view. */
  overscan: number;
  /** The scroller's height until it is measured. */
  height: number;
  /** Called when the rows to draw change (the scroller scrolled or was resized). */
  onChange: () => void;
}

type Scroller = Pick<HTMLElement, 'scrollTop' | 'clientHeight' | 'scrollTo' | 'addEventListener' | 'removeEventListener'> & { ownerDocument: Document | null };

export class FixedRows {
  private count = 0;
  private top = 0;
  private height: number;
  /** The range last handed out by range(): what is drawn now. */
  private drawn: RowRange = { start: 0, end: 0 };

  constructor(private readonly opts: FixedRowsOptions) {
    this.height = opts.height;
  }

  setCount(count: number): void {
    this.count = Math.max(0, Math.floor(count));
  }

  /** The scroller's height as last measured (or as assumed until then). */
  viewportHeight(): number {
    return this.height;
  }

  totalSize(): number {
    return this.count * this.opts.rowHeight;
  }

  /** Where row `index` starts, from the top of the list. */
  startOf(index: number): number {
    return index * this.opts.rowHeight;
  }

  /** The rows to draw now; what it returns is taken to be drawn. */
  range(): RowRange {
    this.drawn = this.compute();
    return this.drawn;
  }

  private compute(): RowRange {
    const h = this.opts.rowHeight;
    // A list that got shorter may leave the scroller beyond its end until the browser moves it.
    const top = Math.max(0, Math.min(this.top, this.count * h - this.height));
    const start = Math.max(0, Math.min(this.count, Math.floor(top / h) - this.opts.overscan));
    const end = Math.min(this.count, Math.ceil((top + this.height) / h) + this.opts.overscan);
    return { start, end: Math.max(start, end) };
  }

  private changed(): void {
    const next = this.compute();
    if (next.start !== this.drawn.start || next.end !== this.drawn.end) this.opts.onChange();
  }

  /** Follows the scroller's position and height; returns the function that stops following. */
  attach(el: Scroller): () => void {
    const onScroll = (): void => {
      this.top = el.scrollTop;
      this.changed();
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    const RO = el.ownerDocument?.defaultView?.ResizeObserver;
    const observer = RO
      ? new RO(() => {
          // A scroller with no height (hidden, or a DOM without layout) keeps the height assumed.
          if (el.clientHeight > 0) this.height = el.clientHeight;
          this.changed();
        })
      : null;
    observer?.observe(el as unknown as Element);
    return () => {
      el.removeEventListener('scroll', onScroll);
      observer?.disconnect();
    };
  }

  /**
   * Scrolls the least that shows row `index` whole: nothing when it is in view, its top to the
   * view's top when it is above, its bottom to the view's bottom when it is below.
   */
  scrollToIndex(index: number, el: Scroller): void {
    if (this.count === 0) return;
    const i = Math.max(0, Math.min(this.count - 1, index));
    const h = this.opts.rowHeight;
    const height = el.clientHeight > 0 ? el.clientHeight : this.height;
    const top = el.scrollTop;
    const rowTop = i * h;
    let next: number;
    if (rowTop < top) next = rowTop;
    else if (rowTop + h > top + height) next = rowTop + h - height;
    else return;
    el.scrollTo({ top: next });
    this.top = next;
    this.changed();
  }
}
