/**
 * Every source folder keeps the one shape (test/sources/shape-check.ts): source, context, poll,
 * actions and errors modules (plus what the source has: tracked, printing, mapping, its client and
 * state table), errors mapped by toSourceError / toActionFailure, the shared helpers instead of its
 * own copies, no file over 400 lines and no function over 150. The ScriptX and Windows spooler
 * folders have tests of their own with more to check.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SOURCES_DIR, shapeProblems } from './shape-check';

const COMMON = ['source.ts', 'context.ts', 'poll.ts', 'actions.ts', 'errors.ts', 'states.ts'];
const REQUIRED: Record<string, string[]> = {
  scriptx: [...COMMON, 'tracked.ts', 'printing.ts', 'service.ts', 'client.ts', 'mapping.ts'],
  graph: [...COMMON, 'tracked.ts', 'printing.ts', 'client.ts', 'mapping.ts'],
  aodocs: [...COMMON, 'tracked.ts', 'client.ts'],
  ipp: [...COMMON, 'client.ts', 'mapping.ts'],
  'windows-spooler': [...COMMON, 'host.ts', 'mapping.ts'],
};

describe('the source folders', () => {
  const kinds = readdirSync(SOURCES_DIR).filter((f) => statSync(join(SOURCES_DIR, f)).isDirectory());

  it('are the kinds this test knows (a new kind states its modules here)', () => {
    expect(kinds.sort()).toEqual(Object.keys(REQUIRED).sort());
  });

  for (const kind of Object.keys(REQUIRED)) {
    it(`${kind}: has the one shape`, () => {
      expect(shapeProblems(kind, REQUIRED[kind])).toEqual([]);
    });
  }
});
