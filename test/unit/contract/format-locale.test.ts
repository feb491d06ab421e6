/**
 * The system's regional format, from main to the window (preload/contract/format-locale.ts): main
 * writes one switch into the window's additional arguments, the preload reads it back from the
 * renderer's argv; anything Intl does not take is dropped on both sides, never passed on.
 */
import { describe, expect, it } from 'vitest';
import { canonicalLocale, formatLocaleArguments, formatLocaleFromArgv, FORMAT_LOCALE_SWITCH } from '../../../preload/contract/format-locale';

describe('the regional format handed to the window', () => {
  it('is a canonical BCP 47 tag, POSIX spellings included', () => {
    expect(canonicalLocale('en-GB')).toBe('en-GB');
    expect(canonicalLocale('en_gb')).toBe('en-GB');
    expect(canonicalLocale('de')).toBe('de');
    expect(canonicalLocale('sr-Latn-RS')).toBe('sr-Latn-RS');
    expect(canonicalLocale('en-US-u-hc-h23')).toBe('en-US-u-hc-h23');
  });

  it('is nothing for what Intl does not take or what cannot be a tag', () => {
    for (const bad of ['', 'en GB', 'en-GB;rm -rf', 'e', '12-34', 'x'.repeat(81), 'en-', '--pqm', null, undefined, 42, {}]) expect(canonicalLocale(bad), String(bad)).toBeNull();
  });

  it('goes out as one switch, or none', () => {
    expect(formatLocaleArguments('en_GB')).toEqual([`${FORMAT_LOCALE_SWITCH}en-GB`]);
    expect(formatLocaleArguments('')).toEqual([]);
    expect(formatLocaleArguments(undefined)).toEqual([]);
  });

  it("comes back from the renderer's argv, the last switch counting, a bad one dropped", () => {
    const argv = ['C:\\Program Files\\Print Queue Monitor\\Print Queue Monitor.exe', '--type=renderer', ...formatLocaleArguments('fr-FR')];
    expect(formatLocaleFromArgv(argv)).toBe('fr-FR');
    expect(formatLocaleFromArgv([...argv, `${FORMAT_LOCALE_SWITCH}de-DE`])).toBe('de-DE');
    expect(formatLocaleFromArgv([...argv, `${FORMAT_LOCALE_SWITCH}not a locale`])).toBeUndefined();
    expect(formatLocaleFromArgv(['--type=renderer', 7, null])).toBeUndefined();
    expect(formatLocaleFromArgv([])).toBeUndefined();
  });
});
