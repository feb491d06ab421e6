// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { render } from '@testing-library/preact';
import { FakeBridge, makeHealth, makeJob } from '../helpers/fake-bridge';
import { App } from '../../renderer/src/App';
import { formatDateTime, formatTime } from '../../renderer/src/i18n/format';
import { requestSafely } from '../../renderer/src/state/call';
import { createStore } from '../../renderer/src/state/store';
import { mount, rowKeys, rowOf, unmount, type Mounted } from './harness';

let m: Mounted | undefined;
afterEach(() => {
  unmount(m);
  m = undefined;
});

const sources = [makeHealth({ id: 'local', name: 'This PC' }), makeHealth({ id: 'up', kind: 'graph', name: 'Universal Print' })];

function sample() {
  return [
    makeJob({ key: 'local:a', document: 'Invoice.pdf', owner: 'alice', printer: 'HP 1', state: 'printing', rawState: '5 Printing', progress: 0.5, updatedAt: '2026-03-02T10:00:03Z' }),
    makeJob({ key: 'local:b', document: 'Budget.xlsx', owner: 'bob', printer: 'HP 2', state: 'queued', mine: false, updatedAt: '2026-03-02T10:00:02Z' }),
    makeJob({ key: 'up:p1/c', sourceId: 'up', sourceKind: 'graph', document: 'Contract.docx', owner: 'carol', printer: 'Floor 3', state: 'processing', rawState: 'processing/transforming', updatedAt: '2026-03-02T10:00:01Z' }),
    makeJob({ key: 'local:d', document: 'Done.pdf', state: 'completed', rawState: '7 Completed', updatedAt: '2026-03-02T09:00:00Z' }),
    makeJob({ key: 'up:p1/e', sourceId: 'up', sourceKind: 'graph', document: 'Failed.pdf', printer: 'Floor 3', state: 'failed', rawState: 'aborted', updatedAt: '2026-03-02T08:00:00Z' }),
  ];
}

