// @vitest-environment happy-dom
/**
 * The admin chasing a stuck job: "Open the queue of <printer>" shows that printer's whole queue
 * whatever filter led there; the Printers view puts the printers that need attention first; and a
 * printer whose jobs cannot be canceled says so, not that it has none.
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

  it('lists the printers that need attention first: offline or stopped, then not accepting jobs or with stuck jobs', async () => {
    const rows = await open({ sources, printers, jobs: [makeJob({ key: 'cups:9', sourceId: 'cups', sourceKind: 'ipp', printer: 'F-stuck', state: 'printing', stuck: true })] });
    expect(rows.map((r) => r.dataset.key)).toEqual(['cups:B-stopped', 'cups:E-offline', 'cups:D-refusing', 'cups:F-stuck', 'cups:A-ready', 'cups:C-ready']);
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
