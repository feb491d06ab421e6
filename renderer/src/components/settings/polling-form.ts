/**
 * The polling settings as the form shows them: intervals and the longest back-off in seconds
 * (stored in milliseconds, as the settings file has them), the slow-down factor and the stuck time
 * as they are. Every bound is the settings schema's, said in seconds.
 */
import { PollingSettings, SOURCE_KINDS, type PollingSettings as PollingSettingsT } from '../../../../preload/contract/model';
import { t } from '../../i18n/messages';
import type { Count } from '../../i18n/format';
import type { Errors } from './fields';

export type PollingForm = Record<string, string>;

/** The form's fields that are stored in milliseconds. */
const IN_MS = new Set([...SOURCE_KINDS.flatMap((k) => [`${k}.activeMs`, `${k}.idleMs`]), 'maxBackoffMs']);

const seconds = (ms: number): string => String(ms / 1000);
/** A bound in milliseconds as a number of seconds for a message. */
const secondsCount = (ms: number): Count => ({ n: ms / 1000, text: seconds(ms) });

export function pollingToForm(p: PollingSettingsT): PollingForm {
  const form: PollingForm = {};
  for (const k of SOURCE_KINDS) {
    form[`${k}.activeMs`] = seconds(p[k].activeMs);
    form[`${k}.idleMs`] = seconds(p[k].idleMs);
  }
  form.hiddenFactor = String(p.hiddenFactor);
  form.stuckAfterMinutes = String(p.stuckAfterMinutes);
  form.maxBackoffMs = seconds(p.maxBackoffMs);
  return form;
}

/** What the schema said of a field stored in milliseconds, in seconds. */
function inSeconds(issue: { code: string; message: string; minimum?: unknown; maximum?: unknown }): string {
  if (issue.code === 'too_small' && typeof issue.minimum === 'number') return t.pollingSecondsAtLeast(secondsCount(issue.minimum));
  if (issue.code === 'too_big' && typeof issue.maximum === 'number') return t.pollingSecondsAtMost(secondsCount(issue.maximum));
  return t.pollingSecondsNumber;
}

/**
 * The polling settings the form describes, over `current` (what the form does not show, such as
 * ScriptX's request budget, is kept), or the reasons at the form's fields.
 */
export function pollingFromForm(values: PollingForm, current: PollingSettingsT): { ok: true; value: PollingSettingsT } | { ok: false; errors: Errors } {
  const num = (k: string): number => {
    const text = values[k]?.trim() ?? '';
    if (text === '') return Number.NaN;
    const n = Number(text);
    return IN_MS.has(k) ? Math.round(n * 1000) : n;
  };
  const candidate: Record<string, unknown> = { ...current, hiddenFactor: num('hiddenFactor'), stuckAfterMinutes: num('stuckAfterMinutes'), maxBackoffMs: num('maxBackoffMs') };
  for (const k of SOURCE_KINDS) candidate[k] = { ...current[k], activeMs: num(`${k}.activeMs`), idleMs: num(`${k}.idleMs`) };
  const parsed = PollingSettings.safeParse(candidate);
  if (parsed.success) return { ok: true, value: parsed.data };
  const errors: Errors = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path.slice(0, 2).map(String).join('.') || 'form';
    errors[field] ??= IN_MS.has(field) ? inSeconds(issue as never) : issue.message;
  }
  return { ok: false, errors };
}
