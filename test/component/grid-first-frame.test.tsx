// @vitest-environment happy-dom
/**
 * The grid's first frame draws the rows the window shows, and no more than a wheel turn beyond
 * them: before its rows' area is measured it assumes the window below the toolbar, summary strip
 * and column header (each row drawn and not seen costs the first frame its share).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { screen } from '@testing-library/preact';
import { makeJob } from '../helpers/fake-bridge';
import { FALLBACK_ROWS_HEIGHT, OVERSCAN_ROWS, ROW_HEIGHT, ROWS_TOP_ESTIMATE, initialRowsHeight } from '../../renderer/src/components/QueueGrid';
import { mount, unmount, type Mounted } from './harness';

let m: Mounted | undefined;
afterEach(() => {
  unmount(m);
  m = undefined;
});

describe('the grid before its first measurement', () => {
  it('assumes the rows take the window below the toolbar, summary strip and column header', () => {
    expect(initialRowsHeight({ innerHeight: 900 })).toBe(900 - ROWS_TOP_ESTIMATE);
  });

  it('falls back to a fixed size without a window, or in one too small to say', () => {
    expect(initialRowsHeight(null)).toBe(FALLBACK_ROWS_HEIGHT);
    expect(initialRowsHeight({ innerHeight: ROWS_TOP_ESTIMATE })).toBe(FALLBACK_ROWS_HEIGHT);
    expect(initialRowsHeight({ innerHeight: 0 })).toBe(FALLBACK_ROWS_HEIGHT);
  });

  it('draws the rows that fit there and OVERSCAN_ROWS more, of a long queue', async () => {
    m = await mount({ jobs: Array.from({ length: 500 }, (_, i) => makeJob({ key: `local:j${String(i).padStart(4, '0')}` })) });
    const shown = Math.ceil((window.innerHeight - ROWS_TOP_ESTIMATE) / ROW_HEIGHT);
    expect(screen.getAllByTestId('job-row')).toHaveLength(shown + OVERSCAN_ROWS);
  });
});
