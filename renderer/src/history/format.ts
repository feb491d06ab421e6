/** Words and times of the History view: durations, bucket labels, printer and reason labels. */
import { t } from '../i18n/messages';
import { formatInt, formatLocale } from '../i18n/format';
import type { BucketSize } from './aggregate';

/** A duration in plain words: "45 s", "3 min 20 s", "2 h 5 min". */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return t.durationSeconds(formatInt(s));
  if (s < 3600) return t.durationMinutes(formatInt(Math.floor(s / 60)), formatInt(s % 60));
  return t.durationHours(formatInt(Math.floor(s / 3600)), formatInt(Math.floor((s % 3600) / 60)));
}

interface Formats {
  locale: string | undefined;
  hour: Intl.DateTimeFormat;
  day: Intl.DateTimeFormat;
  tickDay: Intl.DateTimeFormat;
  tickTime: Intl.DateTimeFormat;
}
let made: Formats | null = null;

/** The History view's formatters, made afresh when the window's locale changes (i18n/format.ts). */
function formats(): Formats {
  const tag = formatLocale();
  if (!made || made.locale !== tag) {
    made = {
      locale: tag,
      hour: new Intl.DateTimeFormat(tag, { dateStyle: 'short', timeStyle: 'short' }),
      day: new Intl.DateTimeFormat(tag, { dateStyle: 'medium' }),
      tickDay: new Intl.DateTimeFormat(tag, { month: 'short', day: 'numeric' }),
      tickTime: new Intl.DateTimeFormat(tag, { hour: 'numeric', minute: '2-digit' }),
    };
  }
  return made;
}

/** The local hour or day a bar stands for, in the window's locale. */
export function formatBucket(start: number, size: BucketSize): string {
  const f = formats();
  return (size === 'hour' ? f.hour : f.day).format(start);
}

/** Seconds in a day: the tick spacing from which a chart's time axis names days. */
const DAY_SECONDS = 86_400;

/**
 * The labels under a chart's time axis, in the window's locale (the chart library's own are
 * English: "3pm", "12/3"). `ticks`: the ticks' times in seconds; `spacing`: seconds between
 * them. Ticks a day or more apart, and a tick at local midnight, name the day; others the time.
 */
export function timeAxisLabels(ticks: readonly number[], spacing: number): string[] {
  const f = formats();
  return ticks.map((seconds) => {
    const at = new Date(seconds * 1000);
    const midnight = at.getHours() === 0 && at.getMinutes() === 0;
    return (spacing >= DAY_SECONDS || midnight ? f.tickDay : f.tickTime).format(at);
  });
}

export function printerLabel(printer: string | null): string {
  return printer ?? t.historyNoPrinter;
}

export function reasonLabel(reason: string | null): string {
  return reason ?? t.historyNoReason;
}
