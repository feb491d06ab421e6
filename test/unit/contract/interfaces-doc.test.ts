/**
 * docs/interfaces.md is the interface document the code follows: every request, event, error code,
 * secret name, job state, health status and source kind the code has is named there.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_NAMES, REQUEST_NAMES } from '../../../preload/contract/channels';
import { ERROR_CODES, HEALTH_STATUSES, JOB_STATES, PRINTER_STATES, SECRET_NAMES, SOURCE_KINDS } from '../../../preload/contract/model';

const doc = readFileSync(join(__dirname, '../../../docs/interfaces.md'), 'utf8');

describe('docs/interfaces.md', () => {
  it.each([
    ['request', REQUEST_NAMES],
    ['event', EVENT_NAMES],
    ['error code', ERROR_CODES],
    ['secret name', SECRET_NAMES],
    ['job state', JOB_STATES],
    ['health status', HEALTH_STATUSES],
    ['printer state', PRINTER_STATES],
    ['source kind', SOURCE_KINDS],
  ] as const)('names every %s', (_what, names) => {
    const missing = (names as readonly string[]).filter((n) => !new RegExp(`\\b${n.replace(/[-:]/g, (c) => `\\${c}`)}\\b`).test(doc));
    expect(missing).toEqual([]);
  });

  it('is the document the code cites', () => {
    expect(readFileSync(join(__dirname, '../../../preload/contract/model.ts'), 'utf8')).toContain('docs/interfaces.md');
  });
});
