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

let made: { locale: string | undefined; hour: Intl.DateTimeFormat; day: Intl.DateTimeFormat } | null = null;

/** The local hour or day a bar stands for, in the window's locale (i18n/format.ts). */
export function formatBucket(start: number, size: BucketSize): string {
  const tag = formatLocale();
  if (!made || made.locale !== tag) made = { locale: tag, hour: new Intl.DateTimeFormat(tag, { dateStyle: 'short', timeStyle: 'short' }), day: new Intl.DateTimeFormat(tag, { dateStyle: 'medium' }) };
  return (size === 'hour' ? made.hour : made.day).format(start);
}

export function printerLabel(printer: string | null): string {
  return printer ?? t.historyNoPrinter;
}

export function reasonLabel(reason: string | null): string {
  return reason ?? t.historyNoReason;
}
