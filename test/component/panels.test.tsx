// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/preact';
import type { ServiceInfo } from '../../preload/contract/contract';
import { AppFailure, type SourceHealth } from '../../preload/contract/model';
import { FakeBridge, makeHealth, makeJob, NOW } from '../helpers/fake-bridge';
import { mount, rowOf, unmount, type Mounted } from './harness';

let m: Mounted | undefined;
afterEach(() => {
  unmount(m);
  m = undefined;
});

const local = makeHealth({ id: 'local', name: 'This PC' });
const up = makeHealth({ id: 'up', kind: 'graph', name: 'Universal Print' });

function notices() {
  return screen.queryAllByTestId('notice').map((n) => [n.dataset.level, n.textContent]);
}

describe('keyboard', () => {
  it('moves with the arrows, opens details with Enter, asks before Delete cancels, Escape closes', async () => {
    m = await mount({
      jobs: [
        makeJob({ key: 'local:a', document: 'A.pdf', updatedAt: '2026-03-02T10:00:03Z' }),
        makeJob({ key: 'local:b', document: 'B.pdf', updatedAt: '2026-03-02T10:00:02Z' }),
        makeJob({ key: 'local:c', document: 'C.pdf', updatedAt: '2026-03-02T10:00:01Z' }),
      ],
      sources: [local],
    });
    const grid = screen.getByRole('grid');
    grid.focus();
    fireEvent.keyDown(grid, { key: 'ArrowDown' });
    expect(grid.getAttribute('aria-activedescendant')).toBe(rowOf(m.container, 'local:a').id);
    fireEvent.keyDown(grid, { key: 'ArrowDown' });
    expect(grid.getAttribute('aria-activedescendant')).toBe(rowOf(m.container, 'local:b').id);
    expect(rowOf(m.container, 'local:b').getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(grid, { key: 'End' });
    expect(grid.getAttribute('aria-activedescendant')).toBe(rowOf(m.container, 'local:c').id);
    fireEvent.keyDown(grid, { key: 'ArrowDown' });
    expect(grid.getAttribute('aria-activedescendant')).toBe(rowOf(m.container, 'local:c').id);
    fireEvent.keyDown(grid, { key: 'Home' });
    fireEvent.keyDown(grid, { key: 'ArrowDown', shiftKey: true });
    expect(m.store.selection.value).toEqual(new Set(['local:a', 'local:b']));
    fireEvent.keyDown(grid, { key: 'ArrowUp' });
    fireEvent.keyDown(grid, { key: 'Enter' });
    expect(screen.getByRole('complementary', { name: 'Details: A.pdf' })).toBeTruthy();
    fireEvent.keyDown(grid, { key: 'Delete' });
    const dialog = screen.getByRole('alertdialog');
    expect(within(dialog).getByText(/Cancel “A.pdf”/)).toBeTruthy();
    // The safe choice has the focus.
    expect(document.activeElement?.textContent).toBe('Keep');
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(document.activeElement).toBe(grid);
    expect(m.bridge.callsOf('cancelJob')).toHaveLength(0);
    fireEvent.keyDown(grid, { key: 'Escape' });
    expect(screen.queryByRole('complementary')).toBeNull();
    // Sorting is reachable from the keyboard: the header buttons are in the tab order.
    for (const b of within(grid).getAllByRole('button')) expect(b.tabIndex).toBe(0);
  });

  it('moves between settings tabs with the arrow keys', async () => {
    m = await mount({ sources: [local], settings: { version: 1, sources: [{ id: 'local', kind: 'scriptx' }] } });
    fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    const tabs = screen.getByRole('tablist');
    fireEvent.keyDown(tabs, { key: 'ArrowRight' });
    expect(screen.getByRole('tab', { name: 'Polling' }).getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(screen.getByRole('tab', { name: 'Polling' }));
    fireEvent.keyDown(tabs, { key: 'ArrowLeft' });
    fireEvent.keyDown(tabs, { key: 'ArrowLeft' });
    expect(screen.getByRole('tab', { name: 'General' }).getAttribute('aria-selected')).toBe('true');
    expect(screen.getByRole('tabpanel').getAttribute('aria-labelledby')).toBe('settings-tab-general');
  });
});

describe('the detail panel', () => {
  it('shows every field, the timeline, documents, tasks, events with more, and where it printed', async () => {
    const job = makeJob({
      key: 'up:p1/j1',
      sourceId: 'up',
      sourceKind: 'graph',
      document: 'Plan.pdf',
      state: 'processing',
      rawState: 'processing/transforming',
      detail: 'Converting the document.',
      extra: { redirectedTo: 'Floor 2 printer', jobType: 'print' },
    });
    m = await mount({
      jobs: [job],
      sources: [up],
      details: {
        'up:p1/j1': {
          timeline: [
            { at: '2026-03-02T09:58:00Z', state: 'queued', rawState: 'pending', detail: null },
            { at: '2026-03-02T09:59:00Z', state: 'processing', rawState: 'processing/transforming', detail: 'Converting the document.' },
          ],
          documents: [{ id: 'd1', name: 'Plan.pdf', contentType: 'application/pdf', size: 2048, uploadedAt: NOW, downloadedAt: null }],
          tasks: [{ id: 't1', state: 'processing', description: 'Universal Print connector' }],
          events: [{ message: 'Quota reached', severity: 'ERROR', timestamp: NOW }],
          eventsNextPageToken: 'page-2',
        },
      },
    });
    fireEvent.dblClick(rowOf(m.container, 'up:p1/j1'));
    const panel = screen.getByRole('complementary', { name: 'Details: Plan.pdf' });
    await waitFor(() => expect(within(panel).getByRole('heading', { name: 'Timeline' })).toBeTruthy());
    const items = panel.querySelectorAll('.timeline li');
    expect(items).toHaveLength(2);
    expect(items[0].textContent).toContain('Queued');
    expect(items[0].textContent).toContain('(pending)');
    expect(items[1].textContent).toContain('Converting the document.');
    expect(within(panel).getByText('Printed on').nextElementSibling?.textContent).toBe('Floor 2 printer');
    // The service's own code is a technical detail; the fields speak the plain vocabulary.
    const technical = within(panel).getByTestId('technical-details');
    expect(within(technical).getByText('Status code reported').nextElementSibling?.textContent).toBe('processing/transforming');
    expect(within(panel).getByText('State').nextElementSibling?.textContent).toBe('Processing');
    expect(within(panel).getByText('Id at the service').nextElementSibling?.textContent).toBe(job.nativeId);
    expect(within(panel).getByText('Universal Print connector')).toBeTruthy();
    expect(within(panel).getByText(/application\/pdf/)).toBeTruthy();
    expect(within(panel).getByText('Quota reached')).toBeTruthy();
    fireEvent.click(within(panel).getByRole('button', { name: 'More' }));
    await waitFor(() => expect(within(panel).getByText('Older event')).toBeTruthy());
    expect(within(panel).queryByRole('button', { name: 'More' })).toBeNull();
    expect(m.bridge.callsOf('getJobDetails').at(-1)).toEqual({ key: 'up:p1/j1', eventsPageToken: 'page-2' });
  });

  it('keeps the job’s fields and says why when the details cannot be loaded', async () => {
    m = await mount({ jobs: [makeJob({ key: 'local:a', document: 'A.pdf' })], sources: [local] });
    m.bridge.override('getJobDetails', async () => {
      throw new AppFailure('unreachable', 'ScriptX.Services could not be reached.');
    });
    fireEvent.dblClick(rowOf(m.container, 'local:a'));
    const panel = screen.getByRole('complementary');
    await waitFor(() => expect(within(panel).getByText('Details could not be loaded: ScriptX.Services could not be reached.')).toBeTruthy());
    expect(within(panel).getByText('Document').nextElementSibling?.textContent).toBe('A.pdf');
  });

  it('reloads the timeline when the job changes state', async () => {
    m = await mount({ jobs: [makeJob({ key: 'local:a' })], sources: [local] });
    fireEvent.dblClick(rowOf(m.container, 'local:a'));
    await waitFor(() => expect(m!.bridge.callsOf('getJobDetails')).toHaveLength(1));
    act(() => m!.bridge.patch([{ type: 'changed', key: 'local:a', changes: { state: 'printing', rawState: '5 Printing', updatedAt: '2026-03-02T10:01:00Z' } }]));
    await waitFor(() => expect(m!.bridge.callsOf('getJobDetails')).toHaveLength(2));
  });
});

describe('empty states and load errors', () => {
  it('tells a new user to add a source', async () => {
    m = await mount({});
    expect(screen.getByRole('heading', { name: 'No print service is set up yet' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Add a source' }));
    expect(screen.getByRole('tab', { name: 'Sources' }).getAttribute('aria-selected')).toBe('true');
  });

  it('names each source that is down and offers sign-in where it is needed', async () => {
    m = await mount({
      sources: [makeHealth({ id: 'local', name: 'This PC', status: 'down', message: 'Nothing answers on 127.0.0.1:41191.' }), makeHealth({ id: 'up', kind: 'graph', name: 'Universal Print', status: 'auth-required', message: 'Sign in to see jobs.' })],
    });
    expect(screen.getByRole('heading', { name: 'Sign-in needed' })).toBeTruthy();
    expect(within(m.container.querySelector<HTMLElement>('.empty')!).getByText(/Nothing answers on 127.0.0.1:41191./)).toBeTruthy();
    // The outage banner over the queue says it too: the two in one banner, each one's details on demand.
    const banner = screen.getByTestId('outage-banner');
    fireEvent.click(within(banner).getByRole('button', { name: 'Details' }));
    expect(within(banner).getByText(/Nothing answers on 127.0.0.1:41191./)).toBeTruthy();
    fireEvent.click(within(m.container.querySelector<HTMLElement>('.empty')!).getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(notices()).toContainEqual(['info', expect.stringContaining('Universal Print: Signed in as alice@contoso.com.')]));
    expect(m.bridge.callsOf('signIn')).toEqual([{ sourceId: 'up' }]);
  });

  it('shows where a sign-in stands: in the browser, a device code with the time left, or why it failed', async () => {
    m = await mount({ sources: [makeHealth({ id: 'up', kind: 'graph', name: 'Universal Print', status: 'auth-required', message: 'Sign in to see jobs.' })] });
    let finish!: (r: SourceHealth) => void;
    m.bridge.override('signIn', () => new Promise((r) => (finish = r)));
    fireEvent.click(screen.getByRole('button', { name: /^Sources/ }));
    const dialog = await screen.findByTestId('sources-dialog');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Sign in' }));
    const busy = await within(dialog).findByRole('button', { name: 'Signing in…' });
    expect((busy as HTMLButtonElement).disabled).toBe(true);
    act(() => m!.bridge.emit('signin:progress', { sourceId: 'up', stage: 'browser', url: 'https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?x=1' }));
    const progress = within(dialog).getByTestId('signin-progress');
    expect(progress.textContent).toContain('Complete the sign-in in your browser.');
    expect(within(progress).getByRole('link', { name: 'Open the sign-in page again' }).getAttribute('href')).toBe('https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?x=1');
    const expiresAt = new Date(Date.now() + 14 * 60_000 + 30_500).toISOString();
    act(() => m!.bridge.emit('signin:progress', { sourceId: 'up', stage: 'device-code', userCode: 'ABCD-EFGH', verificationUri: 'https://microsoft.com/devicelogin', expiresAt, message: 'To sign in, use a web browser…' }));
    const code = within(dialog).getByTestId('signin-progress');
    expect(code.textContent).toContain('Go to https://microsoft.com/devicelogin and enter the code ABCD-EFGH');
    expect(code.textContent).toMatch(/The code expires in 14:(30|29)\./);
    expect(within(code).getByRole('button', { name: 'Copy code' })).toBeTruthy();
    await act(async () => finish({ ...makeHealth({ id: 'up', kind: 'graph', name: 'Universal Print' }), message: 'Signed in as alice@contoso.com.' }));
    await waitFor(() => expect(within(dialog).queryByTestId('signin-progress')).toBeNull());

    act(() => m!.bridge.emit('signin:progress', { sourceId: 'up', stage: 'failed', message: 'The code expired before it was entered.' }));
    expect(within(dialog).getByRole('alert').textContent).toBe('The sign-in did not complete: The code expired before it was entered.');
  });

  it('says there are no jobs and offers tracking one', async () => {
    m = await mount({ sources: [local] });
    expect(screen.getByRole('heading', { name: 'No print jobs right now' })).toBeTruthy();
  });

  it('points to the finished jobs when none is active', async () => {
    m = await mount({ sources: [local], jobs: [makeJob({ state: 'completed' })] });
    expect(screen.getByText('No active print jobs. Switch to Finished or All to see earlier ones.')).toBeTruthy();
    fireEvent.click(within(m.container.querySelector('.empty')!).getByRole('button', { name: 'All' }));
    expect(m.container.querySelectorAll('.grid-body [role="row"]')).toHaveLength(1);
  });

  it('shows why the queue could not load and tries again', async () => {
    const bridge = new FakeBridge({ sources: [local], jobs: [makeJob({ key: 'local:a' })] });
    const real = bridge.handlers.getSnapshot;
    bridge.override('getSnapshot', async () => {
      throw new AppFailure('internal', 'The queue engine is not running.');
    });
    m = await mount(bridge);
    expect(screen.getByTestId('load-error').textContent).toContain('The print queue could not be loaded: The queue engine is not running.');
    bridge.override('getSnapshot', real);
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(rowOf(m!.container, 'local:a')).toBeTruthy());
  });

  it('shows the paused banner and resumes', async () => {
    const bridge = new FakeBridge({ sources: [local] });
    bridge.paused = { until: null };
    m = await mount(bridge);
    expect(screen.getByText('Monitoring is paused. Jobs shown are not being updated.')).toBeTruthy();
    fireEvent.click(within(screen.getByText(/Monitoring is paused/).closest('.banner')!).getByRole('button', { name: 'Resume monitoring' }));
    await waitFor(() => expect(screen.queryByText(/Monitoring is paused/)).toBeNull());
  });
});

describe('the sources panel', () => {
  it('shows each source’s health, last poll, reason and printers; refresh now and sign in', async () => {
    m = await mount({
      sources: [
        makeHealth({ id: 'local', name: 'This PC', detail: { printers: [{ name: 'HP 1', status: 'offline', message: 'Paper jam' }] } }),
        makeHealth({ id: 'up', kind: 'graph', name: 'Universal Print', status: 'auth-required', message: 'The sign-in expired.', lastSuccessAt: null }),
        makeHealth({ id: 'ao', kind: 'aodocs', name: 'AODocs', status: 'degraded', message: 'The service answered 503: try again later.' }),
      ],
    });
    fireEvent.click(screen.getByRole('button', { name: /^Sources/ }));
    const dialog = screen.getByRole('dialog', { name: 'Sources' });
    const lines = dialog.querySelectorAll<HTMLElement>('[data-source]');
    expect([...lines].map((l) => l.dataset.source)).toEqual(['local', 'up', 'ao']);
    expect(within(lines[0]).getByText('OK')).toBeTruthy();
    expect(within(lines[0]).getByText(/Last successful poll:/)).toBeTruthy();
    expect(within(lines[0]).getByText('Paper jam')).toBeTruthy();
    expect(within(lines[1]).getByText('Sign-in needed')).toBeTruthy();
    expect(within(lines[1]).getByText('No successful poll yet')).toBeTruthy();
    expect(within(lines[2]).getByText('The service answered 503: try again later.')).toBeTruthy();
    expect(within(lines[0]).queryByRole('button', { name: 'Sign in' })).toBeNull();
    fireEvent.click(within(lines[2]).getByRole('button', { name: 'Refresh now' }));
    await waitFor(() => expect(m!.bridge.callsOf('refreshNow')).toEqual([{ sourceId: 'ao' }]));
    fireEvent.click(within(lines[1]).getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(within(dialog.querySelector<HTMLElement>('[data-source="up"]')!).getByText('OK')).toBeTruthy());
  });

  it('shows a source not polled yet as being checked, not as OK', async () => {
    // As the app reports a source before its first poll has answered (main/queue/scheduler.ts).
    m = await mount({ sources: [makeHealth({ id: 'local', name: 'This PC', message: 'Not checked yet.', lastSuccessAt: null, lastErrorAt: null }), makeHealth({ id: 'up', kind: 'graph', name: 'Universal Print' })] });
    fireEvent.click(screen.getByRole('button', { name: /^Sources/ }));
    const dialog = screen.getByRole('dialog', { name: 'Sources' });
    const local = dialog.querySelector<HTMLElement>('[data-source="local"]')!;
    expect(local.querySelector('.badge')?.textContent).toBe('Checking…');
    expect(within(local).queryByText('OK')).toBeNull();
    expect(within(dialog.querySelector<HTMLElement>('[data-source="up"]')!).getByText('OK')).toBeTruthy();
    // Its first answer, whatever it is, replaces it.
    await act(async () => m!.bridge.emit('source:health', makeHealth({ id: 'local', name: 'This PC', status: 'down', message: 'Nothing answers.', lastSuccessAt: null, lastErrorAt: NOW })));
    expect(dialog.querySelector<HTMLElement>('[data-source="local"] .badge')?.textContent).toBe('Down');
  });

  it('signs out of Universal Print', async () => {
    m = await mount({ sources: [local, up] });
    fireEvent.click(screen.getByRole('button', { name: /^Sources/ }));
    const line = screen.getByRole('dialog', { name: 'Sources' }).querySelector<HTMLElement>('[data-source="up"]')!;
    expect(within(screen.getByRole('dialog', { name: 'Sources' }).querySelector<HTMLElement>('[data-source="local"]')!).queryByRole('button', { name: 'Sign out' })).toBeNull();
    fireEvent.click(within(line).getByRole('button', { name: 'Sign out' }));
    await waitFor(() => expect(line.dataset.status).toBe('auth-required'));
    expect(within(line).getByRole('button', { name: 'Sign in' })).toBeTruthy();
  });

  it('offers what each source declares it can do, whatever its kind', async () => {
    const none = { ...up.capabilities, signIn: false, signOut: false, servicePanel: false, track: false, print: false };
    m = await mount({
      sources: [
        // A ScriptX source without a service panel, a Universal Print source that cannot sign in
        // (it has a stored token), and an AODocs source that declares a service panel and printing.
        makeHealth({ id: 'local', name: 'This PC', capabilities: { ...local.capabilities, servicePanel: false, print: false } }),
        makeHealth({ id: 'up', kind: 'graph', name: 'Universal Print', status: 'auth-required', capabilities: none }),
        makeHealth({ id: 'ao', kind: 'aodocs', name: 'AODocs', capabilities: { ...none, servicePanel: true, print: true, track: true } }),
      ],
      settings: { version: 1, sources: [{ id: 'local', kind: 'scriptx', name: 'This PC' }, { id: 'up', kind: 'graph', name: 'Universal Print', shares: 'all' }, { id: 'ao', kind: 'aodocs', name: 'AODocs', libraryIds: ['lib1'] }] },
    });
    fireEvent.click(screen.getByRole('button', { name: /^Sources/ }));
    const dialog = screen.getByRole('dialog', { name: 'Sources' });
    const line = (id: string) => dialog.querySelector<HTMLElement>(`[data-source="${id}"]`)!;
    expect(within(line('local')).queryByRole('button', { name: 'Service…' })).toBeNull();
    expect(within(line('up')).queryByRole('button', { name: 'Sign out' })).toBeNull();
    expect(within(line('ao')).getByRole('button', { name: 'Service…' })).toBeTruthy();
    // A source without an interactive sign-in: "Sign in" opens its settings, where its credential goes.
    fireEvent.click(within(line('up')).getByRole('button', { name: 'Sign in' }));
    expect(within(screen.getByTestId('source-editor')).getByRole('heading').textContent).toMatch(/^Edit Universal Print/);
    expect(m!.bridge.callsOf('signIn')).toHaveLength(0);
    fireEvent.click(within(screen.getByTestId('settings-dialog')).getByRole('button', { name: 'Close' }));
    // Print and Track list only the sources that can.
    fireEvent.click(screen.getByRole('button', { name: 'Print…' }));
    const sourceChoices = (testId: string) => [...screen.getByTestId(testId).querySelector('select')!.options].map((o) => o.textContent);
    expect(sourceChoices('print-dialog')).toEqual(['AODocs']);
    fireEvent.click(within(screen.getByTestId('print-dialog')).getByRole('button', { name: 'Cancel' }));
    fireEvent.click(screen.getAllByRole('button', { name: 'Track a job…' })[0]!);
    expect(sourceChoices('track-dialog')).toEqual(['This PC', 'AODocs']);
    // The stuck help offers the service panel of a source that has one, whatever its kind.
    act(() => m!.bridge.patch([{ type: 'added', job: makeJob({ key: 'ao:j1', sourceId: 'ao', sourceKind: 'aodocs', state: 'processing', stuck: true }) }]));
    act(() => m!.store.openDetails('ao:j1'));
    expect(within(screen.getByTestId('stuck-help')).getByRole('button', { name: /Restart the service/ })).toBeTruthy();
  });

  it('follows health events', async () => {
    m = await mount({ sources: [local] });
    fireEvent.click(screen.getByRole('button', { name: /^Sources/ }));
    act(() => m!.bridge.emit('source:health', { ...local, status: 'down', message: 'Connection refused.' }));
    expect(screen.getByText('Connection refused.')).toBeTruthy();
    expect(screen.getByText('Down')).toBeTruthy();
  });
});

describe('the ScriptX service panel', () => {
  const info: ServiceInfo = {
    sourceId: 'local',
    reachable: true,
    baseUrl: 'http://127.0.0.1:41191',
    foundBy: 'orchestrator',
    serviceClass: 'ScriptX.Services for Windows PC',
    version: '2.23.1',
    license: { company: 'Contoso', validFrom: '2026-01-01T00:00:00Z', validTo: '2026-03-10T00:00:00Z', expiresInDays: 8, options: {}, domains: [] },
    printers: [
      { name: 'HP 1', status: 'ready', isDefault: true, isLocal: true, isNetwork: false, location: null },
      { name: 'HP 2', status: 'ready', isDefault: false, isLocal: true, isNetwork: false, location: null },
    ],
    defaultPrinter: 'HP 1',
    canControl: { start: false, stop: true, restart: true },
    needsAdmin: { start: false, stop: false, restart: false },
    message: null,
  };

  it('shows where and how the service was found, the license expiry, printers and controls', async () => {
    m = await mount({ sources: [local], serviceInfo: info });
    fireEvent.click(screen.getByRole('button', { name: /^Sources/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Service…' }));
    const dialog = await screen.findByRole('dialog', { name: 'ScriptX.Services: This PC' });
    await waitFor(() => expect(within(dialog).getByText('Found at http://127.0.0.1:41191 by orchestrator')).toBeTruthy());
    expect(within(dialog).getByText('2.23.1')).toBeTruthy();
    expect(within(dialog).getByRole('alert').textContent).toBe('The license expires in 8 days. Renew it to keep printing.');
    expect(within(dialog).queryByRole('button', { name: 'Start' })).toBeNull();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Make default' }));
    await waitFor(() => expect(within(dialog).getByText('Default printer:').querySelector('strong')?.textContent).toBe('HP 2'));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Restart' }));
    await waitFor(() => expect(within(dialog).getByText('Service restart done.')).toBeTruthy());
    expect(m.bridge.callsOf('serviceAction')).toEqual([
      { sourceId: 'local', action: 'setDefaultPrinter', printer: 'HP 2' },
      { sourceId: 'local', action: 'restart' },
    ]);
  });

  it('says why the service could not be asked, and why an action failed', async () => {
    m = await mount({ sources: [local] });
    fireEvent.click(screen.getByRole('button', { name: /^Sources/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Service…' }));
    await waitFor(() => expect(screen.getByText('ScriptX.Services did not answer on 127.0.0.1:41191.')).toBeTruthy());
    unmount(m);
    m = await mount({ sources: [local], serviceInfo: info });
    m.bridge.override('serviceAction', async () => {
      throw new AppFailure('internal', 'The stop command exited with code 5 (access denied).');
    });
    m.store.panel.value = { kind: 'service', sourceId: 'local' };
    const dialog = await screen.findByRole('dialog', { name: 'ScriptX.Services: This PC' });
    await waitFor(() => within(dialog).getByRole('button', { name: 'Stop' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Stop' }));
    await waitFor(() => expect(within(dialog).getAllByRole('alert').map((a) => a.textContent)).toContain('The service did not do it: The stop command exited with code 5 (access denied).'));
  });

  it('says before it happens that Windows will ask for administrator rights, and shows a declined prompt as canceled, not as a failure', async () => {
    m = await mount({ sources: [local], serviceInfo: { ...info, canControl: { start: true, stop: true, restart: true }, needsAdmin: { start: true, stop: true, restart: true } } });
    m.bridge.override('serviceAction', async () => {
      throw new AppFailure('canceled', 'You canceled the administrator prompt, so ScriptX.Services was not stopped.');
    });
    m.store.panel.value = { kind: 'service', sourceId: 'local' };
    const dialog = await screen.findByRole('dialog', { name: 'ScriptX.Services: This PC' });
    await waitFor(() => within(dialog).getByRole('button', { name: 'Stop' }));
    expect(within(dialog).getByTestId('service-admin-note').textContent).toBe('Windows asks for administrator rights (a User Account Control prompt) to start, stop or restart this service.');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Stop' }));
    await waitFor(() => expect(within(dialog).getByText('You canceled the administrator prompt, so ScriptX.Services was not stopped.').getAttribute('role')).toBe('status'));
    expect(within(dialog).queryByText(/The service did not do it/)).toBeNull();
  });
});

describe('the window shell', () => {
  it('shows a lost connection to the app and follows the theme choice', async () => {
    m = await mount({ sources: [local], settings: { version: 1, sources: [], ui: { theme: 'light' } } });
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe('light'));
    act(() => {
      m!.store.connection.value = 'The connection to the preview server was lost; reconnecting…';
    });
    expect(screen.getByTestId('connection-banner').textContent).toBe('The connection to the preview server was lost; reconnecting…');
    act(() => {
      m!.store.ui.value = { ...m!.store.ui.value, theme: 'system' };
    });
    await waitFor(() => expect(document.documentElement.dataset.theme).toBeUndefined());
  });

  it('shows notices from the app and lets the user dismiss them', async () => {
    m = await mount({ sources: [local] });
    act(() => m!.bridge.emit('app:notice', { level: 'error', message: 'The settings file could not be read.' }));
    const notice = screen.getByRole('alert');
    expect(notice.textContent).toContain('The settings file could not be read.');
    fireEvent.click(within(notice).getByRole('button', { name: 'Dismiss notification' }));
    expect(screen.queryByText('The settings file could not be read.')).toBeNull();
  });

  it('opens a job asked for by a notification or deep link', async () => {
    m = await mount({ sources: [local], jobs: [makeJob({ key: 'local:tok-1', document: 'Linked.pdf' })] });
    act(() => m!.bridge.emit('app:navigate', { key: 'local:tok-1' }));
    expect(screen.getByRole('complementary', { name: 'Details: Linked.pdf' })).toBeTruthy();
    act(() => m!.bridge.emit('app:navigate', { key: 'local:unknown' }));
    expect(notices()).toContainEqual(['warning', expect.stringContaining('That job is no longer in the queue.')]);
  });
});
