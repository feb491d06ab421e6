/**
 * Edits not saved yet: each settings tab says whether its form differs from the saved settings,
 * and the panel asks before closing drops them (SettingsPanel.tsx).
 */
import { useContext, useLayoutEffect } from 'preact/hooks';
import { TabPlaceContext } from './fields';

/** Tells the settings panel whether this form holds edits not saved yet (none once it is gone). */
export function useUnsaved(unsaved: boolean): void {
  const report = useContext(TabPlaceContext).unsaved;
  useLayoutEffect(() => report(unsaved), [unsaved, report]);
  useLayoutEffect(() => () => report(false), [report]);
}

/** A value written with its keys in order, so that two equal settings read the same. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  return v;
}

/** Whether two settings values are the same, whatever the order of their keys. */
export function sameSettings(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** Whether a typed number says what the saved one does ("2.50" for 2.5). */
export function sameNumber(typed: string, saved: string): boolean {
  const text = typed.trim();
  return text === saved || (text !== '' && Number(text) === Number(saved));
}
