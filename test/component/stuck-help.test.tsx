// @vitest-environment happy-dom
/**
 * A stuck job in the detail panel says why (which state, since when, what the service last said)
 * and offers the ways out: cancel, the service panel (restart) for ScriptX, the printer's queue.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { makeHealth, makeJob } from '../helpers/fake-bridge';
import { mount, rowOf, unmount, type Mounted } from './harness';
import { formatDateTime } from '../../renderer/src/i18n/format';

let m: Mounted | undefined;
afterEach(() => {
  unmount(m);
  m = undefined;
});

const sources = [makeHealth({ id: 'local', name: 'This PC' })];
const SINCE = '2026-06-01T08:00:00.000Z';

describe('a stuck job says why and offers a way out', () => {
  it('state, since when, the service’s last words; cancel, restart the service, the printer’s queue', async () => {
    const job = makeJob({ key: 'local:a', document: 'Invoice.pdf', printer: 'HP 1', state: 'printing', stuck: true, stuckSince: SINCE, updatedAt: '2026-06-01T08:30:00.000Z', reason: 'Printing the PDF' });
    m = await mount({ jobs: [job], sources });
    fireEvent.dblClick(rowOf(m.container, 'local:a'));
    const help = await waitFor(() => screen.getByTestId('stuck-help'));
    expect(help.textContent).toContain(`Printing since ${formatDateTime(SINCE)}, with no change since then.`);
    expect(help.textContent).toContain('The service last said: “Printing the PDF”');
    fireEvent.click(within(help).getByRole('button', { name: 'Open the queue of HP 1' }));
    expect(m.store.ui.value).toMatchObject({ printerFilter: ['HP 1'], sourceFilter: ['local'], view: 'all' });
    fireEvent.click(within(help).getByRole('button', { name: 'Cancel job' }));
    expect(screen.getByRole('alertdialog')).toBeTruthy();
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Keep' }));
    fireEvent.click(within(help).getByRole('button', { name: 'Restart the service…' }));
    expect(m.store.panel.value).toEqual({ kind: 'service', sourceId: 'local' });
  });

  it('a job that is not stuck shows no such help', async () => {
    m = await mount({ jobs: [makeJob({ key: 'local:b', document: 'Fine.pdf', state: 'printing' })], sources });
    fireEvent.dblClick(rowOf(m.container, 'local:b'));
    await waitFor(() => screen.getByTestId('detail-panel'));
    expect(screen.queryByTestId('stuck-help')).toBeNull();
  });
});

describe('opening the detail panel is announced', () => {
  it('a polite status region names the job whose details opened, and empties when they close', async () => {
    m = await mount({ jobs: [makeJob({ key: 'local:c', document: 'Board pack.pdf', state: 'queued' })], sources });
    const live = screen.getByTestId('detail-announcer');
    expect(live.getAttribute('aria-live')).toBe('polite');
    expect(live.textContent).toBe('');
    fireEvent.dblClick(rowOf(m.container, 'local:c'));
    await waitFor(() => expect(live.textContent).toBe('Details of Board pack.pdf opened.'));
    fireEvent.click(within(await waitFor(() => screen.getByTestId('detail-panel'))).getByRole('button', { name: 'Close' }));
    await waitFor(() => expect(live.textContent).toBe(''));
  });
});
