// @vitest-environment happy-dom
/**
 * The grid's first render writes no scroll position (a write there would force a layout of the
 * whole window), yet every later move, including back to the top, still scrolls.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, fireEvent, screen } from '@testing-library/preact';
import { makeJob } from '../helpers/fake-bridge';
import { ROW_HEIGHT } from '../../renderer/src/components/QueueGrid';
import { mount, unmount, type Mounted } from './harness';

let m: Mounted | undefined;
afterEach(() => {
  unmount(m);
  m = undefined;
  vi.restoreAllMocks();
});

function jobs(n: number) {
  return Array.from({ length: n }, (_, i) => makeJob({ key: `local:j${String(i).padStart(4, '0')}`, updatedAt: new Date(Date.UTC(2026, 2, 2, 10, 0, 0) - i * 1000).toISOString() }));
}

function topsWritten(spy: { mock: { calls: unknown[][] } }): number[] {
  return spy.mock.calls.map((c) => (c[0] as { top?: number }).top ?? Number.NaN);
}

/** happy-dom lays nothing out: give the scroller the sizes a browser would. */
function givenLayout(body: HTMLElement, rows: number): void {
  Object.defineProperty(body, 'clientHeight', { configurable: true, value: 640 });
  Object.defineProperty(body, 'scrollHeight', { configurable: true, value: rows * ROW_HEIGHT });
}

/** Lets scroll writes the virtualizer schedules for the next frames happen. */
const frames = () => act(() => new Promise<void>((resolve) => setTimeout(resolve, 60)));

describe('grid scrolling', () => {
  it('does not scroll a new grid to where it already is, the top', async () => {
    const scrollTo = vi.spyOn(HTMLElement.prototype, 'scrollTo');
    m = await mount({ jobs: jobs(500) });
    expect(screen.getAllByTestId('job-row').length).toBeGreaterThan(0);
    expect(topsWritten(scrollTo)).toEqual([]);
  });

  it('rows are reachable in the scroll area but a click leaves the focus on the grid', async () => {
    m = await mount({ jobs: jobs(20) });
    const row = screen.getAllByTestId('job-row')[2]!;
    expect(row.getAttribute('tabindex')).toBe('-1');
    fireEvent.mouseDown(row, { button: 0 });
    expect(document.activeElement).toBe(screen.getByRole('grid'));
    expect(row.getAttribute('aria-selected')).toBe('true');
  });

  it('still scrolls to the end and back to the top from the keyboard', async () => {
    const scrollTo = vi.spyOn(HTMLElement.prototype, 'scrollTo');
    m = await mount({ jobs: jobs(500) });
    givenLayout(m.container.querySelector<HTMLElement>('.grid-body')!, 500);
    const grid = screen.getByRole('grid');
    fireEvent.keyDown(grid, { key: 'End' });
    await frames();
    const tops = topsWritten(scrollTo);
    expect(tops.length).toBeGreaterThan(0);
    expect(tops[tops.length - 1]).toBeGreaterThan(0);
    fireEvent.keyDown(grid, { key: 'Home' });
    await frames();
    expect(topsWritten(scrollTo).at(-1)).toBe(0);
  });

  it('scrolls back to the top after the user scrolled the list by hand', async () => {
    const scrollTo = vi.spyOn(HTMLElement.prototype, 'scrollTo');
    m = await mount({ jobs: jobs(500) });
    const body = m.container.querySelector<HTMLElement>('.grid-body')!;
    givenLayout(body, 500);
    act(() => {
      body.scrollTop = 3200;
      body.dispatchEvent(new Event('scroll'));
    });
    fireEvent.keyDown(screen.getByRole('grid'), { key: 'Home' });
    await frames();
    expect(topsWritten(scrollTo)).toContain(0);
  });
});
