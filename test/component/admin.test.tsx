// @vitest-environment happy-dom
/**
 * The admin's view of the queue: printers and their health, the outage banner, the summary strip
 * and the Stuck filter, filter menus that close like menus, filters restored from last time, and
 * the export of exactly what the window shows.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { FakeBridge, makeHealth, makeJob, NOW } from '../helpers/fake-bridge';
import type { Printer } from '../../preload/contract/model';
import { mount, rowKeys, unmount, type Mounted } from './harness';

let m: Mounted | undefined;
afterEach(() => {
  unmount(m);
  m = undefined;
  vi.restoreAllMocks();
});

const sources = [
  makeHealth({ id: 'local', name: 'This PC' }),
  makeHealth({ id: 'up', kind: 'graph', name: 'Universal Print' }),
  makeHealth({ id: 'cups', kind: 'ipp', name: 'Office CUPS' }),
];

function printer(over: Partial<Printer> & Pick<Printer, 'sourceId' | 'name'>): Printer {
  return { key: `${over.sourceId}:${over.name}`, sourceKind: 'ipp', id: over.name, state: 'ready', reasons: [], acceptingJobs: true, activeJobs: 0, stuckJobs: 0, ...over };
}

const printers: Printer[] = [
  printer({ sourceId: 'cups', name: 'Laser-2', state: 'stopped', reasons: ['Paper jam'], acceptingJobs: false, activeJobs: 2, stuckJobs: 1 }),
  printer({ sourceId: 'cups', name: 'Idle-1', state: 'ready', reasons: ['Toner low'] }),
  printer({ sourceId: 'up', sourceKind: 'graph', name: 'Floor 3', state: 'offline', reasons: ['The printer is offline'], activeJobs: 1 }),
];

function sample() {
  return [
    makeJob({ key: 'local:a', document: '=HYPERLINK("x")', owner: 'alice', printer: 'HP 1', state: 'printing', progress: 0.5, pages: 4, sizeBytes: 2048, createdAt: '2026-03-02T09:59:00.000Z', updatedAt: '2026-03-02T10:00:03.000Z' }),
    makeJob({ key: 'local:b', document: 'Budget, Q1.xlsx', owner: 'bob', printer: 'HP 2', state: 'queued', stuck: true, reason: 'Waiting for the printer', updatedAt: '2026-03-02T10:00:02.000Z' }),
    makeJob({ key: 'cups:7', sourceId: 'cups', sourceKind: 'ipp', nativeId: '7', document: 'Report.pdf', printer: 'Laser-2', state: 'paused', stuck: true, updatedAt: '2026-03-02T10:00:01.000Z' }),
    makeJob({ key: 'cups:8', sourceId: 'cups', sourceKind: 'ipp', nativeId: '8', document: 'Memo.pdf', printer: 'Laser-2', state: 'queued', updatedAt: '2026-03-02T10:00:00.000Z' }),
    makeJob({ key: 'up:p1/e', sourceId: 'up', sourceKind: 'graph', document: 'Failed.pdf', printer: 'Floor 3', state: 'failed', updatedAt: '2026-03-02T08:00:00.000Z' }),
  ];
}

async function mountWith(opts: ConstructorParameters<typeof FakeBridge>[0] = {}): Promise<Mounted> {
  return mount(new FakeBridge({ jobs: sample(), sources, printers, ...opts }));
}

/** RFC 4180 parsing, enough to check an export cell by cell. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    }
    else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  expect(cell).toBe('');
  expect(row).toEqual([]);
  return rows;
}

/** The file the window hands to the download: its suggested name, and its text with a byte order mark kept. */
async function exported(item: RegExp): Promise<{ name: string; text: string }> {
  let blob: Blob | null = null;
  let name = '';
  vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => ((blob = b as Blob), 'blob:export'));
  vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    name = this.download;
  });
  fireEvent.click(screen.getByText('Export'));
  fireEvent.click(screen.getByRole('button', { name: item }));
  expect(blob).not.toBeNull();
  return { name, text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(await blob!.arrayBuffer()) };
}

const localTime = (iso: string) => new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' }).format(new Date(iso));

