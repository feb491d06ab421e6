/** The Windows spooler source keeps the one shape of a source folder (see ../shape-check.ts). */
import { describe, expect, it } from 'vitest';
import { shapeProblems } from '../shape-check';

describe('the Windows spooler source folder', () => {
  it('has the one shape: its modules, toSourceError/toActionFailure, shared helpers, the size limits', () => {
    // host.ts is its client: the one Windows PowerShell process it asks.
    const required = ['source.ts', 'context.ts', 'poll.ts', 'actions.ts', 'errors.ts', 'host.ts', 'states.ts', 'mapping.ts'];
    expect(shapeProblems('windows-spooler', required)).toEqual([]);
  });
});
