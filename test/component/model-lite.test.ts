/** The window's zod-free copy of the default view choices stays equal to preload/contract/model's. */
import { describe, expect, it } from 'vitest';
import { COLUMN_WIDTH_MAX, COLUMN_WIDTH_MIN, UiSettings } from '../../preload/contract/model';
import { defaultUi } from '../../renderer/src/state/model-lite';
import * as columns from '../../renderer/src/state/columns';

describe('model-lite', () => {
  it('starts from the same view choices as an empty settings file, a fresh copy each time', () => {
    expect(defaultUi()).toEqual(UiSettings.parse({}));
    const a = defaultUi();
    a.sourceFilter.push('x');
    expect(defaultUi().sourceFilter).toEqual([]);
  });

  it('bounds column widths as the settings schema does', () => {
    expect([columns.COLUMN_WIDTH_MIN, columns.COLUMN_WIDTH_MAX]).toEqual([COLUMN_WIDTH_MIN, COLUMN_WIDTH_MAX]);
    expect(columns.DEFAULT_COLUMNS).toEqual(UiSettings.parse({}).columns);
  });
});