describe('printers and their health', () => {
  it('lists every source\'s printers with plain state, reasons, counts; Cancel all asks first', async () => {
    m = await mountWith();
    const view = screen.getByTestId('printers-view');
    // Closed, it counts them without listing them: the same five printers.
    expect(view.querySelector('summary')!.textContent).toMatch(/\(5\)$/);
    fireEvent.click(view.querySelector('summary')!);
    const rows = within(view).getAllByTestId('printer-row');
    // Described printers and printers only ScriptX jobs name: stopped or offline first, then one
    // with a stuck job, then the others, each group by source then name.
    expect(rows.map((r) => r.dataset.key)).toEqual(['cups:Laser-2', 'up:Floor 3', 'local:HP 2', 'cups:Idle-1', 'local:HP 1']);
    const laser = rows.find((r) => r.dataset.key === 'cups:Laser-2')!;
    expect(within(laser).getByTestId('printer-state').textContent).toBe('Stopped');
    expect(within(laser).getByTestId('printer-not-accepting').textContent).toBe('Not accepting jobs');
    expect(within(laser).getByTestId('printer-reasons').textContent).toBe('Paper jam');
    expect(within(laser).getByText('Office CUPS')).toBeTruthy();
    const floor = rows.find((r) => r.dataset.key === 'up:Floor 3')!;
    expect(within(floor).getByTestId('printer-state').textContent).toBe('Offline');
    const hp1 = rows.find((r) => r.dataset.key === 'local:HP 1')!;
    expect(within(hp1).getByTestId('printer-state').textContent).toBe('Printing');
    const idle = rows.find((r) => r.dataset.key === 'cups:Idle-1')!;
    expect((within(idle).getByRole('button', { name: /Cancel all on this printer/ }) as HTMLButtonElement).disabled).toBe(true);

    fireEvent.click(within(laser).getByRole('button', { name: 'Cancel all on this printer: Laser-2' }));
    const dialog = await screen.findByTestId('confirm-dialog');
    expect(dialog.textContent).toContain('Laser-2');
    fireEvent.click(within(dialog).getByRole('button', { name: /Cancel/ }));
    await waitFor(() => expect(m!.store.jobs.get('cups:7')!.state).toBe('canceled'));
    await waitFor(() => expect(m!.store.jobs.get('cups:8')!.state).toBe('canceled'));
    expect(m.store.jobs.get('local:b')!.state).toBe('queued');
  });

  it('follows printers:changed, and the job\'s detail shows its printer\'s state chip', async () => {
    m = await mountWith();
    act(() => m!.bridge.emit('printers:changed', { printers: [{ ...printers[0]!, state: 'printing', reasons: [], acceptingJobs: true }] }));
    act(() => m!.store.openDetails('cups:7'));
    // Beside the job's own state, the chip says it is the printer's.
    const panel = await screen.findByRole('complementary');
    expect(within(panel).getByTestId('printer-state').textContent).toBe('Printer is printing');
  });

  it('the Printer filter lists every source\'s printers by name', async () => {
    m = await mountWith();
    const bar = screen.getByTestId('filter-bar');
    fireEvent.click(within(bar).getByText(/^Printer:/));
    const names = within(bar).getAllByRole('checkbox').map((c) => c.parentElement!.textContent);
    for (const n of ['Idle-1', 'Laser-2', 'Floor 3', 'HP 1', 'HP 2']) expect(names).toContain(n);
  });
});

