/**
 * Times and numbers in the user's locale, through Intl only. Each formatter is made the first time
 * it is needed: making one loads locale data, and the window's first frame needs only a few.
 */
function lazy<T>(make: () => T): () => T {
  let made: T | undefined;
  return () => (made ??= make());
}

const dateTime = lazy(() => new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' }));
const timeOnly = lazy(() => new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' }));
const weekdayTime = lazy(() => new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: 'numeric', minute: '2-digit' }));
const dateShort = lazy(() => new Intl.DateTimeFormat(undefined, { dateStyle: 'short' }));
const dateOnly = lazy(() => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }));
const integer = lazy(() => new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 }));
const percent = lazy(() => new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 0 }));
const bytes = lazy(() => new Intl.NumberFormat(undefined, { notation: 'compact', style: 'unit', unit: 'byte', unitDisplay: 'narrow' }));

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

export const formatInt = (n: number): string => integer().format(n);
export const formatPercent = (fraction: number): string => percent().format(fraction);
export const formatBytes = (n: number): string => bytes().format(n);

/** Makes the formatters the queue's rows use now (loading the locale data), not at the first row. */
export function prepareFormatters(): void {
  timeOnly();
  dateTime();
  integer();
  percent();
}
