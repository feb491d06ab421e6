/**
 * The times the queue's cells show (formatTime): the time alone today, the weekday and the time
 * within the six days before, else the date alone; each short enough for its column
 * (test/e2e/layout.e2e.test.ts measures them drawn).
 */
import { describe, expect, it } from 'vitest';
import { formatDateTime, formatTime } from '../../renderer/src/i18n/format';

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
