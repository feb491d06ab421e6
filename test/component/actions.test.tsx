// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { MAX_KEYS_PER_REQUEST } from '../../preload/contract/contract';
import { AppFailure, type Job } from '../../preload/contract/model';
import { makeHealth, makeJob } from '../helpers/fake-bridge';
import { mount, rowOf, unmount, type Mounted } from './harness';
import { NOTICE_CLOSE_MS } from '../../renderer/src/state/store';

let m: Mounted | undefined;
afterEach(() => {
  unmount(m);
  m = undefined;
});

const sources = [makeHealth({ id: 'local', name: 'This PC' }), makeHealth({ id: 'up', kind: 'graph', name: 'Universal Print' })];

function openDetails(key: string) {
  fireEvent.dblClick(rowOf(m!.container, key));
  return screen.getByRole('complementary');
}

function notices() {
  return screen.queryAllByTestId('notice').map((n) => [n.dataset.level, n.textContent]);
}

describe('cancel', () => {
  it('asks, shows the pending state on the row, then the server’s answer', async () => {
    m = await mount({ jobs: [makeJob({ key: 'local:a', document: 'Invoice.pdf', printer: 'HP 1' })], sources });
    const panel = openDetails('local:a');
    fireEvent.click(within(panel).getByRole('button', { name: 'Cancel job' }));
    const dialog = screen.getByRole('alertdialog');
    expect(within(dialog).getByText('Cancel “Invoice.pdf” on HP 1? This cannot be undone.')).toBeTruthy();
    expect(m.bridge.callsOf('cancelJob')).toHaveLength(0);
    const hold = m.bridge.hold('cancelJob');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel job' }));
    await hold.arrived;
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(within(rowOf(m.container, 'local:a')).getByText('Canceling…')).toBeTruthy();
    expect(rowOf(m.container, 'local:a').classList.contains('is-pending')).toBe(true);
    await act(async () => hold.release());
    await waitFor(() => expect(notices()).toContainEqual(['info', expect.stringContaining('Canceled “Invoice.pdf”.')]));
    expect(m.store.jobs.get('local:a')?.state).toBe('canceled');
    expect(m.bridge.callsOf('cancelJob')).toEqual([{ key: 'local:a' }]);
  });

  it('a cancel the service took while the job goes on says it was asked, not that it is canceled', async () => {
    // ScriptX stops a job being prepared when it gets to it; AODocs may answer before the job stops.
    m = await mount({ jobs: [makeJob({ key: 'local:a', document: 'Invoice.pdf', state: 'processing' }), makeJob({ key: 'local:b', document: 'B.pdf' })], sources });
    m.bridge.override('cancelJob', async ({ key }) => ({ ...m!.bridge.jobs.get(key)!, state: 'processing' as const }));
    const panel = openDetails('local:a');
    fireEvent.click(within(panel).getByRole('button', { name: 'Cancel job' }));
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Cancel job' }));
    await waitFor(() => expect(notices().map(([, text]) => text)).toContainEqual(expect.stringContaining('Asked to cancel “Invoice.pdf”; the service still reports it as processing.')));
    expect(notices().some(([, text]) => text?.includes('Canceled “Invoice.pdf”'))).toBe(false);
    // In a batch: counted and named apart from the jobs canceled.
    m.bridge.override('cancelJobs', async ({ keys }) => keys.map((key) => ({ key, result: { ok: true as const, value: { ...m!.bridge.jobs.get(key)!, state: key === 'local:a' ? ('processing' as const) : ('canceled' as const) } } })));
    fireEvent.keyDown(screen.getByRole('grid'), { key: 'ArrowDown' });
    fireEvent.keyDown(screen.getByRole('grid'), { key: 'a', ctrlKey: true });
    fireEvent.keyDown(screen.getByRole('grid'), { key: 'Delete' });
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Cancel jobs' }));
    await waitFor(() => expect(notices().some(([, text]) => text?.startsWith('1 canceled, 1 asked to stop.'))).toBe(true));
    const notice = screen.getAllByTestId('notice').find((n) => n.textContent?.startsWith('1 canceled'))!;
    expect([...notice.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['Invoice.pdf: asked to stop; still processing.', 'B.pdf: canceled.']);
  });

  it('keeps the job and shows the source’s refusal in its words', async () => {
    m = await mount({ jobs: [makeJob({ key: 'local:a', document: 'Invoice.pdf' })], sources });
    m.bridge.override('cancelJob', async () => {
      throw new AppFailure('too-late', 'The job is already printing and can no longer be canceled.');
    });
    const panel = openDetails('local:a');
    fireEvent.click(within(panel).getByRole('button', { name: 'Cancel job' }));
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Cancel job' }));
    await waitFor(() => expect(notices()).toContainEqual(['error', expect.stringContaining('“Invoice.pdf” was not canceled: The job is already printing and can no longer be canceled.')]));
    expect(within(rowOf(m.container, 'local:a')).getByText('The job is already printing and can no longer be canceled.')).toBeTruthy();
    expect(within(panel).getByRole('alert').textContent).toBe('The job is already printing and can no longer be canceled.');
    expect(m.store.jobs.get('local:a')?.state).toBe('queued');
  });

  it('keeps Cancel keeping the job', async () => {
    m = await mount({ jobs: [makeJob({ key: 'local:a' })], sources });
    fireEvent.click(within(openDetails('local:a')).getByRole('button', { name: 'Cancel job' }));
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Keep' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(m.bridge.callsOf('cancelJob')).toHaveLength(0);
  });

  it("writes a source's reason as a sentence on the line beside the button it disables", async () => {
    m = await mount({ jobs: [makeJob({ key: 'local:a', state: 'printing', cancel: { allowed: false, reason: 'cancel has already been requested' } })], sources });
    const button = within(openDetails('local:a')).getByRole('button', { name: 'Cancel job' });
    expect(document.getElementById(button.getAttribute('aria-describedby')!)?.textContent).toBe('Cancel has already been requested.');
  });

  it('disables cancel and says why when the source does not allow it', async () => {
    const reason = 'ScriptX.Services cannot stop a job once its pages are printing.';
    m = await mount({ jobs: [makeJob({ key: 'local:a', state: 'printing', cancel: { allowed: false, reason } })], sources });
    const panel = openDetails('local:a');
    const button = within(panel).getByRole('button', { name: 'Cancel job' }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    const described = document.getElementById(button.getAttribute('aria-describedby')!);
    expect(described?.textContent).toBe(reason);
    // Delete on the row does not ask: it says why.
    fireEvent.keyDown(screen.getByRole('grid'), { key: 'ArrowDown' });
    fireEvent.keyDown(screen.getByRole('grid'), { key: 'Delete' });
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(notices()).toContainEqual(['warning', expect.stringContaining(reason)]);
  });

  it('cancels several selected jobs, naming the count and the ones left out', async () => {
    m = await mount({
      jobs: [
        makeJob({ key: 'local:a', document: 'A.pdf', updatedAt: '2026-03-02T10:00:03Z' }),
        makeJob({ key: 'local:b', document: 'B.pdf', updatedAt: '2026-03-02T10:00:02Z' }),
        makeJob({ key: 'local:c', document: 'C.pdf', updatedAt: '2026-03-02T10:00:01Z', cancel: { allowed: false, reason: 'Already printing.' } }),
        makeJob({ key: 'local:d', document: 'D.pdf', updatedAt: '2026-03-02T10:00:00Z', state: 'completed', cancel: { allowed: false, reason: 'the job has already finished' } }),
      ],
      sources,
      settings: { version: 1, sources: [], ui: { view: 'all' } },
    });
    const grid = screen.getByRole('grid');
    fireEvent.keyDown(grid, { key: 'ArrowDown' });
    fireEvent.keyDown(grid, { key: 'a', ctrlKey: true });
    expect(m.container.querySelector('.count')?.textContent).toBe('4 of 4 jobs · 4 selected');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel 4 selected' }));
    const dialog = screen.getByRole('alertdialog');
    expect(within(dialog).getByText('Cancel 2 print jobs? This cannot be undone. 2 will not be canceled:')).toBeTruthy();
    expect(within(dialog).getByText('C.pdf: Already printing.')).toBeTruthy();
    expect(within(dialog).getByText('D.pdf: already finished')).toBeTruthy();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel jobs' }));
    // One notice: the counts and why, then each job by its document with its outcome.
    await waitFor(() => expect(notices()).toHaveLength(1));
    const notice = screen.getByTestId('notice');
    expect(notice.dataset.level).toBe('warning');
    expect(notice.querySelector('span')?.textContent).toBe('2 canceled, 2 skipped: Already printing; already finished.');
    expect([...notice.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['A.pdf: canceled.', 'B.pdf: canceled.', 'C.pdf: skipped (Already printing).', 'D.pdf: skipped (already finished).']);
    expect(m.bridge.callsOf('cancelJobs')).toEqual([{ keys: ['local:a', 'local:b'] }]);
    expect(m.store.jobs.get('local:c')?.state).toBe('queued');
  });

  it('reports each job of a batch that the service refused', async () => {
    m = await mount({ jobs: [makeJob({ key: 'local:a', updatedAt: '2026-03-02T10:00:03Z' }), makeJob({ key: 'local:b', document: 'B.pdf' })], sources });
    m.bridge.override('cancelJobs', async ({ keys }) =>
      keys.map((key) => (key === 'local:b' ? { key, result: { ok: false as const, error: { code: 'unreachable' as const, message: 'The service did not answer.' } } } : { key, result: { ok: true as const, value: { ...m!.bridge.jobs.get(key)!, state: 'canceled' as const } } })),
    );
    fireEvent.keyDown(screen.getByRole('grid'), { key: 'ArrowDown' });
    fireEvent.keyDown(screen.getByRole('grid'), { key: 'a', ctrlKey: true });
    fireEvent.keyDown(screen.getByRole('grid'), { key: 'Delete' });
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Cancel jobs' }));
    await waitFor(() => expect(notices()).toContainEqual(['warning', expect.stringContaining('1 canceled, 1 not canceled: The service did not answer.')]));
    expect(within(rowOf(m.container, 'local:b')).getByText('The service did not answer.')).toBeTruthy();
  });

  it('cancels more selected jobs than one request may name in requests of at most that many, one notice for all', async () => {
    const n = MAX_KEYS_PER_REQUEST + 1;
    m = await mount({ jobs: Array.from({ length: n }, (_, i) => makeJob({ key: `local:j${i + 1}`, document: `J${i + 1}.pdf` })), sources });
    // Each request passes the contract's schema first (the fake's dispatch, as main's); answered without an event per job.
    m.bridge.override('cancelJobs', async ({ keys }) => keys.map((key) => ({ key, result: { ok: true as const, value: { ...m!.bridge.jobs.get(key)!, state: 'canceled' as const } } })));
    fireEvent.keyDown(screen.getByRole('grid'), { key: 'ArrowDown' });
    fireEvent.keyDown(screen.getByRole('grid'), { key: 'a', ctrlKey: true });
    fireEvent.keyDown(screen.getByRole('grid'), { key: 'Delete' });
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Cancel jobs' }));
    await waitFor(() => expect(notices()).toContainEqual(['info', expect.stringContaining('1,001 canceled')]));
    expect(m.bridge.callsOf('cancelJobs').map((c) => c.keys.length)).toEqual([MAX_KEYS_PER_REQUEST, 1]);
    expect(new Set(m.bridge.callsOf('cancelJobs').flatMap((c) => c.keys)).size).toBe(n);
    expect(m.store.pending.value.size).toBe(0);
  });

  it('cancels all active jobs of a printer after naming the count', async () => {
    m = await mount({
      jobs: [makeJob({ key: 'local:a', printer: 'HP 1' }), makeJob({ key: 'local:b', printer: 'HP 1' }), makeJob({ key: 'local:c', printer: 'HP 1' }), makeJob({ key: 'local:d', printer: 'HP 2' })],
      sources,
    });
    const panel = openDetails('local:a');
    fireEvent.click(within(panel).getByRole('button', { name: 'Cancel all 3 active jobs on HP 1' }));
    const dialog = screen.getByRole('alertdialog');
    expect(within(dialog).getByText('Cancel all 3 active jobs on HP 1? This cannot be undone.')).toBeTruthy();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel jobs' }));
    await waitFor(() => expect(m!.bridge.callsOf('cancelJobs')).toHaveLength(1));
    expect([...m.bridge.callsOf('cancelJobs')[0].keys].sort()).toEqual(['local:a', 'local:b', 'local:c']);
  });

  it('cancels all active jobs of a source from the sources panel', async () => {
    m = await mount({ jobs: [makeJob({ key: 'local:a' }), makeJob({ key: 'local:b' }), makeJob({ key: 'up:p/c', sourceId: 'up', sourceKind: 'graph' })], sources });
    fireEvent.click(screen.getByRole('button', { name: 'Sources' }));
    fireEvent.click(screen.getByRole('button', { name: 'Cancel all 2 active jobs of This PC' }));
    expect(within(screen.getByRole('alertdialog')).getByText('Cancel all 2 active jobs on This PC? This cannot be undone.')).toBeTruthy();
  });
});

describe('abort (Universal Print admin)', () => {
  it('needs a reason, then sends it', async () => {
    m = await mount({ jobs: [makeJob({ key: 'up:p/a', sourceId: 'up', sourceKind: 'graph', document: 'Big.pdf', abort: { allowed: true } })], sources });
    fireEvent.click(within(openDetails('up:p/a')).getByRole('button', { name: 'Abort job…' }));
    const dialog = screen.getByRole('dialog', { name: /Abort print job/ });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Abort job' }));
    expect(within(dialog).getByRole('alert').textContent).toBe('say why the job is aborted');
    expect(m.bridge.callsOf('abortJob')).toHaveLength(0);
    fireEvent.input(within(dialog).getByRole('textbox'), { target: { value: 'Printer jammed' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Abort job' }));
    await waitFor(() => expect(notices()).toContainEqual(['info', expect.stringContaining('Aborted “Big.pdf”.')]));
    expect(m.bridge.callsOf('abortJob')).toEqual([{ key: 'up:p/a', reason: 'Printer jammed' }]);
    expect(screen.queryByRole('dialog', { name: /Abort print job/ })).toBeNull();
  });

  it('shows the refusal in the dialog', async () => {
    m = await mount({ jobs: [makeJob({ key: 'up:p/a', sourceId: 'up', sourceKind: 'graph', abort: { allowed: true } })], sources });
    m.bridge.override('abortJob', async () => {
      throw new AppFailure('auth-required', 'The admin credentials were refused (401).');
    });
    fireEvent.click(within(openDetails('up:p/a')).getByRole('button', { name: 'Abort job…' }));
    const dialog = screen.getByRole('dialog', { name: /Abort print job/ });
    fireEvent.input(within(dialog).getByRole('textbox'), { target: { value: 'Jammed' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Abort job' }));
    await waitFor(() => expect(within(dialog).getByRole('alert').textContent).toBe('The admin credentials were refused (401).'));
  });
});

describe('retry, save output, dismiss', () => {
  const failed = (): Job => makeJob({ key: 'local:f', document: 'Report.pdf', state: 'failed', rawState: 'Failed', extra: { retryable: true } });

  it('prints a failed job again', async () => {
    m = await mount({ jobs: [failed()], sources, settings: { version: 1, sources: [], ui: { view: 'all' } } });
    fireEvent.click(within(openDetails('local:f')).getByRole('button', { name: 'Print again' }));
    await waitFor(() => expect(notices()).toContainEqual(['info', expect.stringContaining('Submitted “Report.pdf” again.')]));
    expect(m.store.allJobs.value).toHaveLength(2);
  });

  it('says why a retry was refused', async () => {
    m = await mount({ jobs: [failed()], sources, settings: { version: 1, sources: [], ui: { view: 'all' } } });
    m.bridge.override('retryJob', async () => {
      throw new AppFailure('unreachable', 'ScriptX.Services could not be reached.');
    });
    fireEvent.click(within(openDetails('local:f')).getByRole('button', { name: 'Print again' }));
    await waitFor(() => expect(notices()).toContainEqual(['error', expect.stringContaining('The job was not submitted again: ScriptX.Services could not be reached.')]));
  });

  it('saves a print-to-file output and reports where, or why not', async () => {
    m = await mount({ jobs: [makeJob({ key: 'local:o', state: 'completed', extra: { outputReady: true } })], sources, settings: { version: 1, sources: [], ui: { view: 'all' } } });
    const panel = openDetails('local:o');
    fireEvent.click(within(panel).getByRole('button', { name: 'Save output…' }));
    await waitFor(() => expect(notices()).toContainEqual(['info', expect.stringContaining('Saved to C:\\Users\\alice\\Documents\\output.pdf')]));
    m.bridge.override('saveJobOutput', async () => {
      throw new AppFailure('not-found', 'The output file was removed from the service.');
    });
    fireEvent.click(within(panel).getByRole('button', { name: 'Save output…' }));
    await waitFor(() => expect(notices()).toContainEqual(['error', expect.stringContaining('The output was not saved: The output file was removed from the service.')]));
  });

  it('dismisses a finished job', async () => {
    m = await mount({ jobs: [makeJob({ key: 'local:d', document: 'Old.pdf', state: 'completed' })], sources, settings: { version: 1, sources: [], ui: { view: 'all' } } });
    fireEvent.click(within(openDetails('local:d')).getByRole('button', { name: 'Dismiss' }));
    await waitFor(() => expect(m!.store.jobs.has('local:d')).toBe(false));
    expect(screen.queryByRole('complementary')).toBeNull();
  });
});

describe('track and print', () => {
  it('tracks a pasted id, refusing a malformed one at the field', async () => {
    m = await mount({ jobs: [], sources });
    fireEvent.click(within(screen.getByRole('toolbar')).getByRole('button', { name: 'Track a job…' }));
    const dialog = screen.getByRole('dialog', { name: 'Track a print job' });
    const id = within(dialog).getByLabelText('Job id or token');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Track' }));
    expect(within(dialog).getByRole('alert').textContent).toBe('Enter the id of the job to track.');
    fireEvent.input(id, { target: { value: 'abc/../x' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Track' }));
    expect(id.getAttribute('aria-invalid')).toBe('true');
    expect(within(dialog).getByRole('alert').textContent).toBe('the id has more than one /, or nothing (or a dot) on one side of it');
    expect(m.bridge.callsOf('trackJob')).toHaveLength(0);
    fireEvent.input(id, { target: { value: '  {7A3C-token}  ' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Track' }));
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Track a print job' })).toBeNull());
    expect(m.bridge.callsOf('trackJob')).toEqual([{ sourceId: 'local', id: '{7A3C-token}' }]);
    expect(screen.getByRole('complementary', { name: 'Details: Tracked {7A3C-token}' })).toBeTruthy();
  });

  it('shows the service’s refusal of a tracked id', async () => {
    m = await mount({ jobs: [], sources });
    m.bridge.override('trackJob', async () => {
      throw new AppFailure('not-found', 'ScriptX.Services knows no job with this token.', { field: 'id' });
    });
    fireEvent.click(within(screen.getByRole('toolbar')).getByRole('button', { name: 'Track a job…' }));
    const dialog = screen.getByRole('dialog', { name: 'Track a print job' });
    fireEvent.input(within(dialog).getByLabelText('Job id or token'), { target: { value: 'nope' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Track' }));
    await waitFor(() => expect(within(dialog).getByRole('alert').textContent).toBe('ScriptX.Services knows no job with this token.'));
  });

  it('prints a URL, showing upload progress until the service answers', async () => {
    m = await mount({ jobs: [], sources });
    let finish!: () => void;
    m.bridge.override('submitPrint', async (req) => {
      m!.bridge.emit('print:progress', { key: 'local:printed', sentBytes: 1024, totalBytes: 4096 });
      await new Promise<void>((r) => (finish = r));
      const job = makeJob({ key: 'local:printed', document: req.title ?? 'x' });
      m!.bridge.jobs.set(job.key, job);
      return job;
    });
    fireEvent.click(screen.getByRole('button', { name: 'Print…' }));
    const dialog = screen.getByRole('dialog', { name: 'Print a document' });
    // What is wrong is said in words beside its input, not in the schema's ("Invalid URL", "Too small: ...").
    fireEvent.click(within(dialog).getByRole('button', { name: 'Print' }));
    expect(within(dialog).getByText('Enter the address of the page to print.')).toBeTruthy();
    fireEvent.input(within(dialog).getByLabelText('URL'), { target: { value: 'ftp://example.com/a.pdf' } });
    fireEvent.input(within(dialog).getByLabelText('Copies'), { target: { value: '0' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Print' }));
    expect(within(dialog).getByLabelText('URL').getAttribute('aria-invalid')).toBe('true');
    expect(within(dialog).getByText('Enter an address that starts with http:// or https://.')).toBeTruthy();
    expect(within(dialog).getByText('Enter a whole number from 1 to 999.')).toBeTruthy();
    expect(m.bridge.callsOf('submitPrint')).toHaveLength(0);
    fireEvent.input(within(dialog).getByLabelText('Copies'), { target: { value: '1' } });
    fireEvent.input(within(dialog).getByLabelText('URL'), { target: { value: 'https://example.com/a.pdf' } });
    fireEvent.input(within(dialog).getByLabelText('Job title'), { target: { value: 'Quarterly' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Print' }));
    await waitFor(() => expect(within(dialog).getByRole('status').textContent).toMatch(/Uploading .* \(25%\)/));
    expect((within(dialog).getByRole('button', { name: 'Working…' }) as HTMLButtonElement).disabled).toBe(true);
    await act(async () => finish());
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Print a document' })).toBeNull());
    expect(m.bridge.callsOf('submitPrint')[0]).toEqual({ sourceId: 'local', document: { type: 'url', url: 'https://example.com/a.pdf' }, title: 'Quarterly', copies: 1 });
    expect(notices()).toContainEqual(['info', expect.stringContaining('Sent “Quarterly” to print.')]);
  });

  it('keeps the print dialog open with the service’s error', async () => {
    m = await mount({ jobs: [], sources });
    m.bridge.override('submitPrint', async () => {
      throw new AppFailure('not-allowed', 'The license does not allow printing from this host.');
    });
    fireEvent.click(screen.getByRole('button', { name: 'Print…' }));
    const dialog = screen.getByRole('dialog', { name: 'Print a document' });
    fireEvent.input(within(dialog).getByLabelText('URL'), { target: { value: 'https://example.com/a.pdf' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Print' }));
    await waitFor(() => expect(within(dialog).getByRole('alert').textContent).toBe('The document was not printed: The license does not allow printing from this host.'));
  });

  it('stops an upload that is still sending', async () => {
    m = await mount({ jobs: [], sources });
    const uploading = makeJob({ key: 'up:share-1/job-9', sourceId: 'up', sourceKind: 'graph', document: 'Scan.pdf', state: 'paused', rawState: 'paused/uploadPending' });
    m.bridge.jobs.set(uploading.key, uploading);
    let finish!: () => void;
    m.bridge.override('submitPrint', async () => {
      m!.bridge.emit('print:progress', { key: uploading.key, sentBytes: 100, totalBytes: 1000 });
      await new Promise<void>((r) => (finish = r));
      throw new AppFailure('conflict', 'The upload was canceled.');
    });
    fireEvent.click(screen.getByRole('button', { name: 'Print…' }));
    const dialog = screen.getByRole('dialog', { name: 'Print a document' });
    fireEvent.input(within(dialog).getByLabelText('URL'), { target: { value: 'https://example.com/scan.pdf' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Print' }));
    fireEvent.click(await within(dialog).findByRole('button', { name: 'Stop upload' }));
    await waitFor(() => expect(notices()).toContainEqual(['info', expect.stringContaining('Stopped sending “Scan.pdf”.')]));
    expect(m.bridge.callsOf('cancelUpload')).toEqual([{ key: 'up:share-1/job-9' }]);
    await act(async () => finish());
    await waitFor(() => expect(within(dialog).getByRole('alert').textContent).toBe('The document was not printed: The upload was canceled.'));
  });

  it('says why abort is not offered', async () => {
    m = await mount({ jobs: [makeJob({ key: 'up:p/a', sourceId: 'up', sourceKind: 'graph', abort: { allowed: false, reason: 'Abort needs the admin mode of Universal Print.' } })], sources });
    const panel = openDetails('up:p/a');
    expect(within(panel).queryByRole('button', { name: 'Abort job…' })).toBeNull();
    expect(within(panel).getByText('Abort needs the admin mode of Universal Print.')).toBeTruthy();
  });
});

describe('notices', () => {
  it('shows at most three with "and N more" and "Dismiss all", and counts identical ones once', async () => {
    m = await mount({ jobs: [], sources });
    act(() => {
      for (const n of [1, 2, 3, 4, 5]) m!.store.notify('error', `Problem ${n}`);
      m!.store.notify('error', 'Problem 5');
    });
    expect(notices().map((n) => n[1])).toEqual(['Problem 3✕', 'Problem 4✕', 'Problem 5 (2 times)✕']);
    expect(screen.getByTestId('notices-more').textContent).toBe('and 2 moreDismiss all');
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss all' }));
    expect(notices()).toEqual([]);
  });

  it('closes warnings by themselves, but not while hovered or focused; errors stay', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      m = await mount({ jobs: [], sources });
      act(() => {
        m!.store.notify('warning', 'Slow printer');
        m!.store.notify('error', 'Printer gone');
      });
      const area = screen.getByTestId('notices');
      fireEvent.mouseEnter(area);
      act(() => {
        vi.advanceTimersByTime(NOTICE_CLOSE_MS.warning! + 1000);
      });
      expect(notices().map((n) => n[0])).toEqual(['warning', 'error']);
      fireEvent.mouseLeave(area);
      act(() => {
        vi.advanceTimersByTime(NOTICE_CLOSE_MS.warning! - 1);
      });
      expect(notices()).toHaveLength(2);
      act(() => {
        vi.advanceTimersByTime(1);
      });
      expect(notices().map((n) => n[0])).toEqual(['error']);
      act(() => {
        vi.advanceTimersByTime(10 * 60_000);
      });
      expect(notices().map((n) => n[0])).toEqual(['error']);
    } finally {
      vi.useRealTimers();
    }
  });
});
