/** The window's zod-free copy of the default view choices stays equal to preload/contract/model's. */
import { describe, expect, it } from 'vitest';
import { UiSettings } from '../../preload/contract/model';
import { defaultUi } from '../../renderer/src/state/model-lite';

describe('model-lite', () => {
  it('starts from the same view choices as an empty settings file, a fresh copy each time', () => {
    expect(defaultUi()).toEqual(UiSettings.parse({}));
    const a = defaultUi();
    a.sourceFilter.push('x');
    expect(defaultUi().sourceFilter).toEqual([]);
  });
});
