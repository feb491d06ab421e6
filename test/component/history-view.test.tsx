// @vitest-environment happy-dom
/**
 * The History view's state and its table alternative (the charts need a canvas: the browser test
 * draws them): the period asked for, the queue's filters applied, a chosen row listing exactly its
 * jobs, and a history that cannot be read said as such.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { AppFailure, type HistoryEntry, type Job } from '../../preload/contract/model';
import { historyOf } from '../../renderer/src/state/history';
import { formatBucket } from '../../renderer/src/history/format';
import { useFormatLocale } from '../../renderer/src/i18n/format';
import { bucketStart, periodStart } from '../../renderer/src/history/aggregate';
import { loadHistoryView } from '../../renderer/src/components/HistoryViewEntry';
import { FakeBridge, makeHealth, makeJob } from '../helpers/fake-bridge';
import { choose, mount, unmount, type Mounted } from './harness';

let m: Mounted | undefined;
afterEach(() => {
  unmount(m);
  m = undefined;
  useFormatLocale(undefined);
});

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();

function entry(finished: number, job: Partial<Job>): HistoryEntry {
  return { finishedAt: minutesAgo(finished), job: makeJob({ createdAt: minutesAgo(finished + 2), ...job }), timeline: [] };
}

const history: HistoryEntry[] = [
  entry(1, { key: 'local:1', document: 'A.pdf', state: 'completed', printer: 'HP 1' }),
  entry(2, { key: 'local:2', document: 'B.pdf', state: 'failed', printer: 'HP 1', reason: 'Paper jam' }),
  entry(3, { key: 'up:3', sourceId: 'up', sourceKind: 'graph', document: 'C.pdf', state: 'failed', printer: 'Floor 3', reason: 'Paper jam' }),
  entry(4, { key: 'up:4', sourceId: 'up', sourceKind: 'graph', document: 'D.pdf', state: 'canceled', printer: 'Floor 3' }),
  entry(60 * 24 * 3, { key: 'local:5', document: 'Old.pdf', state: 'completed', printer: 'HP 1' }),
];

const sources = [makeHealth({ id: 'local', name: 'This PC' }), makeHealth({ id: 'up', kind: 'graph', name: 'Universal Print' })];

async function openTables(bridge: FakeBridge): Promise<void> {
  m = await mount(bridge);
  await loadHistoryView();
  // The table alternative: the same numbers without a canvas.
  historyOf(m.store).tables.value = true;
  act(() => historyOf(m!.store).setOpen(true));
  await screen.findByTestId('history-ready');
}

const cells = (testId: string) => [...screen.getByTestId(testId).querySelectorAll('tbody tr')].map((r) => [...r.children].map((c) => c.textContent?.trim()));
const listed = () => screen.queryAllByTestId('history-row').map((r) => r.dataset.key);

describe('the History view', () => {
  it('asks for the chosen period, counts it in tables, and a chosen row lists exactly its jobs', async () => {
    const bridge = new FakeBridge({ sources, history });
    bridge.override('queryHistory', async ({ since }) => history.filter((e) => !since || e.finishedAt >= since));
    await openTables(bridge);
    const asked = bridge.callsOf('queryHistory').at(-1)!;
    expect(Date.now() - Date.parse(asked.since!)).toBeGreaterThanOrEqual(7 * 24 * 3600_000);
    // The view draws jobs, never their timelines: it asks for the entries without them.
    expect(asked.timelines).toBe(false);
    expect(screen.getByTestId('history-totals').textContent).toBe('2 completed · 2 failed · 1 canceled');
    expect(cells('history-table-reasons')).toEqual([['Paper jam', '2']]);
    expect(cells('history-table-printers').map((r) => r[1])).toEqual(['1', '1']);
    expect(listed()).toEqual(['local:1', 'local:2', 'up:3', 'up:4', 'local:5']);

    fireEvent.click(within(screen.getByTestId('history-table-reasons')).getByRole('button', { name: 'Paper jam' }));
    await waitFor(() => expect(listed()).toEqual(['local:2', 'up:3']));
    expect(screen.getByTestId('history-list-heading').textContent).toContain('Failed: Paper jam: 2 jobs');
    fireEvent.click(screen.getByRole('button', { name: 'Show all' }));
    await waitFor(() => expect(listed().length).toBe(5));

    choose(screen.getByTestId('history-range'), '24h');
    await waitFor(() => expect(listed()).toEqual(['local:1', 'local:2', 'up:3', 'up:4']));
    expect(Date.now() - Date.parse(bridge.callsOf('queryHistory').at(-1)!.since!)).toBeLessThan(25 * 3600_000);
    expect((screen.getByTestId('history-bucket') as HTMLSelectElement).value).toBe('hour');
  });

  it('7 days by day: the first day is a whole day, read from its local midnight, with every job of that date', async () => {
    const weekAgo = Date.now() - 7 * 24 * 3600_000;
    const midnight = new Date(weekAgo);
    midnight.setHours(0, 0, 0, 0);
    const early = new Date(midnight.getTime() + 60_000);
    const at = (d: Date, key: string): HistoryEntry => ({ finishedAt: d.toISOString(), job: makeJob({ key, document: `${key}.pdf`, state: 'completed', printer: 'HP 1' }), timeline: [] });
    // A minute into that day (before the time of day it is now), and the minute before it began.
    const stored = [at(new Date(Date.now() - 60_000), 'local:now'), at(early, 'local:early'), at(new Date(midnight.getTime() - 60_000), 'local:day-before')];
    const bridge = new FakeBridge({ sources, history: stored });
    await openTables(bridge);
    choose(screen.getByTestId('history-bucket'), 'day');
    await waitFor(() => expect(bridge.callsOf('queryHistory').at(-1)!.since).toBe(midnight.toISOString()));
    await screen.findByTestId('history-ready');
    await waitFor(() => expect(listed()).toEqual(['local:now', 'local:early']));
    const firstDay = cells('history-table-jobs')[0]!;
    expect(firstDay[0]).toBe(formatBucket(midnight.getTime(), 'day'));
    expect(firstDay.at(-1)).toBe('1');
    // Back to hours: read from the hour 7 days ago, which the day's read already holds.
    const reads = bridge.callsOf('queryHistory').length;
    choose(screen.getByTestId('history-bucket'), 'hour');
    const fromHour = early.getTime() >= bucketStart(weekAgo, 'hour');
    await waitFor(() => expect(listed()).toEqual(fromHour ? ['local:now', 'local:early'] : ['local:now']));
    expect(bridge.callsOf('queryHistory').length).toBe(reads);
  });

  it('a bar size chosen while a period is read stays chosen when its answer arrives', async () => {
    const bridge = new FakeBridge({ sources, history });
    await openTables(bridge);
    const bucketSelect = () => screen.getByTestId('history-bucket') as HTMLSelectElement;
    choose(screen.getByTestId('history-range'), '30d');
    await waitFor(() => expect(bucketSelect().value).toBe('day'));
    await screen.findByTestId('history-ready');
    // 7 days is asked for, and Hour chosen before the answer arrives: the answer does not reset it to Day.
    const held = bridge.hold('queryHistory');
    choose(screen.getByTestId('history-range'), '7d');
    await held.arrived;
    choose(bucketSelect(), 'hour');
    held.release();
    await screen.findByTestId('history-ready');
    await waitFor(() => expect(historyOf(m!.store).stats.value.from).toBe(periodStart(historyOf(m!.store).stats.value.to, '7d', 'hour')));
    expect(bucketSelect().value).toBe('hour');
    expect(historyOf(m!.store).stats.value.bucket).toBe('hour');
  });

  it('a bar size chosen while a period is read that starts it earlier reads the period again from there', async () => {
    const bridge = new FakeBridge({ sources, history });
    await openTables(bridge);
    const bucketSelect = () => screen.getByTestId('history-bucket') as HTMLSelectElement;
    choose(bucketSelect(), 'day');
    await screen.findByTestId('history-ready');
    // 24 hours are read by hour (from the hour 24 hours ago); Day is chosen before the answer arrives.
    const held = bridge.hold('queryHistory');
    choose(screen.getByTestId('history-range'), '24h');
    await held.arrived;
    const hourly = Date.parse(bridge.callsOf('queryHistory').at(-1)!.since!);
    choose(bucketSelect(), 'day');
    held.release();
    // The day started at midnight, before what was read: read again from that midnight.
    await waitFor(() => expect(Date.parse(bridge.callsOf('queryHistory').at(-1)!.since!)).toBe(periodStart(Date.now(), '24h', 'day')));
    expect(periodStart(Date.now(), '24h', 'day')).toBeLessThan(hourly);
    await screen.findByTestId('history-ready');
    await waitFor(() => expect(historyOf(m!.store).stats.value.bucket).toBe('day'));
    expect(bucketSelect().value).toBe('day');
  });

  it('says beside the period where it starts: the first whole day or hour, which its totals count from', async () => {
    useFormatLocale('en-GB');
    const weekAgo = Date.now() - 7 * 24 * 3600_000;
    const midnight = new Date(weekAgo);
    midnight.setHours(0, 0, 0, 0);
    // Finished a minute after that midnight: more than 7 days ago (unless it is just after midnight now).
    const early: HistoryEntry = { finishedAt: new Date(midnight.getTime() + 60_000).toISOString(), job: makeJob({ key: 'local:early', state: 'failed', printer: 'HP 1' }), timeline: [] };
    const bridge = new FakeBridge({ sources, history: [early] });
    await openTables(bridge);
    const since = () => screen.getByTestId('history-since').textContent;
    const hour = bucketStart(weekAgo, 'hour');
    const en = (ms: number, o: Intl.DateTimeFormatOptions) => new Date(ms).toLocaleString('en-GB', o);
    const named = (ms: number) => `Since ${en(ms, { weekday: 'short' })} ${en(ms, { day: 'numeric' })} ${en(ms, { month: 'short' })}, ${en(ms, { hour: '2-digit', minute: '2-digit', hour12: false })}`;
    expect(since()).toBe(named(hour));
    expect(screen.getByTestId('history-range').getAttribute('aria-describedby')).toBe('history-since');
    choose(screen.getByTestId('history-bucket'), 'day');
    await waitFor(() => expect(since()).toBe(named(midnight.getTime())));
    expect(since()).toMatch(/, 00:00$/);
    // The totals count what the label says: from that midnight.
    await waitFor(() => expect(screen.getByTestId('history-totals').textContent).toBe('0 completed · 1 failed · 0 canceled'));
  });

  it('the list says who printed each job', async () => {
    const owned = [entry(1, { key: 'local:1', document: 'Payroll.xlsx', owner: 'CONTOSO\\jsmith', state: 'completed', printer: 'HP 1' }), entry(2, { key: 'local:2', document: 'Memo.docx', owner: null, state: 'failed', printer: 'HP 1' })];
    await openTables(new FakeBridge({ sources, history: owned }));
    const list = screen.getByTestId('history-list');
    const heads = [...list.querySelectorAll('thead th')].map((th) => th.textContent);
    expect(heads.slice(0, 2)).toEqual(['Document', 'Owner']);
    const rows = screen.getAllByTestId('history-row').map((r) => [...r.children].map((c) => c.textContent));
    expect(rows.map((r) => r.slice(0, 2))).toEqual([
      ['Payroll.xlsx', 'CONTOSO\\jsmith'],
      ['Memo.docx', ''],
    ]);
  });

  it('applies the queue\'s source filter to every table and the list', async () => {
    await openTables(new FakeBridge({ sources, history }));
    act(() => m!.store.updateUi({ sourceFilter: ['up'] }));
    await waitFor(() => expect(listed()).toEqual(['up:3', 'up:4']));
    expect(screen.getByTestId('history-totals').textContent).toBe('0 completed · 1 failed · 1 canceled');
    expect(screen.getByTestId('history-view').textContent).toContain('Only sources Universal Print');
  });

  it('a history that cannot be read is said, with what failed', async () => {
    const bridge = new FakeBridge({ sources, history });
    bridge.override('queryHistory', async () => {
      throw new AppFailure('internal', 'history.json is locked.');
    });
    m = await mount(bridge);
    await loadHistoryView();
    act(() => historyOf(m!.store).setOpen(true));
    expect((await screen.findByRole('alert')).textContent).toBe('The history could not be read: history.json is locked.');
    expect(screen.queryByTestId('history-ready')).toBeNull();
  });
});
