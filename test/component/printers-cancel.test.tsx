// @vitest-environment happy-dom
/**
 * "Cancel all on this printer": cancelPrinterJobs for a printer its source describes (one request,
 * or several of at most MAX_KEYS_PER_REQUEST keys one after another), after a confirmation naming
 * the jobs the source refuses; each job's outcome in one notice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { MAX_KEYS_PER_REQUEST } from '../../preload/contract/contract';
import { AppFailure, type Printer } from '../../preload/contract/model';
import { FakeBridge, makeHealth, makeJob } from '../helpers/fake-bridge';
import { mount, unmount, type Mounted } from './harness';

let m: Mounted | undefined;
afterEach(() => {
  unmount(m);
  m = undefined;
});

const laser: Printer = { key: 'cups:laser-2', sourceId: 'cups', sourceKind: 'ipp', id: 'laser-2', name: 'Laser-2', state: 'stopped', reasons: ['Paper jam'], acceptingJobs: true, activeJobs: 3, stuckJobs: 0 };

function bridge(): FakeBridge {
  const job = (n: number, over: Parameters<typeof makeJob>[0] = {}) =>
    makeJob({ key: `cups:${n}`, sourceId: 'cups', sourceKind: 'ipp', nativeId: String(n), document: `Doc ${n}.pdf`, printer: 'Laser-2', state: 'queued', ...over });
  return new FakeBridge({
    sources: [makeHealth({ id: 'cups', kind: 'ipp', name: 'Office CUPS' }), makeHealth({ id: 'local', name: 'This PC' })],
    printers: [laser],
    jobs: [
      job(1),
      job(2, { state: 'printing' }),
      job(3, { cancel: { allowed: false, reason: 'Another user\'s job.' } }),
      job(4, { state: 'completed' }),
      makeJob({ key: 'local:9', document: 'Elsewhere.pdf', printer: 'Laser-2', state: 'queued' }),
    ],
  });
}

async function confirmCancelAll(): Promise<HTMLElement> {
  const view = screen.getByTestId('printers-view');
  fireEvent.click(view.querySelector('summary')!);
  const row = within(view).getAllByTestId('printer-row').find((r) => r.dataset.key === 'cups:laser-2')!;
  fireEvent.click(within(row).getByRole('button', { name: 'Cancel all on this printer: Laser-2' }));
  return screen.findByTestId('confirm-dialog');
}

describe('Cancel all on this printer', () => {
  it('asks first, sends one cancelPrinterJobs request and reports each job\'s outcome', async () => {
    m = await mount(bridge());
    const dialog = await confirmCancelAll();
    expect(dialog.textContent).toContain('Cancel all 2 active jobs on Laser-2');
    // The job the source refuses is named with why, before anything is sent.
    expect(dialog.textContent).toContain('Doc 3.pdf: Another user\'s job.');
    expect(m.bridge.callsOf('cancelPrinterJobs')).toEqual([]);
    // A job that reaches the printer while the question is open is not among those confirmed.
    act(() => m!.bridge.patch([{ type: 'added', job: makeJob({ key: 'cups:5', sourceId: 'cups', sourceKind: 'ipp', nativeId: '5', document: 'Doc 5.pdf', printer: 'Laser-2', state: 'queued' }) }]));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel jobs' }));
    await waitFor(() => expect(m!.store.jobs.get('cups:1')!.state).toBe('canceled'));
    // The jobs confirmed, by key: the one the source refuses was said in the question and is not asked for.
    expect(m.bridge.callsOf('cancelPrinterJobs')).toEqual([{ printerKey: 'cups:laser-2', keys: ['cups:1', 'cups:2'] }]);
    expect(m.bridge.callsOf('cancelJobs')).toEqual([]);
    expect(m.bridge.callsOf('cancelJob')).toEqual([]);
    expect(m.store.jobs.get('cups:2')!.state).toBe('canceled');
    expect(m.store.jobs.get('cups:3')!.state).toBe('queued');
    expect(m.store.jobs.get('cups:5')!.state).toBe('queued');
    expect(m.store.jobs.get('local:9')!.state).toBe('queued');
    const notice = await screen.findByText(/^2 canceled/);
    const item = notice.closest<HTMLElement>('[data-testid="notice"]')!;
    expect(item.dataset.level).toBe('info');
    const lines = [...item.querySelectorAll('li')].map((li) => li.textContent);
    expect(lines).toEqual(['Doc 1.pdf: canceled.', 'Doc 2.pdf: canceled.']);
    expect(m.store.rowErrors.value.get('cups:3')).toBeUndefined();
  });

  it('a refused request is one error naming the printer, and nothing changes', async () => {
    const b = bridge();
    b.override('cancelPrinterJobs', async () => {
      throw new AppFailure('unreachable', 'The print server does not answer.');
    });
    m = await mount(b);
    const dialog = await confirmCancelAll();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel jobs' }));
    const notice = await screen.findByText('The jobs on Laser-2 were not canceled: The print server does not answer.');
    expect(notice.closest<HTMLElement>('[data-testid="notice"]')!.dataset.level).toBe('error');
    expect(m.store.jobs.get('cups:1')!.state).toBe('queued');
    expect(m.store.pending.value.size).toBe(0);
  });

  /**
   * A printer holding more jobs than one request may name. Every request still passes the
   * contract's schema first (the fake's dispatch, as main's); each named job is answered canceled,
   * without the fake's event per job (a thousand redraws would only make the test slow).
   */
  function manyJobs(n: number): FakeBridge {
    const jobs = Array.from({ length: n }, (_, i) => makeJob({ key: `cups:laser-2/${i + 1}`, sourceId: 'cups', sourceKind: 'ipp', nativeId: `laser-2/${i + 1}`, document: `Doc ${i + 1}.pdf`, printer: 'Laser-2', state: 'queued' }));
    const b = new FakeBridge({ sources: [makeHealth({ id: 'cups', kind: 'ipp', name: 'Office CUPS' })], printers: [{ ...laser, activeJobs: n }], jobs });
    b.override('cancelPrinterJobs', async ({ keys }) => (keys ?? []).map((key) => ({ key, result: { ok: true as const, value: { ...b.jobs.get(key)!, state: 'canceled' as const } } })));
    return b;
  }

  it('sends more jobs than one request may name in requests of at most that many, one notice for all', async () => {
    const n = MAX_KEYS_PER_REQUEST + 1;
    m = await mount(manyJobs(n));
    const dialog = await confirmCancelAll();
    expect(dialog.textContent).toContain('Cancel all 1,001 active jobs on Laser-2');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel jobs' }));
    const notice = await screen.findByText(/^1,001 canceled/);
    const calls = m.bridge.callsOf('cancelPrinterJobs');
    expect(calls.map((c) => c.keys!.length)).toEqual([MAX_KEYS_PER_REQUEST, 1]);
    expect(calls.flatMap((c) => c.keys)).toEqual(Array.from({ length: n }, (_, i) => `cups:laser-2/${i + 1}`));
    const item = notice.closest<HTMLElement>('[data-testid="notice"]')!;
    expect(item.dataset.level).toBe('info');
    expect(item.querySelectorAll('li')).toHaveLength(n);
    expect(m.store.jobs.get(`cups:laser-2/${n}`)!.state).toBe('canceled');
    expect(m.store.pending.value.size).toBe(0);
  });

  it('a request refused midway: the outcomes before it stay, its jobs and the later ones are not canceled, with why', async () => {
    const n = MAX_KEYS_PER_REQUEST + 1;
    const b = manyJobs(n);
    const answer = b.handlers.cancelPrinterJobs;
    b.override('cancelPrinterJobs', async (input) => {
      if (b.callsOf('cancelPrinterJobs').length > 1) throw new AppFailure('unreachable', 'The print server does not answer.');
      return answer(input);
    });
    m = await mount(b);
    const dialog = await confirmCancelAll();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel jobs' }));
    const notice = await screen.findByText('1,000 canceled, 1 not canceled: The print server does not answer.');
    const item = notice.closest<HTMLElement>('[data-testid="notice"]')!;
    expect(item.dataset.level).toBe('warning');
    const lines = [...item.querySelectorAll('li')].map((li) => li.textContent);
    expect(lines).toHaveLength(n);
    expect(lines[0]).toBe('Doc 1.pdf: canceled.');
    expect(lines[n - 1]).toBe(`Doc ${n}.pdf: not canceled (The print server does not answer).`);
    expect(m.store.jobs.get(`cups:laser-2/${n}`)!.state).toBe('queued');
    expect(m.store.rowErrors.value.get(`cups:laser-2/${n}`)).toBe('The print server does not answer.');
  });
});
