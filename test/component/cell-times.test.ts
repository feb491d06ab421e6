/**
 * The times the queue's cells show (formatTime): the time alone today, the weekday and the time
 * within the six days before, else the date alone; each short enough for its column
 * (test/e2e/layout.e2e.test.ts measures them drawn).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { formatDateTime, formatInt, formatTime, useFormatLocale } from '../../renderer/src/i18n/format';
import { formatBucket, timeAxisLabels } from '../../renderer/src/history/format';

/** Local times, as the user's clock reads them. */
const local = (y: number, mo: number, d: number, h: number, mi: number, s = 0) => new Date(y, mo - 1, d, h, mi, s);
const NOW = local(2026, 12, 3, 9, 30);
const iso = (d: Date) => d.toISOString();
const weekday = (d: Date) => new Intl.DateTimeFormat(undefined, { weekday: 'short' }).format(d);
const seconds = (d: Date) => String(d.getSeconds()).padStart(2, '0');

describe('a time in a queue cell', () => {
  it('is the time alone, with its seconds, today', () => {
    const at = local(2026, 12, 3, 0, 0, 47);
    const shown = formatTime(iso(at), NOW);
    expect(shown).toContain(seconds(at));
    expect(shown).not.toContain(weekday(at));
    expect(shown).not.toMatch(/2026|\b26\b/);
  });

  it('is the weekday and the time, without seconds, from the start of the sixth day before until now', () => {
    for (const at of [local(2026, 12, 2, 23, 59, 47), local(2026, 11, 30, 12, 0, 47), local(2026, 11, 27, 0, 0, 47)]) {
      const shown = formatTime(iso(at), NOW);
      expect(shown, at.toString()).toContain(weekday(at));
      expect(shown, at.toString()).not.toContain('47');
      expect(shown, at.toString()).not.toMatch(/2026|\b26\b/);
    }
  });

  it('is the date alone before that, and for a time ahead of the clock on another day', () => {
    for (const at of [local(2026, 11, 26, 23, 59, 47), local(2025, 12, 3, 9, 30, 47), local(2026, 12, 4, 8, 0, 47)]) {
      const shown = formatTime(iso(at), NOW);
      expect(shown, at.toString()).toBe(new Intl.DateTimeFormat(undefined, { dateStyle: 'short' }).format(at));
      expect(shown, at.toString()).not.toContain(weekday(at));
    }
  });

  it('is empty when unknown or unreadable, and whole in the tooltip text', () => {
    expect(formatTime(null, NOW)).toBe('');
    expect(formatTime('yesterday', NOW)).toBe('');
    const at = local(2026, 11, 30, 22, 58, 47);
    expect(formatDateTime(iso(at))).toContain('47');
  });
});

describe("the window's locale", () => {
  afterEach(() => useFormatLocale(undefined));

  it("is the system's regional format once the desktop names one, for every time and number", () => {
    const at = local(2026, 12, 3, 21, 5, 7);
    const before = formatTime(iso(at), NOW);
    useFormatLocale('de-DE');
    expect(formatTime(iso(at), NOW)).toBe('21:05:07');
    expect(formatTime(iso(local(2026, 11, 20, 8, 0)), NOW)).toBe('20.11.26');
    expect(formatDateTime(iso(at))).toBe('03.12.26, 21:05:07');
    expect(formatInt(1234567)).toBe('1.234.567');
    expect(formatBucket(at.getTime(), 'day')).toBe('03.12.2026');
    useFormatLocale('en-GB');
    expect(formatDateTime(iso(at))).toBe('03/12/2026, 21:05:07');
    expect(formatBucket(at.getTime(), 'day')).toBe('3 Dec 2026');
    // None, or one Intl does not take: the page's default again.
    useFormatLocale('not a locale');
    expect(formatTime(iso(at), NOW)).toBe(before);
  });
});

describe("the History charts' time axis", () => {
  afterEach(() => useFormatLocale(undefined));
  const s = (d: Date) => d.getTime() / 1000;

  it("names days and hours in the window's locale, the day at midnight", () => {
    useFormatLocale('de-DE');
    const ticks = [local(2026, 12, 2, 18, 0), local(2026, 12, 3, 0, 0), local(2026, 12, 3, 6, 0)].map(s);
    expect(timeAxisLabels(ticks, 6 * 3600)).toEqual(['18:00', '3. Dez.', '6:00']);
    expect(timeAxisLabels([local(2026, 11, 30, 0, 0), local(2026, 12, 1, 0, 0)].map(s), 86_400)).toEqual(['30. Nov.', '1. Dez.']);
    useFormatLocale('en-US');
    expect(timeAxisLabels(ticks, 6 * 3600)).toEqual(['6:00 PM', 'Dec 3', '6:00 AM']);
  });
});