describe('outages and the summary strip', () => {
  it('an outage is a banner naming the source, what failed and what to do', async () => {
    m = await mountWith();
    expect(screen.queryByTestId('outage-banner')).toBeNull();
    act(() => m!.bridge.emit('source:health', makeHealth({ id: 'up', kind: 'graph', name: 'Universal Print', status: 'down', message: 'graph.microsoft.com did not answer within 15 s' })));
    const banner = await screen.findByTestId('outage-banner');
    expect(within(banner).getByRole('alert').textContent).toBe('Universal Print cannot be reached.');
    expect(banner.textContent).toContain('What failed: graph.microsoft.com did not answer within 15 s');
    expect(banner.textContent).toContain('Check the connection');
    fireEvent.click(within(banner).getByRole('button', { name: 'Open Sources' }));
    expect(m.store.panel.value).toEqual({ kind: 'sources' });
    act(() => m!.bridge.emit('source:health', makeHealth({ id: 'up', kind: 'graph', name: 'Universal Print', status: 'auth-required', message: 'The sign-in expired' })));
    await waitFor(() => expect(screen.getByTestId('outage-banner').textContent).toContain('Universal Print needs you to sign in'));
  });

  it('counts by state and stuck, each a one-click filter', async () => {
    m = await mountWith();
    const strip = screen.getByTestId('summary-strip');
    expect(strip.textContent).toBe('1 printing · 2 queued · 1 paused · 1 failed · 2 stuck');
    fireEvent.click(within(strip).getByRole('button', { name: '2 stuck' }));
    await waitFor(() => expect(rowKeys(m!.container)).toEqual(['local:b', 'cups:7']));
    expect(within(strip).getByRole('button', { name: '2 stuck' }).getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(within(strip).getByRole('button', { name: '1 failed' }));
    await waitFor(() => expect(rowKeys(m!.container)).toEqual(['up:p1/e']));
    fireEvent.click(within(strip).getByRole('button', { name: '1 failed' }));
    await waitFor(() => expect(m!.store.ui.value.stateFilter).toEqual([]));
  });
});

describe('filters', () => {
  it('Stuck only shows only the jobs flagged stuck', async () => {
    m = await mountWith();
    expect(rowKeys(m.container)).toEqual(['local:a', 'local:b', 'cups:7', 'cups:8']);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Stuck only' }));
    await waitFor(() => expect(rowKeys(m!.container)).toEqual(['local:b', 'cups:7']));
  });

  it('menus close on an outside click and on Escape', async () => {
    m = await mountWith();
    const bar = screen.getByTestId('filter-bar');
    const menu = within(bar).getByText(/^Printer:/).closest('details')!;
    menu.open = true;
    fireEvent.pointerDown(within(bar).getByRole('checkbox', { name: 'Laser-2' }));
    expect(menu.open).toBe(true);
    fireEvent.pointerDown(document.body);
    expect(menu.open).toBe(false);
    menu.open = true;
    within(bar).getByRole('checkbox', { name: 'Laser-2' }).focus();
    fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    expect(menu.open).toBe(false);
    expect(document.activeElement).toBe(menu.querySelector('summary'));
  });

  it('filters restored from last time are said, with Clear', async () => {
    m = await mountWith({ settings: { version: 1, sources: [], ui: { stuckOnly: true, search: 'report' } } });
    expect(rowKeys(m.container)).toEqual(['cups:7']);
    const note = screen.getByTestId('filters-restored');
    expect(note.textContent).toContain('Filters from last time are applied.');
    fireEvent.click(within(note).getByRole('button', { name: 'Clear' }));
    await waitFor(() => expect(rowKeys(m!.container)).toEqual(['local:a', 'local:b', 'cups:7', 'cups:8']));
    expect(screen.queryByTestId('filters-restored')).toBeNull();
  });

  it('a filter the user chooses now is not called restored', async () => {
    m = await mountWith();
    fireEvent.click(screen.getByRole('checkbox', { name: 'Stuck only' }));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Clear filters' })).toBeTruthy());
    expect(screen.queryByTestId('filters-restored')).toBeNull();
  });
});

describe('export of what the window shows', () => {
  it('CSV of the filtered, searched and sorted view: human headings, local times, every column, formulas neutralised', async () => {
    m = await mountWith();
    act(() => m!.store.updateUi({ sourceFilter: ['local'], sort: { key: 'document', dir: 'asc' } }));
    await waitFor(() => expect(rowKeys(m!.container)).toEqual(['local:a', 'local:b']));
    const { name, text } = await exported(/^CSV of this view/);
    expect(name).toMatch(/^print-queue-\d{4}-\d{2}-\d{2}\.csv$/);
    // A file for Excel, like the history export: the UTF-8 byte order mark first, without which
    // Excel on Windows reads the names in the PC's ANSI code page.
    expect(text.startsWith('\uFEFFSource,')).toBe(true);
    const rows = parseCsv(text.slice(1));
    expect(rows).toEqual([
      ['Source', 'Printer or library', 'Document', 'Owner', 'State', 'Progress (%)', 'Pages', 'Size (bytes)', 'Submitted', 'Updated'],
      ['This PC', 'HP 1', `'=HYPERLINK("x")`, 'alice', 'Printing', '50', '4', '2048', localTime('2026-03-02T09:59:00.000Z'), localTime('2026-03-02T10:00:03.000Z')],
      ['This PC', 'HP 2', 'Budget, Q1.xlsx', 'bob', 'Queued — Stuck — Waiting for the printer', '', '', '', localTime(NOW), localTime('2026-03-02T10:00:02.000Z')],
    ]);
  });

  it('JSON of the view, with the same headings', async () => {
    m = await mountWith();
    act(() => m!.store.updateUi({ stuckOnly: true }));
    await waitFor(() => expect(rowKeys(m!.container)).toEqual(['local:b', 'cups:7']));
    const { name, text } = await exported(/^JSON of this view/);
    expect(name).toMatch(/\.json$/);
    expect(text.startsWith('[')).toBe(true);
    const rows = JSON.parse(text) as Record<string, unknown>[];
    expect(rows.map((r) => r.Document)).toEqual(['Budget, Q1.xlsx', 'Report.pdf']);
    expect(rows[1]).toMatchObject({ Source: 'Office CUPS', 'Printer or library': 'Laser-2', State: 'Paused — Stuck', Pages: null });
  });
});
