// @vitest-environment happy-dom
/**
 * Notices of your own jobs in the window: completed, failed, stuck and canceled elsewhere, under
 * the desktop notifications' rules and settings, each with what to do about it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { makeHealth, makeJob } from '../helpers/fake-bridge';
import { mount, unmount, type Mounted } from './harness';
import { DEFAULT_COALESCE_MS } from '../../preload/contract/notification-rules';
import type { SettingsInput } from '../../preload/contract/model';

let m: Mounted | undefined;
afterEach(() => {
  unmount(m);
  m = undefined;
  vi.useRealTimers();
});

const sources = [makeHealth({ id: 'local', name: 'This PC' })];

function jobs() {
  return [
    makeJob({ key: 'local:a', document: 'Invoice.pdf', printer: 'HP 1', state: 'printing', rawState: '5 Printing' }),
    makeJob({ key: 'local:b', document: 'Budget.xlsx', printer: 'HP 2', state: 'printing', mine: false }),
    makeJob({ key: 'local:c', document: 'Report.pdf', printer: 'HP 1', state: 'printing', extra: { retryable: true } }),
    makeJob({ key: 'local:d', document: 'Slow.pdf', printer: 'HP 3', state: 'queued' }),
  ];
}

/** Mounts, then lets the window's timers run only when told (the rules group what arrives within DEFAULT_COALESCE_MS). */
async function mountWithClock(settings?: SettingsInput) {
  m = await mount({ jobs: jobs(), sources, ...(settings ? { settings } : {}) });
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  return m;
}

function patch(key: string, changes: object) {
  act(() => m!.bridge.patch([{ type: 'changed', key, changes }]));
}

function grouped() {
  act(() => {
    vi.advanceTimersByTime(DEFAULT_COALESCE_MS);
  });
}

const noticeTexts = () => screen.queryAllByTestId('notice').map((n) => n.textContent ?? '');

describe('notices of your jobs', () => {
  it('tells a completed job of yours, with Details that opens it', async () => {
    await mountWithClock();
    patch('local:a', { state: 'completed', rawState: '7 Completed' });
    expect(noticeTexts()).toEqual([]);
    grouped();
    const notice = screen.getByTestId('notice');
    expect(notice.dataset.level).toBe('info');
    expect(notice.textContent).toContain('Printed: Invoice.pdf. Completed on HP 1.');
    fireEvent.click(within(notice).getByRole('button', { name: 'Show details' }));
    await waitFor(() => expect(m!.store.detailKey.value).toBe('local:a'));
    expect(noticeTexts()).toEqual([]);
  });

  it("tells a failure as an error with Print again and the printer's jobs, and nothing of someone else's job", async () => {
    await mountWithClock();
    patch('local:b', { state: 'failed', rawState: '-1 ItemError' });
    patch('local:c', { state: 'failed', rawState: '-1 ItemError', detail: 'Paper jam' });
    grouped();
    const [notice, ...others] = screen.getAllByTestId('notice');
    expect(others).toEqual([]);
    expect(notice.dataset.level).toBe('error');
    expect(notice.textContent).toContain('Print failed: Report.pdf. Paper jam.');
    expect(within(notice).getByRole('button', { name: 'Print again' })).toBeTruthy();
    fireEvent.click(within(notice).getByRole('button', { name: 'Show jobs on HP 1' }));
    expect(m!.store.ui.value.printerFilter).toEqual(['HP 1']);
  });

  it('tells a job of yours newly flagged stuck, once', async () => {
    await mountWithClock();
    patch('local:d', { stuck: true, stuckSince: '2026-03-02T09:50:00Z' });
    patch('local:d', { progress: null });
    grouped();
    const notice = screen.getByTestId('notice');
    expect(notice.dataset.level).toBe('warning');
    expect(notice.textContent).toContain('Stuck: Slow.pdf. No progress on HP 3');
  });

  it('follows the notification settings: off, or that event off, tells nothing', async () => {
    await mountWithClock({ version: 1, sources: [], notifications: { events: { completed: false } } });
    patch('local:a', { state: 'completed' });
    patch('local:c', { state: 'failed' });
    grouped();
    expect(noticeTexts()).toEqual([expect.stringContaining('Print failed: Report.pdf')]);
    unmount(m);
    vi.useRealTimers();
    await mountWithClock({ version: 1, sources: [], notifications: { enabled: false } });
    patch('local:c', { state: 'failed' });
    grouped();
    expect(noticeTexts()).toEqual([]);
  });

  it('does not call a cancel made here "canceled outside this app"; one made elsewhere is told', async () => {
    await mountWithClock();
    await act(async () => {
      await m!.store.cancelJob('local:a');
    });
    grouped();
    expect(noticeTexts().filter((n) => n.includes('outside this app'))).toEqual([]);
    act(() => m!.store.dismissAllNotices());
    patch('local:c', { state: 'canceled' });
    grouped();
    expect(noticeTexts()).toEqual([expect.stringContaining('Canceled: Report.pdf')]);
  });
});
