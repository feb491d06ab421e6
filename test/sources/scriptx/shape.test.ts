/**
 * The ScriptX source keeps the one shape of a source folder, and names MeadCo's job status codes
 * instead of comparing with bare numbers; the names are checked against MeadCo's own client.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JOB_STATUS, STATUS_NAMES } from '../../../main/sources/scriptx/states';
import { shapeProblems, sourceFiles } from '../shape-check';

const MEADCO_CLIENT = resolve(import.meta.dirname, '../../../node_modules/scriptxprint-html/src/meadco-scriptxprint.js');
/** Where MeadCo's client spells a status otherwise than the API reference (JobStatus) does. */
const MEADCO_SPELLING: Record<string, string> = { PRINTPDF: 'PrintingPdf', ERROR: 'ItemError', CODEEXEPTION: 'CodeException' };

describe('the ScriptX source folder', () => {
  it('has the one shape: its modules, toSourceError/toActionFailure, shared helpers, the size limits', () => {
    const required = ['source.ts', 'context.ts', 'poll.ts', 'actions.ts', 'tracked.ts', 'printing.ts', 'service.ts', 'errors.ts', 'client.ts', 'states.ts', 'mapping.ts'];
    expect(shapeProblems('scriptx', required)).toEqual([]);
  });

  it('compares job statuses with the named codes of states.ts, never with bare numbers', () => {
    const literal = [
      // answer.status === 5 (an HTTP status, err.status === 404, is not a job status)
      /(?<!\berr|\blastErr|\bdev)\.status\s*(?:===|!==|<=|>=|<|>)\s*-?\d/,
      /\b(?:code|statusCode)\s*(?:===|!==|<=|>=|<|>)\s*-?\d/,
      // toSourceJob(e, { status: 0 }) or { status: e.code ?? 0 }
      /\{\s*status:\s*(?:[\w.]+\s*\?\?\s*)?-?\d/,
      /\b(?:CODES|codes)\b[^\n]*new Set\(\[\s*-?\d/,
    ];
    const found = sourceFiles('scriptx')
      .filter((f) => f.name !== 'states.ts')
      .flatMap((f) => f.text.split('\n').flatMap((line, i) => (literal.some((re) => re.test(line)) ? [`${f.name}:${i + 1}: ${line.trim()}`] : [])));
    expect(found).toEqual([]);
  });

  it("names every status code of MeadCo's client (enumPrintStatus) with the same number", () => {
    const src = readFileSync(MEADCO_CLIENT, 'utf8');
    const doc = /@typedef \{number\} PrintStatus([\s\S]*?)\*\//.exec(src)?.[1];
    expect(doc, 'the PrintStatus documentation in meadco-scriptxprint.js').toBeTruthy();
    const meadco = [...doc!.matchAll(/@property \{number\} (\w+) (-?\d+)/g)].map(([, name, code]) => [MEADCO_SPELLING[name] ?? name, Number(code)] as const);
    expect(meadco.length).toBeGreaterThanOrEqual(14);
    const ours = Object.entries(JOB_STATUS).map(([name, code]) => [name.toUpperCase(), code]);
    expect(ours.sort()).toEqual(meadco.map(([name, code]) => [name.toUpperCase(), code]).sort());
    for (const [name, code] of Object.entries(JOB_STATUS)) expect(STATUS_NAMES[code]).toBe(name);
  });
});
