import { describe, expect, it } from 'vitest';
import { parseDeepLink } from '../../../main/desktop/deep-link';
import { readLaunchArgs, secondInstanceArgv, secondInstanceData } from '../../../main/desktop/argv';

const known = (id: string) => ['local', 'up', 'ao'].includes(id);

describe('parseDeepLink', () => {
  it('accepts track and open links', () => {
    expect(parseDeepLink('print-queue-monitor://track?source=local&id={A1B2}&kind=pdf', known)).toEqual({ ok: true, link: { action: 'track', sourceId: 'local', id: '{A1B2}', kind: 'pdf' } });
    expect(parseDeepLink('print-queue-monitor://track/?source=ao&id=job-1', known)).toEqual({ ok: true, link: { action: 'track', sourceId: 'ao', id: 'job-1' } });
    // What the page that printed knows: the document and the printer.
    expect(parseDeepLink('print-queue-monitor://track?source=local&id=72&title=Invoice%20552.pdf&printer=HP%20LaserJet%20%231', known)).toEqual({
      ok: true,
      link: { action: 'track', sourceId: 'local', id: '72', title: 'Invoice 552.pdf', printer: 'HP LaserJet #1' },
    });
    // Universal Print's job locator: the share, then the job.
    expect(parseDeepLink('print-queue-monitor://track?source=up&id=s3%2F31', known)).toEqual({ ok: true, link: { action: 'track', sourceId: 'up', id: 's3/31' } });
    expect(parseDeepLink('PRINT-QUEUE-MONITOR://open?key=up:printer-1%2Fjob-9', known)).toEqual({ ok: true, link: { action: 'open', key: 'up:printer-1/job-9' } });
    expect(parseDeepLink('print-queue-monitor://open?key=local:tok:with:colons', known)).toEqual({ ok: true, link: { action: 'open', key: 'local:tok:with:colons' } });
  });

  const hostile: [string, unknown, RegExp][] = [
    ['empty', '', /empty/],
    ['not a string', 42, /empty/],
    ['too long', `print-queue-monitor://track?source=local&id=${'a'.repeat(1100)}`, /longer than 1024/],
    ['other scheme', 'https://track?source=local&id=1', /not a print-queue-monitor: link/],
    ['no slashes', 'print-queue-monitor:track?source=local&id=1', /must start with/],
    ['space injection', 'print-queue-monitor://track?source=local&id=1 --inspect', /spaces or control/],
    ['encoded NUL', 'print-queue-monitor://track?source=local&id=a%00b', /encoded control/],
    ['encoded backslash', 'print-queue-monitor://track?source=local&id=..%5C..%5Cx', /encoded control character or backslash/],
    ['credentials', 'print-queue-monitor://user:pw@track?source=local&id=1', /user name or password/],
    ['port', 'print-queue-monitor://track:8080?source=local&id=1', /port/],
    ['fragment', 'print-queue-monitor://track?source=local&id=1#x', /fragment/],
    ['unknown action', 'print-queue-monitor://delete?source=local&id=1', /"delete" is not an action/],
    ['extra path', 'print-queue-monitor://track/evil?source=local&id=1', /path after the action/],
    ['duplicate parameter', 'print-queue-monitor://track?source=local&source=up&id=1', /appears twice/],
    ['unknown parameter', 'print-queue-monitor://track?source=local&id=1&baseUrl=https://evil', /not a parameter/],
    ['URL as value', 'print-queue-monitor://open?key=local:https://evil.example', /is a URL/],
    ['missing id', 'print-queue-monitor://track?source=local', /"id" is missing/],
    ['unknown source', 'print-queue-monitor://track?source=evil&id=1', /no source "evil"/],
    ['bad source id', 'print-queue-monitor://track?source=Local_1&id=1', /source id is not valid/],
    ['a path in the id', 'print-queue-monitor://track?source=local&id=..%2F..%2Fetc', /the job id is not valid: the id has more than one \//],
    ['a dot part in the id', 'print-queue-monitor://track?source=up&id=..%2F31', /the job id is not valid: the id has more than one \/, or nothing \(or a dot\)/],
    ['".." as the id', 'print-queue-monitor://track?source=ao&id=..', /the job id is not valid: the id cannot be "." or ".."/],
    ['"." as the id', 'print-queue-monitor://track?source=ao&id=%2E', /the job id is not valid: the id cannot be "." or ".."/],
    ['bad kind', 'print-queue-monitor://track?source=local&id=1&kind=exe', /kind must be html or pdf/],
    ['an empty title', 'print-queue-monitor://track?source=local&id=1&title=%20', /the title is not valid: the text is empty/],
    ['a huge printer name', `print-queue-monitor://track?source=local&id=1&printer=${'p'.repeat(301)}`, /the printer is not valid: the text is longer than 300 characters/],
    ['bad key', 'print-queue-monitor://open?key=nokey', /job key is not valid/],
    ['key of unknown source', 'print-queue-monitor://open?key=evil:1', /no source "evil"/],
  ];
  for (const [name, raw, message] of hostile) {
    it(`refuses ${name}`, () => {
      const r = parseDeepLink(raw, known);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.message).toMatch(/^The link was refused: /);
        expect(r.message).toMatch(message);
      }
    });
  }
});

