/** The history view's timestamp reader (renderer/src/history/times.ts): exactly what Date.parse reads, for the one form the app writes. */
import { describe, expect, it } from 'vitest';
import { canonicalTime } from '../../renderer/src/history/times';
import { seededRandom } from '../helpers/seeded-random';

describe('canonical timestamps', () => {
  it('reads the canonical UTC form exactly as Date does, across the whole range', () => {
    const random = seededRandom(7);
    const edges = [-62_167_219_200_000, 253_402_300_799_999, 0, -1, 951_782_400_000, 951_868_799_999, 4_107_542_399_999, -2_203_891_200_001];
    const wrong: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      const ms = i < edges.length ? edges[i]! : Math.floor(-62_167_219_200_000 + random() * (253_402_300_799_999 + 62_167_219_200_000));
      const text = new Date(ms).toISOString();
      if (canonicalTime(text) !== ms) wrong.push(`${ms}: ${text} / ${canonicalTime(text)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('refuses anything that would not read back the same', () => {
    for (const text of [
      '2026-02-29T00:00:00.000Z',
      '1900-02-29T00:00:00.000Z',
      '2024-04-31T00:00:00.000Z',
      '2024-13-01T00:00:00.000Z',
      '2024-01-01T24:00:00.000Z',
      '2024-01-01T00:60:00.000Z',
      '2024-01-01T00:00:60.000Z',
      '2024-01-01 00:00:00.000Z',
      '2024-01-01T00:00:00.000+',
      '2024-01-01T00:00:00Z',
      '2024-01-01T00:00:00.000+01:00',
      '+012024-01-01T00:00:00.000Z',
      '2024-0a-01T00:00:00.000Z',
    ]) {
      expect(canonicalTime(text), text).toBeNull();
    }
    expect(canonicalTime('2024-02-29T23:59:59.999Z')).toBe(Date.parse('2024-02-29T23:59:59.999Z'));
  });
});
