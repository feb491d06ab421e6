/** Words and times of the History view: durations, bucket labels, printer and reason labels. */
import { t } from '../i18n/messages';
import { formatInt, lazy } from '../i18n/format';
import type { BucketSize } from './aggregate';

/** A duration in plain words: "45 s", "3 min 20 s", "2 h 5 min". */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return t.durationSeconds(formatInt(s));
  if (s < 3600) return t.durationMinutes(formatInt(Math.floor(s / 60)), formatInt(s % 60));
  return t.durationHours(formatInt(Math.floor(s / 3600)), formatInt(Math.floor((s % 3600) / 60)));
}

const hourFormat = lazy((tag) => new Intl.DateTimeFormat(tag, { dateStyle: 'short', timeStyle: 'short' }));
const dayFormat = lazy((tag) => new Intl.DateTimeFormat(tag, { dateStyle: 'medium' }));
const tickDay = lazy((tag) => new Intl.DateTimeFormat(tag, { month: 'short', day: 'numeric' }));
const tickTime = lazy((tag) => new Intl.DateTimeFormat(tag, { hour: 'numeric', minute: '2-digit' }));

/** The local hour or day a bar stands for, in the window's locale. */
export function formatBucket(start: number, size: BucketSize): string {
  return (size === 'hour' ? hourFormat() : dayFormat()).format(start);
}

/** Seconds in a day: the tick spacing from which a chart's time axis names days. */
const DAY_SECONDS = 86_400;

/**
 * The labels under a chart's time axis, in the window's locale (the chart library's own are
 * English: "3pm", "12/3"). `ticks`: the ticks' times in seconds; `spacing`: seconds between
 * them. Ticks a day or more apart, and a tick at local midnight, name the day; others the time.
 */
export function timeAxisLabels(ticks: readonly number[], spacing: number): string[] {
  return ticks.map((seconds) => {
    const at = new Date(seconds * 1000);
    const midnight = at.getHours() === 0 && at.getMinutes() === 0;
    return (spacing >= DAY_SECONDS || midnight ? tickDay() : tickTime()).format(at);
  });
}

export function printerLabel(printer: string | null): string {
  return printer ?? t.historyNoPrinter;
}

export function reasonLabel(reason: string | null): string {
  return reason ?? t.historyNoReason;
}