describe('readLaunchArgs', () => {
  it('reads the deep link Windows passes as an argument, and --hidden', () => {
    expect(readLaunchArgs(['C:\\pqm.exe', '--hidden'])).toEqual({ hidden: true });
    expect(readLaunchArgs(['C:\\pqm.exe', 'print-queue-monitor://open?key=local:1', 'print-queue-monitor://open?key=local:2'])).toEqual({ hidden: false, deepLink: 'print-queue-monitor://open?key=local:1' });
  });
  it('reads --track with an optional kind, and says what is wrong with a bad one', () => {
    expect(readLaunchArgs(['electron', '.', '--track', 'local', 'tok', '--kind', 'pdf']).track).toEqual({ sourceId: 'local', id: 'tok', kind: 'pdf' });
    expect(readLaunchArgs(['x', '--track=ao', 'j1']).track).toEqual({ sourceId: 'ao', id: 'j1' });
    expect(readLaunchArgs(['x', '--track', 'local']).problem).toMatch(/--track needs a source id and a job id/);
  });

  // What a second instance's argv looks like on Windows: Chromium's command line keeps switches
  // first, moves plain arguments after them (in their order), adds switches of its own, and may put
  // "--" before the plain arguments. Electron documents that the order may change.
  const exe = 'C:\\Program Files\\Print Queue Monitor\\Print Queue Monitor.exe';
  const chromium = ['--allow-file-access-from-files', '--original-process-start-time=13379999999999999', '--enable-features=A,B'];
  it.each([
    ['as typed', [exe, '--track', 'local', 'tok-1', '--kind', 'pdf']],
    ['switches moved first', [exe, '--track', '--kind', ...chromium, 'local', 'tok-1', 'pdf']],
    ['Chromium switches in between', [exe, chromium[0], '--track', chromium[1], '--kind', chromium[2], 'local', 'tok-1', 'pdf']],
    ['with a -- separator', [exe, '--track', '--kind', ...chromium, '--', 'local', 'tok-1', 'pdf']],
    ['kind first', [exe, '--kind', 'pdf', '--track', 'local', 'tok-1']],
    ['kind first, reordered', [exe, '--kind', '--track', ...chromium, 'pdf', 'local', 'tok-1']],
    ['named kind', [exe, '--kind=pdf', ...chromium, '--track', 'local', 'tok-1']],
    ['named source', [exe, '--track=local', '--kind=pdf', ...chromium, 'tok-1']],
    ['unpackaged (electron .), reordered', ['C:\\electron.exe', '--track', '--kind', ...chromium, '.', 'local', 'tok-1', 'pdf']],
    ['with --config and --hidden, reordered', [exe, '--config', '--track', '--hidden', '--kind', ...chromium, 'C:\\pqm\\settings.json', 'local', 'tok-1', 'pdf']],
  ])('reads --track by name whatever the order (%s)', (_name, argv) => {
    const read = readLaunchArgs(argv);
    expect(read.problem).toBeUndefined();
    expect(read.track).toEqual({ sourceId: 'local', id: 'tok-1', kind: 'pdf' });
  });

  it('a deep link anywhere, also after Chromium switches and --, with nothing taken for --track', () => {
    expect(readLaunchArgs([exe, ...chromium, '--', 'print-queue-monitor://open?key=local:1'])).toEqual({ hidden: false, deepLink: 'print-queue-monitor://open?key=local:1' });
    expect(readLaunchArgs([exe, '--track', ...chromium, 'local', 'print-queue-monitor://open?key=local:1']).problem).toMatch(/--track needs a source id and a job id/);
    expect(readLaunchArgs([exe, '--track', 'local', 'tok', '--kind']).problem).toBe('--kind needs a value: html or pdf');
    expect(readLaunchArgs([exe, '--kind', '--track', 'local', 'tok']).problem).toMatch(/--track needs a source id and a job id/);
  });
});

describe('a second instance\'s command line', () => {
  it('is the argv the second instance hands over (additionalData), not the one Chromium rebuilds, which may reorder it', () => {
    // Windows: "-42" read as a switch and moved before the plain arguments.
    const rebuilt = ['C:\\pqm.exe', '-42', '--track', 'local', '--allow-file-access-from-files'];
    const own = ['C:\\pqm.exe', '--track', 'local', '-42'];
    const argv = secondInstanceArgv(rebuilt, secondInstanceData(own));
    expect(argv).toEqual(own);
    expect(readLaunchArgs(argv).track).toEqual({ sourceId: 'local', id: '-42' });
    // From another process: anything but a list of strings is ignored, and the rebuilt argv used.
    for (const data of [null, undefined, 'x', { argv: 'C:\\pqm.exe' }, { argv: [1, 2] }, { argv: [] }, { argv: Array(65).fill('a') }]) {
      expect(secondInstanceArgv(rebuilt, data)).toBe(rebuilt);
    }
  });
});
