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
const dateOnly = lazy(() => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }));
const integer = lazy(() => new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 }));
const percent = lazy(() => new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 0 }));
const bytes = lazy(() => new Intl.NumberFormat(undefined, { notation: 'compact', style: 'unit', unit: 'byte', unitDisplay: 'narrow' }));

function parse(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** A timestamp: the time alone when it is today, else date and time. Empty when unknown. */
export function formatTime(iso: string | null | undefined, now: Date = new Date()): string {
  const d = parse(iso);
  if (!d) return '';
  return d.toDateString() === now.toDateString() ? timeOnly().format(d) : dateTime().format(d);
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
