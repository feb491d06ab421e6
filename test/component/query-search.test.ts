/** The search box: which jobs a search finds, case aside, within one field at a time. */
import { describe, expect, it } from 'vitest';
import type { UiSettings } from '../../preload/contract/model';
import { defaultUi } from '../../renderer/src/state/model-lite';
import { selectJobs } from '../../preload/contract/queue-view';
import { makeJob } from '../helpers/fake-bridge';

function searching(search: string): UiSettings {
  return { ...defaultUi(), view: 'all', search, sort: { key: 'document', dir: 'asc' } };
}

const keys = (jobs: { key: string }[]) => jobs.map((j) => j.key);

describe('search', () => {
  const jobs = [
    makeJob({ key: 'local:1', document: 'Quarterly REPORT.pdf', owner: 'ann@contoso.example', printer: 'HQ-2F' }),
    makeJob({ key: 'local:2', document: 'Invoice', owner: 'bob@contoso.example', printer: 'Mailroom', detail: 'Waiting for paper' }),
    makeJob({ key: 'local:3', document: 'ΟΔΟΣ', owner: null, printer: null }),
  ];

  it('finds a text in any searched field, whatever its case', () => {
    expect(keys(selectJobs(jobs, searching('report')))).toEqual(['local:1']);
    expect(keys(selectJobs(jobs, searching('bob@')))).toEqual(['local:2']);
    expect(keys(selectJobs(jobs, searching('hq-2f')))).toEqual(['local:1']);
    expect(keys(selectJobs(jobs, searching('paper')))).toEqual(['local:2']);
    expect(keys(selectJobs(jobs, searching('  MAILROOM ')))).toEqual(['local:2']);
    // Lower case as each field alone would be: a final sigma stays final.
    expect(keys(selectJobs(jobs, searching('οδος')))).toEqual(['local:3']);
  });

  it('never finds a text that only spans the end of one field and the start of the next', () => {
    // "Invoice" then "bob@…": "invoicebob" is in neither field.
    expect(keys(selectJobs(jobs, searching('invoicebob')))).toEqual([]);
    expect(keys(selectJobs(jobs, searching('invoice\u0000bob')))).toEqual([]);
    expect(keys(selectJobs(jobs, searching('pdf ann')))).toEqual([]);
  });

  it('judges a value many jobs share afresh for each search', () => {
    const many = Array.from({ length: 6 }, (_, i) => makeJob({ key: `local:m${i}`, document: `Doc ${i}`, owner: i % 2 ? 'ann@contoso.example' : 'bob@contoso.example', printer: 'HQ-2F' }));
    expect(keys(selectJobs(many, searching('ann@')))).toEqual(['local:m1', 'local:m3', 'local:m5']);
    expect(keys(selectJobs(many, searching('bob@')))).toEqual(['local:m0', 'local:m2', 'local:m4']);
    expect(keys(selectJobs(many, searching('hq-2')))).toHaveLength(6);
    expect(keys(selectJobs(many, searching('doc 3')))).toEqual(['local:m3']);
  });

  it('finds a job by its new text once it changed', () => {
    const before = makeJob({ key: 'local:9', document: 'Draft.docx' });
    expect(keys(selectJobs([before], searching('draft')))).toEqual(['local:9']);
    const after = { ...before, document: 'Final.docx' };
    expect(keys(selectJobs([after], searching('draft')))).toEqual([]);
    expect(keys(selectJobs([after], searching('final')))).toEqual(['local:9']);
    expect(keys(selectJobs([before], searching('draft')))).toEqual(['local:9']);
  });
});

describe('sorting by document', () => {
  it('places a job without a document name by the name its row shows ("ScriptX job 74"), in both directions', () => {
    const jobs = [
      makeJob({ key: 'local:1', document: 'Team rota.xlsx' }),
      makeJob({ key: 'local:74', nativeId: '74', document: null }),
      makeJob({ key: 'local:2', document: 'Invoice.pdf' }),
    ];
    const by = (dir: 'asc' | 'desc') => keys(selectJobs(jobs, { ...defaultUi(), view: 'all', sort: { key: 'document', dir } }));
    expect(by('asc')).toEqual(['local:2', 'local:74', 'local:1']);
    expect(by('desc')).toEqual(['local:1', 'local:74', 'local:2']);
  });
});
