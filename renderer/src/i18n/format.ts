/**
 * Times and numbers in the user's locale, through Intl only: on the desktop the system's regional
 * format that main hands over (useFormatLocale, preload/contract/format-locale.ts), in a browser the
 * browser's own. Each formatter is made the first time it is needed: making one loads locale data,
 * and the window's first frame needs only a few.
 */
import { canonicalLocale } from '../../../preload/contract/format-locale';

/** The locale every formatter here is made for; undefined: the page's default. */
let locale: string | undefined;
const made: (() => void)[] = [];

/**
 * A formatter made the first time it is needed, for the window's locale, and made afresh after
 * the locale changes (useFormatLocale). Every formatter of the window is one of these.
 */
export function lazy<T>(make: (tag: string | undefined) => T): () => T {
  let value: T | undefined;
  made.push(() => (value = undefined));
  return () => (value ??= make(locale));
}

/**
 * Formats from now on in `tag` (a BCP 47 tag; undefined or one Intl does not take: the page's
 * default). Called before the first formatter is made (early.ts); a later call makes them afresh.
 */
export function useFormatLocale(tag: string | undefined): void {
  const next = canonicalLocale(tag) ?? undefined;
  if (next === locale) return;
  locale = next;
  for (const forget of made) forget();
}

const dateTime = lazy((tag) => new Intl.DateTimeFormat(tag, { dateStyle: 'short', timeStyle: 'medium' }));
const timeOnly = lazy((tag) => new Intl.DateTimeFormat(tag, { timeStyle: 'medium' }));
const weekdayTime = lazy((tag) => new Intl.DateTimeFormat(tag, { weekday: 'short', hour: 'numeric', minute: '2-digit' }));
const dateShort = lazy((tag) => new Intl.DateTimeFormat(tag, { dateStyle: 'short' }));
const dateOnly = lazy((tag) => new Intl.DateTimeFormat(tag, { dateStyle: 'medium' }));
const weekdayDateTime = lazy((tag) => new Intl.DateTimeFormat(tag, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }));
const integer = lazy((tag) => new Intl.NumberFormat(tag, { maximumFractionDigits: 0 }));
const percent = lazy((tag) => new Intl.NumberFormat(tag, { style: 'percent', maximumFractionDigits: 0 }));
const threeDigits = lazy((tag) => new Intl.NumberFormat(tag, { minimumSignificantDigits: 3, maximumSignificantDigits: 3 }));

function parse(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * A timestamp as the queue's cells show it, short enough for its column (the grid
 * never cuts a time): the time alone when it is today; the weekday and the time within the six
 * days before (a job stuck since yesterday); else the date alone. The whole date and time is the
 * cell's tooltip (formatDateTime). Empty when unknown.
 */
export function formatTime(iso: string | null | undefined, now: Date = new Date()): string {
  const d = parse(iso);
  if (!d) return '';
  if (d.toDateString() === now.toDateString()) return timeOnly().format(d);
  const weekAgo = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 6);
  return d >= weekAgo && d < now ? weekdayTime().format(d) : dateShort().format(d);
}

export function formatDateTime(iso: string | null | undefined): string {
  const d = parse(iso);
  return d ? dateTime().format(d) : '';
}

export function formatDate(iso: string | null | undefined): string {
  const d = parse(iso);
  return d ? dateOnly().format(d) : '';
}

/** Where a period starts (ms since the epoch), to the minute with its weekday: "Mon 30 Nov, 00:00". */
export function formatPeriodStart(ms: number): string {
  return weekdayDateTime().format(ms);
}

export const formatInt = (n: number): string => integer().format(n);
/**
 * A number of things as a message needs it: the number itself, for the message to choose its
 * words by (one job, two jobs: each language by its own plural rules), and its text in the user's
 * format.
 */
export interface Count {
  readonly n: number;
  readonly text: string;
}
export const count = (n: number): Count => ({ n, text: formatInt(n) });
export const formatPercent = (fraction: number): string => percent().format(fraction);
/** Binary units, as Windows names them. */
const SIZE_UNITS = ['KB', 'MB', 'GB', 'TB'] as const;

/**
 * A size as Windows writes one in its print queue and a file's properties: bytes under 1,000,
 * else kilobytes, megabytes, gigabytes or terabytes of 1,024 with three significant digits
 * ("12.0 KB", "325 KB", "2.38 MB"), the number in the user's format. Empty for no size.
 */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '';
  if (n < 1000) return `${integer().format(n)} ${n === 1 ? 'byte' : 'bytes'}`;
  let value = n / 1024;
  let unit = 0;
  // 999.5 and over would read "1,000" at three digits: the next unit's "0.977" instead.
  while (value >= 999.5 && unit < SIZE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  // Past the last unit, whole numbers: three digits of 2,048 TB would read "2,050".
  return `${(value >= 999.5 ? integer() : threeDigits()).format(value)} ${SIZE_UNITS[unit]}`;
}

/** Makes the formatters the queue's rows use now (loading the locale data), not at the first row. */
export function prepareFormatters(): void {
  timeOnly();
  dateTime();
  integer();
  percent();
}