describe('the queue', () => {
  it('shows the columns and the active jobs, newest update first, in plain state words', async () => {
    m = await mount({ jobs: sample(), sources });
    const headers = screen.getAllByRole('columnheader').map((h) => h.textContent?.replace(/[▲▼]/g, '').trim());
    expect(headers).toEqual(['Source', 'Printer or library', 'Document', 'Owner', 'State', 'Progress', 'Pages', 'Size', 'Submitted', 'Updated']);
    expect(rowKeys(m.container)).toEqual(['local:a', 'local:b', 'up:p1/c']);
    const row = rowOf(m.container, 'local:a');
    expect(within(row).getByText('This PC')).toBeTruthy();
    // One plain vocabulary: the state word with its icon (drawn by the stylesheet, no character
    // for a font to lack); the service's code stays in the details.
    expect(within(row).getByTestId('state-word').textContent).toBe('Printing');
    const icon = within(row).getByTestId('state-word').querySelector('.state-icon');
    expect(icon?.getAttribute('data-icon')).toBe('printing');
    expect(icon?.getAttribute('aria-hidden')).toBe('true');
    expect(row.textContent).not.toContain('5 Printing');
    expect(within(row).getByText('50%')).toBeTruthy();
    expect(screen.getByRole('grid').getAttribute('aria-rowcount')).toBe('4');
    expect(screen.getByText('3 of 5 jobs')).toBeTruthy();
    // Names in any script take their own direction (a right-to-left name is cut at its end).
    for (const cls of ['.cell-document', '.cell-printer', '.cell-owner']) expect(row.querySelector(cls)?.getAttribute('dir'), cls).toBe('auto');
  });

  it('draws the first rows while the rest of the queue loads, and says so; other choices wait for the whole queue', async () => {
    const bridge = new FakeBridge({ jobs: sample(), sources });
    const store = createStore(bridge);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const whole = held.then(() => requestSafely(bridge, 'getSnapshot', {}));
    render(<App store={store} />);
    const started = store.start({ settings: requestSafely(bridge, 'getSettings', {}), head: requestSafely(bridge, 'getSnapshot', { first: 2 }), snapshot: whole });
    m = { bridge, store } as Mounted;
    await screen.findAllByTestId('job-row');
    expect(screen.getAllByTestId('job-row').map((r) => r.dataset.key)).toEqual(['local:a', 'local:b']);
    // The counts are the whole queue's, as the app said them beside the first rows; the printers
    // are counted once the whole queue is in.
    expect(screen.getByTestId('job-count').textContent).toBe('3 of 5 jobs');
    const summary = () => document.querySelector('.summary-strip')?.textContent;
    const partialSummary = summary();
    expect(screen.getByTestId('printers-view').querySelector('summary')?.textContent).toBe('Printers');
    // Another view cannot be drawn from the first rows of this one: the window says it is loading.
    fireEvent.click(screen.getByRole('radio', { name: 'Finished' }));
    expect(screen.queryAllByTestId('job-row')).toEqual([]);
    expect(screen.getByTestId('queue').dataset.status).toBe('loading');
    // Nor its count: the first rows' counts were the other view's.
    expect(screen.getByTestId('job-count').textContent).toBe('Loading the rest of the queue…');
    release();
    await started;
    await screen.findAllByTestId('job-row');
    expect(screen.getAllByTestId('job-row').map((r) => r.dataset.key)).toEqual(['local:d', 'up:p1/e']);
    expect(screen.getByTestId('job-count').textContent).toBe('2 of 5 jobs');
    expect(summary()).toBe(partialSummary);
    expect(screen.getByTestId('printers-view').querySelector('summary')?.textContent).toMatch(/^Printers \(\d+\)$/);
  });

  it('says no job is active, not that there are none, while only the first rows of a queue of finished jobs are in', async () => {
    const finished = sample().filter((j) => j.state === 'completed' || j.state === 'failed');
    const bridge = new FakeBridge({ jobs: finished, sources });
    const store = createStore(bridge);
    render(<App store={store} />);
    void store.start({ settings: requestSafely(bridge, 'getSettings', {}), head: requestSafely(bridge, 'getSnapshot', { first: 2 }), snapshot: new Promise(() => undefined) });
    m = { bridge, store } as Mounted;
    await waitFor(() => expect(screen.getByTestId('queue').dataset.status).toBe('ready'));
    expect(screen.getByText('No active print jobs. Switch to Finished or All to see earlier ones.')).toBeTruthy();
    expect(screen.getByTestId('job-count').textContent).toBe('0 of 2 jobs');
  });

  it.each([
    ['in another shape', { shown: 'three' }],
    ['more shown than held', { shown: 9 }],
    ['fewer shown than sent', { shown: 1 }],
    ['states that are not all the jobs', { states: { byState: { queued: 1 }, stuck: 0 } }],
    ['states as a list', { states: { byState: [5], stuck: 0 } }],
  ])('says it is still loading when the first rows come with counts of the whole queue %s', async (_why, wrong) => {
    const bridge = new FakeBridge({ jobs: sample(), sources });
    const store = createStore(bridge);
    const head = requestSafely(bridge, 'getSnapshot', { first: 2 }).then((r) => (r.ok ? { ...r, value: { ...r.value, ...(wrong as object) } } : r));
    render(<App store={store} />);
    void store.start({ settings: requestSafely(bridge, 'getSettings', {}), head, snapshot: new Promise(() => undefined) });
    m = { bridge, store } as Mounted;
    await screen.findAllByTestId('job-row');
    expect(screen.getByTestId('job-count').textContent).toBe('Loading the rest of the queue…');
    // Nor how the queue stands, counted from the first rows only.
    expect(screen.queryByTestId('summary-strip')).toBeNull();
  });

  it('says it is loading, not that there are no jobs, when first rows of none come without the counts of the whole queue', async () => {
    const finished = sample().filter((j) => j.state === 'completed' || j.state === 'failed');
    const bridge = new FakeBridge({ jobs: finished, sources });
    const store = createStore(bridge);
    const head = requestSafely(bridge, 'getSnapshot', { first: 2 }).then((r) => (r.ok ? { ...r, value: { ...r.value, states: undefined } } : r));
    render(<App store={store} />);
    void store.start({ settings: requestSafely(bridge, 'getSettings', {}), head, snapshot: new Promise(() => undefined) });
    m = { bridge, store } as Mounted;
    await waitFor(() => expect(store.partial.value).not.toBeNull());
    expect(screen.getByTestId('queue').dataset.status).toBe('loading');
    expect(screen.queryByText('No print jobs right now')).toBeNull();
  });

  it('switches between Active, Finished and All', async () => {
    m = await mount({ jobs: sample(), sources });
    fireEvent.click(screen.getByRole('radio', { name: 'Finished' }));
    expect(rowKeys(m.container)).toEqual(['local:d', 'up:p1/e']);
    expect(screen.getByRole('radio', { name: 'Finished' }).getAttribute('aria-checked')).toBe('true');
    fireEvent.click(screen.getByRole('radio', { name: 'All' }));
    expect(rowKeys(m.container)).toHaveLength(5);
  });

  it('makes Active/Finished/All one tab stop chosen with the arrow keys', async () => {
    m = await mount({ jobs: sample(), sources });
    const radios = screen.getAllByRole('radio');
    expect(radios.map((r) => r.getAttribute('tabindex'))).toEqual(['0', '-1', '-1']);
    radios[0].focus();
    fireEvent.keyDown(radios[0], { key: 'ArrowRight' });
    expect(screen.getByRole('radio', { name: 'Finished' }).getAttribute('aria-checked')).toBe('true');
    expect(rowKeys(m.container)).toEqual(['local:d', 'up:p1/e']);
    await waitFor(() => expect(document.activeElement?.textContent).toBe('Finished'));
    expect(screen.getAllByRole('radio').map((r) => r.getAttribute('tabindex'))).toEqual(['-1', '0', '-1']);
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowLeft' });
    fireEvent.keyDown(screen.getByRole('radio', { name: 'Active' }), { key: 'ArrowLeft' });
    expect(screen.getByRole('radio', { name: 'All' }).getAttribute('aria-checked')).toBe('true');
  });

  it('filters by source, printer and state, and by my jobs only', async () => {
    m = await mount({ jobs: sample(), sources });
    fireEvent.click(screen.getByRole('radio', { name: 'All' }));
    const sourceFilter = screen.getByText('Source:').closest('details')!;
    fireEvent.click(within(sourceFilter).getByLabelText('Universal Print'));
    expect(rowKeys(m.container)).toEqual(['up:p1/c', 'up:p1/e']);
    const stateFilter = screen.getByText('State:').closest('details')!;
    fireEvent.click(within(stateFilter).getByLabelText('Failed'));
    expect(rowKeys(m.container)).toEqual(['up:p1/e']);
    fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    const printerFilter = screen.getByText('Printer:').closest('details')!;
    fireEvent.click(within(printerFilter).getByLabelText('HP 2'));
    expect(rowKeys(m.container)).toEqual(['local:b']);
    fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    fireEvent.click(screen.getByLabelText('My jobs only'));
    expect(rowKeys(m.container)).not.toContain('local:b');
    expect(rowKeys(m.container)).toHaveLength(4);
  });

  it('searches documents, owners, printers and ids', async () => {
    m = await mount({ jobs: sample(), sources });
    const search = screen.getByRole('searchbox', { name: 'Search' });
    fireEvent.input(search, { target: { value: 'carol' } });
    expect(rowKeys(m.container)).toEqual(['up:p1/c']);
    fireEvent.input(search, { target: { value: 'INVOICE' } });
    expect(rowKeys(m.container)).toEqual(['local:a']);
    fireEvent.input(search, { target: { value: 'nothing like this' } });
    expect(screen.getByRole('heading', { name: 'No jobs match' })).toBeTruthy();
  });

  it('sorts by a column header and toggles the direction, announcing it with aria-sort', async () => {
    m = await mount({ jobs: sample(), sources });
    const docHeader = screen.getByRole('columnheader', { name: /Document/ });
    fireEvent.click(within(docHeader).getByRole('button'));
    expect(docHeader.getAttribute('aria-sort')).toBe('ascending');
    expect(rowKeys(m.container)).toEqual(['local:b', 'up:p1/c', 'local:a']);
    fireEvent.click(within(docHeader).getByRole('button'));
    expect(docHeader.getAttribute('aria-sort')).toBe('descending');
    expect(rowKeys(m.container)).toEqual(['local:a', 'up:p1/c', 'local:b']);
    expect(screen.getByRole('columnheader', { name: /Updated/ }).getAttribute('aria-sort')).toBe('none');
  });

  it('persists the choices through the settings, once after typing', async () => {
    m = await mount({ jobs: sample(), sources, settings: { version: 1, sources: [{ id: 'local', kind: 'scriptx' }] } });
    fireEvent.click(screen.getByRole('radio', { name: 'All' }));
    fireEvent.input(screen.getByRole('searchbox'), { target: { value: 'inv' } });
    fireEvent.input(screen.getByRole('searchbox'), { target: { value: 'invoice' } });
    await act(() => m!.store.flushUi());
    // The view choices alone: the window's copy of the rest of the file may be older than the file.
    const saves = m.bridge.callsOf('saveUiSettings');
    expect(saves).toHaveLength(1);
    expect(saves[0].ui).toMatchObject({ view: 'all', search: 'invoice' });
    expect(m.bridge.callsOf('saveSettings')).toHaveLength(0);
    expect(m.bridge.settings.ui.search).toBe('invoice');
    expect(m.bridge.settings.sources).toEqual([{ id: 'local', kind: 'scriptx' }]);
  });

  it('starts with the persisted choices', async () => {
    m = await mount({ jobs: sample(), sources, settings: { version: 1, sources: [], ui: { view: 'finished', sort: { key: 'document', dir: 'asc' } } } });
    expect(rowKeys(m.container)).toEqual(['local:d', 'up:p1/e']);
    expect(screen.getByRole('columnheader', { name: /Document/ }).getAttribute('aria-sort')).toBe('ascending');
  });

  it('updates a row in place on a patch, adds and removes rows', async () => {
    m = await mount({ jobs: sample(), sources });
    const before = rowOf(m.container, 'local:b');
    act(() => m!.bridge.patch([{ type: 'changed', key: 'local:b', changes: { state: 'printing', rawState: '5 Printing', progress: 0.25 } }]));
    const after = rowOf(m.container, 'local:b');
    expect(after).toBe(before);
    expect(within(after).getByTestId('state-word').textContent).toBe('Printing');
    expect(within(after).getByText('25%')).toBeTruthy();
    act(() => m!.bridge.patch([{ type: 'added', job: makeJob({ key: 'local:new', document: 'New.pdf', updatedAt: '2026-03-02T11:00:00Z' }) }, { type: 'removed', key: 'local:a' }]));
    expect(rowKeys(m.container)).toEqual(['local:new', 'local:b', 'up:p1/c']);
  });

  it("shows the source's plain reason beside the state word, and its message as the tooltip", async () => {
    m = await mount({
      jobs: [makeJob({ key: 'up:p/r', sourceId: 'up', sourceKind: 'graph', state: 'paused', rawState: 'paused/releaseWait', reason: 'Waiting to be released at the printer', detail: 'Release it with your badge.' })],
      sources,
    });
    const r = rowOf(m.container, 'up:p/r');
    expect(within(r).getByTestId('state-word').textContent).toBe('Paused');
    expect(within(r).getByTestId('state-reason').textContent).toBe('Waiting to be released at the printer');
    expect(r.querySelector('.cell-state')?.getAttribute('title')).toBe('Waiting to be released at the printer — Release it with your badge.');
    expect(r.textContent).not.toContain('releaseWait');
  });

  it('shows pages and size where the source knows them, and sorts by them', async () => {
    m = await mount({
      jobs: [
        makeJob({ key: 'up:p/big', sourceId: 'up', sourceKind: 'graph', sizeBytes: 2_500_000, pages: 12, pagesPrinted: 3, updatedAt: '2026-03-02T10:00:02Z' }),
        makeJob({ key: 'up:p/small', sourceId: 'up', sourceKind: 'graph', sizeBytes: 2048, pages: 1, updatedAt: '2026-03-02T10:00:01Z' }),
        makeJob({ key: 'local:none', updatedAt: '2026-03-02T10:00:00Z' }),
      ],
      sources,
    });
    const big = rowOf(m.container, 'up:p/big');
    expect(big.querySelector('.cell-pages')?.textContent).toBe('3 of 12');
    expect(big.querySelector('.cell-size')?.textContent).toBe('2.38 MB');
    expect(rowOf(m.container, 'up:p/small').querySelector('.cell-size')?.textContent).toBe('2.00 KB');
    expect(rowOf(m.container, 'local:none').querySelector('.cell-size')?.textContent).toBe('');
    fireEvent.click(screen.getByRole('button', { name: 'Size' }));
    expect(rowKeys(m.container)).toEqual(['up:p/small', 'up:p/big', 'local:none']);
  });

  it('names a job without a document by what it is, never "(untitled)" or its key', async () => {
    m = await mount({ jobs: [makeJob({ key: 'local:72', nativeId: '72', document: null, state: 'printing' })], sources });
    const r = rowOf(m.container, 'local:72');
    expect(r.querySelector('.cell-document')?.textContent).toBe('ScriptX job 72');
    expect(r.textContent).not.toContain('untitled');
    fireEvent.dblClick(r);
    expect(screen.getByRole('complementary', { name: 'Details: ScriptX job 72' })).toBeTruthy();
  });

  it('dims stale rows with the last seen time and marks stuck and gone jobs', async () => {
    m = await mount({
      jobs: [
        makeJob({ key: 'local:s', stale: true, lastSeenAt: '2026-03-02T09:59:00Z' }),
        makeJob({ key: 'local:k', stuck: true, state: 'printing' }),
        makeJob({ key: 'up:p/g', sourceId: 'up', sourceKind: 'graph', gone: true, state: 'processing' }),
      ],
      sources,
    });
    fireEvent.click(screen.getByRole('radio', { name: 'All' }));
    const stale = rowOf(m.container, 'local:s');
    expect(stale.classList.contains('is-stale')).toBe(true);
    // Said to screen readers before the time; the row's look says it on screen, the tooltip in words.
    const seen = stale.querySelector<HTMLElement>('.cell-updated')!;
    expect(seen.textContent).toBe(`last seen ${formatTime('2026-03-02T09:59:00Z')}`);
    expect(seen.querySelector('.visually-hidden')?.textContent).toBe('last seen ');
    expect(seen.title).toBe(`Last seen ${formatDateTime('2026-03-02T09:59:00Z')}: its source cannot be reached now.`);
    const stuck = rowOf(m.container, 'local:k');
    expect(within(stuck).getByText('Stuck')).toBeTruthy();
    const gone = rowOf(m.container, 'up:p/g');
    expect(within(gone).getByText('no longer known to Universal Print')).toBeTruthy();
    expect(gone.classList.contains('is-gone')).toBe(true);
  });

  it("shows an upload's share beside its bar, and its bytes in the tooltip and to screen readers", async () => {
    const job = makeJob({ key: 'up:share-1/job-9', sourceId: 'up', sourceKind: 'graph', document: 'Scan.pdf', state: 'paused', rawState: 'paused/uploadPending' });
    m = await mount({ jobs: [job], sources });
    await act(async () => m!.bridge.emit('print:progress', { key: job.key, sentBytes: 250, totalBytes: 1000 }));
    const cell = await waitFor(() => {
      const c = rowOf(m!.container, job.key).querySelector<HTMLElement>('.cell-progress')!;
      expect(c.title).toMatch(/^Uploading /);
      return c;
    });
    const said = cell.querySelector('.visually-hidden')!;
    expect(said.textContent).toBe(cell.title);
    const shown = [...cell.querySelectorAll('span')].filter((e) => e !== said);
    expect(shown.map((e) => [e.textContent, e.getAttribute('aria-hidden')])).toEqual([['25%', 'true']]);
  });

  it('renders only a window of rows for 10,000 jobs and updates one of them in place', async () => {
    const jobs = Array.from({ length: 10_000 }, (_, i) => makeJob({ key: `local:${String(i).padStart(5, '0')}`, document: `Doc ${i}`, updatedAt: new Date(Date.parse('2026-03-02T00:00:00Z') + i * 1000).toISOString() }));
    m = await mount({ jobs, sources });
    const rows = rowKeys(m.container);
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(100);
    expect(rows[0]).toBe('local:09999');
    expect(screen.getByRole('grid').getAttribute('aria-rowcount')).toBe('10001');
    const row = rowOf(m.container, 'local:09998');
    act(() => m!.bridge.patch([{ type: 'changed', key: 'local:09998', changes: { rawState: '5 Printing', state: 'printing' } }]));
    expect(rowOf(m.container, 'local:09998')).toBe(row);
    expect(within(row).getByTestId('state-word').textContent).toBe('Printing');
  });
});
