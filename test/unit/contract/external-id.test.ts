/** Job ids handed in from outside (Track dialog, CLI, deep links): what the contract lets through. */
import { describe, expect, it } from 'vitest';
import { ExternalJobId } from '../../../preload/contract/contract';

const refusal = (id: string) => {
  const r = ExternalJobId.safeParse(id);
  return r.success ? null : r.error.issues[0]!.message;
};

describe('ExternalJobId', () => {
  it("takes plain ids and tokens, and Universal Print's <share or printer id>/<job id>", () => {
    for (const id of ['{7A3C-token}', 'job-1', '31', 's3/31', '9e0a1f2c-3d4e/5f60-a1b2', 'a'.repeat(200)]) expect(refusal(id), id).toBeNull();
  });

  it('refuses more than one /, an empty or dot part, and path or query characters', () => {
    const slash = 'the id has more than one /, or nothing (or a dot) on one side of it';
    const chars = 'the id contains a control character or one of \\ ? #';
    const cases: [string, string][] = [
      ['a/b/c', slash],
      ['abc/../x', slash],
      ['/31', slash],
      ['s3/', slash],
      [' /31', slash],
      ['./31', slash],
      ['s3/..', slash],
      ['a\\b', chars],
      ['a?b', chars],
      ['a#b', chars],
      ['a\nb', chars],
      ['', 'the id is empty'],
      ['.', 'the id cannot be "." or ".." or only spaces'],
      ['..', 'the id cannot be "." or ".." or only spaces'],
      ['   ', 'the id cannot be "." or ".." or only spaces'],
      ['a'.repeat(201), 'the id is longer than 200 characters'],
    ];
    for (const [id, message] of cases) expect(refusal(id), JSON.stringify(id)).toBe(message);
  });
});
