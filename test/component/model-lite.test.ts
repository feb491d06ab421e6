/** The window's zod-free copies of model values stay equal to preload/model's. */
import { describe, expect, it } from 'vitest';
import { JOB_STATES as MODEL_STATES, UiSettings, isFinal as modelIsFinal } from '../../preload/model';
import { JOB_STATES, defaultUi, isFinal } from '../../renderer/src/state/model-lite';

describe('model-lite', () => {
  it('lists the same job states in the same order', () => {
    expect(JOB_STATES).toEqual(MODEL_STATES);
  });

  it('calls the same jobs final, gone or not', () => {
    for (const state of MODEL_STATES) {
      for (const gone of [false, true]) expect(isFinal({ state, gone }), `${state}, gone=${gone}`).toBe(modelIsFinal({ state, gone }));
    }
  });

  it('starts from the same view choices as an empty settings file, a fresh copy each time', () => {
    expect(defaultUi()).toEqual(UiSettings.parse({}));
    const a = defaultUi();
    a.sourceFilter.push('x');
    expect(defaultUi().sourceFilter).toEqual([]);
  });
});
