// @vitest-environment happy-dom
/**
 * The admin chasing a stuck job: "Open the queue of <printer>" shows that printer's whole queue
 * whatever filter led there; the Printers view puts the printers that need attention first, tells a
 * paused printer from a stopped one, opens a printer's queue from its row ("Show jobs", the stuck
 * count for its stuck jobs); and a printer whose jobs cannot be canceled says so, not that it has none.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import type { Printer } from '../../preload/contract/model';
import { makeHealth, makeJob } from '../helpers/fake-bridge';
import { mount, rowKeys, rowOf, unmount, type Mounted } from './harness';

let m: Mounted | undefined;
afterEach(() => {
  unmount(m);
  m = undefined;
});

const sources = [makeHealth({ id: 'local', name: 'This PC' }), makeHealth({ id: 'cups', kind: 'ipp', name: 'Office CUPS' })];

function printer(over: Partial<Printer> & Pick<Printer, 'sourceId' | 'name'>): Printer {
  return { key: `${over.sourceId}:${over.name}`, sourceKind: 'ipp', id: over.name, state: 'ready', reasons: [], acceptingJobs: true, activeJobs: 0, stuckJobs: 0, ...over };
}

describe('the queue of a stuck job\'s printer', () => {
  // The stuck job, the job ahead of it that holds the printer, and a job elsewhere.
  const jobs = () => [
    makeJob({ key: 'local:stuck', document: 'Invoice.pdf', printer: 'HP 1', state: 'queued', stuck: true, stuckSince: '2026-03-02T09:00:00.000Z' }),
    makeJob({ key: 'local:ahead', document: 'Huge scan.pdf', printer: 'HP 1', state: 'printing', mine: false, owner: 'bob' }),
    makeJob({ key: 'local:other', document: 'Letter.pdf', printer: 'HP 2', state: 'queued' }),
  ];

  it('from the stuck help: every job of that printer, not only the stuck ones the summary chose', async () => {
    m = await mount({ jobs: jobs(), sources });
    // The admin comes from "1 stuck" in the summary strip, with a search and "My jobs only" on.
    fireEvent.click(within(screen.getByTestId('summary-strip')).getByRole('button', { name: '1 stuck' }));
    m.store.updateUi({ search: 'Invoice', mineOnly: true });
    await waitFor(() => expect(rowKeys(m!.container)).toEqual(['local:stuck']));
    fireEvent.dblClick(rowOf(m.container, 'local:stuck'));
    const help = await screen.findByTestId('stuck-help');
    fireEvent.click(within(help).getByRole('button', { name: 'Open the queue of HP 1' }));
    await waitFor(() => expect(new Set(rowKeys(m!.container))).toEqual(new Set(['local:stuck', 'local:ahead'])));
    expect(m.store.ui.value).toMatchObject({ printerFilter: ['HP 1'], sourceFilter: ['local'], stuckOnly: false, stateFilter: [], search: '', mineOnly: false });
  });

  it('from the row menu: "Show jobs on" the printer drops the other filters too', async () => {
    m = await mount({ jobs: jobs(), sources });
    m.store.updateUi({ stateFilter: ['queued'] });
    await waitFor(() => expect(new Set(rowKeys(m!.container))).toEqual(new Set(['local:stuck', 'local:other'])));
    fireEvent.contextMenu(rowOf(m.container, 'local:stuck'), { clientX: 10, clientY: 10 });
    fireEvent.click(screen.getByTestId('row-menu').querySelector<HTMLElement>('[data-item="printer"]')!);
    await waitFor(() => expect(new Set(rowKeys(m!.container))).toEqual(new Set(['local:stuck', 'local:ahead'])));
  });
});

describe('the Printers view for an admin', () => {
  const printers: Printer[] = [
    printer({ sourceId: 'cups', name: 'A-ready', state: 'ready' }),
    printer({ sourceId: 'cups', name: 'B-stopped', state: 'stopped', reasons: ['Paused'] }),
    printer({ sourceId: 'cups', name: 'C-ready', state: 'ready' }),
    printer({ sourceId: 'cups', name: 'D-refusing', state: 'ready', acceptingJobs: false }),
    printer({ sourceId: 'cups', name: 'E-offline', state: 'offline', reasons: ['The printer is offline'] }),
    printer({ sourceId: 'cups', name: 'F-stuck', state: 'printing', activeJobs: 1, stuckJobs: 1 }),
  ];

  async function open(opts: Parameters<typeof mount>[0]): Promise<HTMLElement[]> {
    m = await mount(opts);
    const view = screen.getByTestId('printers-view');
    fireEvent.click(view.querySelector('summary')!);
    return within(view).getAllByTestId('printer-row');
  }

  it('lists the printers that need attention first: offline, stopped or paused with jobs waiting, then paused, not accepting jobs or with stuck jobs', async () => {
    const rows = await open({
      sources,
      // A paused printer with active jobs (a CUPS queue CUPS disabled after a backend failure): its jobs cannot print.
      printers: [...printers, printer({ sourceId: 'cups', name: 'G-paused', state: 'paused' }), printer({ sourceId: 'cups', name: 'H-paused-busy', state: 'paused', activeJobs: 2 })],
      jobs: [makeJob({ key: 'cups:9', sourceId: 'cups', sourceKind: 'ipp', printer: 'F-stuck', state: 'printing', stuck: true })],
    });
    expect(rows.map((r) => r.dataset.key)).toEqual(['cups:B-stopped', 'cups:E-offline', 'cups:H-paused-busy', 'cups:D-refusing', 'cups:F-stuck', 'cups:G-paused', 'cups:A-ready', 'cups:C-ready']);
  });

  it('a paused printer says Paused, told apart from one an error stopped; a job on it says its printer is paused', async () => {
    const rows = await open({
      sources,
      printers: [printer({ sourceId: 'cups', name: 'Paused one', state: 'paused', activeJobs: 1 }), printer({ sourceId: 'cups', name: 'Jammed one', state: 'stopped', reasons: ['Paper jam', 'Paused'] })],
      jobs: [makeJob({ key: 'cups:1', sourceId: 'cups', sourceKind: 'ipp', printer: 'Paused one', state: 'queued', reason: 'The printer is paused' })],
    });
    const chip = (key: string) => within(rows.find((r) => r.dataset.key === key)!).getByTestId('printer-state');
    expect(chip('cups:Jammed one').textContent).toBe('Stopped');
    expect(chip('cups:Paused one').textContent).toBe('Paused');
    expect(chip('cups:Paused one').className).toContain('printer-paused');
    fireEvent.dblClick(rowOf(m!.container, 'cups:1'));
    expect((await screen.findByText('Printer is paused')).className).toContain('printer-paused');
  });

  describe('a printer row opens that printer\'s queue', () => {
    const described = [printer({ sourceId: 'local', name: 'HP 1', state: 'printing', activeJobs: 2, stuckJobs: 1 }), printer({ sourceId: 'local', name: 'HP 2', activeJobs: 1 })];
    const stuckJobs = () => [
      makeJob({ key: 'local:stuck', document: 'Invoice.pdf', printer: 'HP 1', state: 'queued', stuck: true, stuckSince: '2026-03-02T09:00:00.000Z' }),
      makeJob({ key: 'local:ahead', document: 'Huge scan.pdf', printer: 'HP 1', state: 'printing', mine: false, owner: 'bob' }),
      makeJob({ key: 'local:other', document: 'Letter.pdf', printer: 'HP 2', state: 'queued' }),
    ];

    it('"Show jobs", named for its printer, shows all of that printer\'s jobs and clears the other filters', async () => {
      const rows = await open({ sources, printers: described, jobs: stuckJobs() });
      m!.store.updateUi({ search: 'Letter', mineOnly: true, stateFilter: ['queued'] });
      await waitFor(() => expect(rowKeys(m!.container)).toEqual(['local:other']));
      const hp1 = rows.find((r) => r.dataset.key === 'local:HP 1')!;
      const show = within(hp1).getByRole('button', { name: 'Show jobs on HP 1' });
      // A real button, reached with Tab and pressed with Enter or Space; its visible words are in its name.
      expect(show.tagName).toBe('BUTTON');
      expect(show.textContent).toBe('Show jobs');
      fireEvent.click(show);
      await waitFor(() => expect(new Set(rowKeys(m!.container))).toEqual(new Set(['local:stuck', 'local:ahead'])));
      expect(m!.store.ui.value).toMatchObject({ printerFilter: ['HP 1'], sourceFilter: ['local'], stuckOnly: false, stateFilter: [], search: '', mineOnly: false });
      // Every row has one, named for its own printer.
      expect(within(rows.find((r) => r.dataset.key === 'local:HP 2')!).getByRole('button', { name: 'Show jobs on HP 2' })).toBeTruthy();
    });

    it('the stuck count shows that printer\'s stuck jobs only; no stuck jobs, no button', async () => {
      const rows = await open({ sources, printers: described, jobs: stuckJobs() });
      const hp1 = rows.find((r) => r.dataset.key === 'local:HP 1')!;
      const stuck = within(hp1).getByRole('button', { name: 'Show the 1 stuck job on HP 1' });
      expect(stuck.textContent).toBe('1');
      fireEvent.click(stuck);
      await waitFor(() => expect(rowKeys(m!.container)).toEqual(['local:stuck']));
      expect(m!.store.ui.value).toMatchObject({ printerFilter: ['HP 1'], sourceFilter: ['local'], stuckOnly: true, search: '' });
      expect(within(rows.find((r) => r.dataset.key === 'local:HP 2')!).queryByTestId('printer-show-stuck')).toBeNull();
    });
  });

  it('a printer whose active jobs all refuse cancellation says why, not that it has none', async () => {
    const theirs = (n: number) =>
      makeJob({ key: `cups:${n}`, sourceId: 'cups', sourceKind: 'ipp', nativeId: String(n), printer: 'A-ready', state: 'queued', mine: false, cancel: { allowed: false, reason: 'Only the job\'s owner or an operator can cancel it.' } });
    const rows = await open({ sources, printers: [printer({ sourceId: 'cups', name: 'A-ready', activeJobs: 2 }), printer({ sourceId: 'cups', name: 'C-ready' })], jobs: [theirs(1), theirs(2)] });
    const busy = rows.find((r) => r.dataset.key === 'cups:A-ready')!;
    const button = within(busy).getByRole('button', { name: /Cancel all on this printer/ }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    const why = 'None of its 2 active jobs can be canceled: Only the job\'s owner or an operator can cancel it.';
    expect(button.title).toBe(why);
    // Said in words beside the button, and read with it.
    expect(busy.textContent).toContain(why);
    expect(document.getElementById(button.getAttribute('aria-describedby') ?? '')?.textContent).toBe(why);
    const idle = rows.find((r) => r.dataset.key === 'cups:C-ready')!;
    expect((within(idle).getByRole('button', { name: /Cancel all on this printer/ }) as HTMLButtonElement).title).toBe('No active jobs on this printer.');
  });
});
