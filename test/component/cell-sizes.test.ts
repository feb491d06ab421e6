/**
 * Sizes as Windows writes them in its print queue and a file's properties (formatBytes): bytes
 * under 1,000, else units of 1,024 with three significant digits, never "1,000" of a unit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { formatBytes, useFormatLocale } from '../../renderer/src/i18n/format';

describe('a size', () => {
  afterEach(() => useFormatLocale(undefined));

  it('reads as Windows reads it', () => {
    useFormatLocale('en-US');
    const cases: [number, string][] = [
      [0, '0 bytes'],
      [1, '1 byte'],
      [999, '999 bytes'],
      [1000, '0.977 KB'],
      [2048, '2.00 KB'],
      [12_288, '12.0 KB'],
      [333_000, '325 KB'],
      [1_023_487, '999 KB'],
      [1_023_488, '0.976 MB'],
      [2_500_000, '2.38 MB'],
      [5 * 1024 ** 3, '5.00 GB'],
      [3 * 1024 ** 4, '3.00 TB'],
      [2 * 1024 ** 5, '2,048 TB'],
    ];
    expect(cases.map(([n]) => formatBytes(n))).toEqual(cases.map(([, s]) => s));
  });

  it('writes its number in the regional format, and nothing for no size', () => {
    useFormatLocale('de-DE');
    expect(formatBytes(2_500_000)).toBe('2,38 MB');
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) expect(formatBytes(bad)).toBe('');
  });
});
