/**
 * The History view's numbers: buckets in local hours and days stacked by outcome, failures by
 * printer and by reason, time to print p50/p95 per printer, the queue's filters, and what a click
 * on a bar picks.
 */
import { describe, expect, it } from 'vitest';
import { aggregateHistory, bucketStart, percentile, periodStart, pickEntries, type HistoryFilter } from '../../renderer/src/history/aggregate';
import { csvLocalTime } from '../../preload/contract/csv';
import type { HistoryEntry, Job } from '../../preload/contract/model';
import { makeJob } from '../helpers/fake-bridge';

const NOW = new Date(2026, 2, 10, 15, 30).getTime();
const ALL: HistoryFilter = { sources: [], printers: [] };
const hoursAgo = (h: number) => new Date(NOW - h * 3600_000).toISOString();

function entry(finishedHoursAgo: number, job: Partial<Job>, submittedMinutesBefore = 1): HistoryEntry {
  const finishedAt = hoursAgo(finishedHoursAgo);
  const createdAt = new Date(Date.parse(finishedAt) - submittedMinutesBefore * 60_000).toISOString();
  return { finishedAt, job: makeJob({ createdAt, updatedAt: finishedAt, ...job }), timeline: [] };
}

const entries: HistoryEntry[] = [
  entry(0.2, { key: 'local:1', state: 'completed', printer: 'HP 1' }, 1),
  entry(0.3, { key: 'local:2', state: 'completed', printer: 'HP 1' }, 3),
  entry(0.4, { key: 'local:3', state: 'failed', printer: 'HP 1', reason: 'Paper jam' }),
  entry(1.2, { key: 'local:4', state: 'completed', printer: 'HP 1' }, 2),
  entry(1.3, { key: 'up:5', sourceId: 'up', sourceKind: 'graph', state: 'failed', printer: 'Floor 3', reason: null, detail: 'Out of toner' }),
  entry(1.4, { key: 'up:6', sourceId: 'up', sourceKind: 'graph', state: 'failed', printer: 'Floor 3', reason: 'Paper jam' }),
  entry(2.5, { key: 'up:7', sourceId: 'up', sourceKind: 'graph', state: 'canceled', printer: 'Floor 3' }),
  entry(3, { key: 'up:8', sourceId: 'up', sourceKind: 'graph', state: 'unknown', gone: true, printer: 'Floor 3' }),
  entry(30, { key: 'local:9', state: 'completed', printer: 'HP 1' }, 10),
  entry(25 * 24, { key: 'local:10', state: 'failed', printer: 'HP 1', reason: null, detail: null }),
];

describe('history aggregation', () => {
  it('counts each outcome per local hour, over the last 24 hours only', () => {
    const s = aggregateHistory(entries, { now: NOW, range: '24h', bucket: 'hour', filter: ALL });
    expect(s.buckets.length).toBe(25);
    expect(s.buckets[0]!.start).toBe(bucketStart(NOW - 24 * 3600_000, 'hour'));
    const last = s.buckets.at(-1)!;
    expect(last.start).toBe(new Date(2026, 2, 10, 15).getTime());
    expect(last.counts).toEqual({ completed: 2, failed: 1, canceled: 0, other: 0 });
    const hourBefore = s.buckets.find((b) => b.start === new Date(2026, 2, 10, 14).getTime())!;
    expect(hourBefore.counts).toEqual({ completed: 1, failed: 2, canceled: 0, other: 0 });
    expect(s.totals).toEqual({ completed: 3, failed: 3, canceled: 1, other: 1 });
    expect(s.entries.map((e) => e.job.key)).not.toContain('local:9');
  });

  it('reads times the app did not write itself too (an offset, no milliseconds) as the same instants', () => {
    const offset = (iso: string) => new Date(Date.parse(iso) + 2 * 3600_000).toISOString().replace(/\.\d{3}Z$/, '+02:00');
    const rewritten = entries.map((e) => ({ ...e, finishedAt: offset(e.finishedAt), job: { ...e.job, createdAt: offset(e.job.createdAt!) } }));
    const opts = { now: NOW, range: '30d', bucket: 'hour', filter: ALL } as const;
    const a = aggregateHistory(entries, opts);
    const b = aggregateHistory(rewritten, opts);
    expect(b.buckets).toEqual(a.buckets);
    expect(b.timeToPrint).toEqual(a.timeToPrint);
    expect(b.entries.length).toBe(entries.length);
  });

  it('counts per local day over 30 days', () => {
    const s = aggregateHistory(entries, { now: NOW, range: '30d', bucket: 'day', filter: ALL });
    expect(s.buckets.length).toBe(31);
    expect(s.buckets.at(-1)!.start).toBe(new Date(2026, 2, 10).getTime());
    expect(s.buckets.at(-1)!.end).toBe(new Date(2026, 2, 11).getTime());
    expect(s.buckets.reduce((n, b) => n + b.counts.completed + b.counts.failed + b.counts.canceled + b.counts.other, 0)).toBe(entries.length);
  });

  it('ranks failures by printer and by reason (the service\'s reason, else its detail)', () => {
    const s = aggregateHistory(entries, { now: NOW, range: '30d', bucket: 'day', filter: ALL });
    expect(s.failuresByPrinter.map((p) => [p.printer, p.count])).toEqual([
      ['Floor 3', 2],
      ['HP 1', 2],
    ]);
    expect(s.failuresByReason.map((r) => [r.reason, r.count])).toEqual([
      ['Paper jam', 2],
      [null, 1],
      ['Out of toner', 1],
    ]);
  });

  it('time to print p50/p95 per printer from completed jobs (submitted -> finished)', () => {
    const s = aggregateHistory(entries, { now: NOW, range: '7d', bucket: 'hour', filter: ALL });
    expect(s.timeToPrint).toEqual([{ id: 'local\u0000HP 1', sourceId: 'local', printer: 'HP 1', count: 4, p50Ms: 2 * 60_000, p95Ms: 10 * 60_000 }]);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(percentile([], 50)).toBeNaN();
  });

  it('applies the queue\'s source and printer filters', () => {
    const s = aggregateHistory(entries, { now: NOW, range: '30d', bucket: 'day', filter: { sources: ['up'], printers: [] } });
    expect(s.totals).toEqual({ completed: 0, failed: 2, canceled: 1, other: 1 });
    const p = aggregateHistory(entries, { now: NOW, range: '30d', bucket: 'day', filter: { sources: [], printers: ['HP 1'] } });
    expect(p.entries.every((e) => e.job.printer === 'HP 1')).toBe(true);
    expect(p.failuresByPrinter.map((x) => x.printer)).toEqual(['HP 1']);
  });

  it('a click picks the jobs of that bar', () => {
    const s = aggregateHistory(entries, { now: NOW, range: '24h', bucket: 'hour', filter: ALL });
    const last = s.buckets.at(-1)!;
    expect(pickEntries(s, { kind: 'bucket', start: last.start, end: last.end }).map((e) => e.job.key)).toEqual(['local:1', 'local:2', 'local:3']);
    expect(pickEntries(s, { kind: 'bucket', start: last.start, end: last.end, outcome: 'failed' }).map((e) => e.job.key)).toEqual(['local:3']);
    expect(pickEntries(s, { kind: 'failed-reason', reason: 'Paper jam' }).map((e) => e.job.key)).toEqual(['local:3', 'up:6']);
    expect(pickEntries(s, { kind: 'failed-printer', id: 'up\u0000Floor 3' }).map((e) => e.job.key)).toEqual(['up:5', 'up:6']);
    expect(pickEntries(s, { kind: 'printer-completed', id: 'local\u0000HP 1' }).map((e) => e.job.key)).toEqual(['local:1', 'local:2', 'local:4']);
  });

  it('the hour the clocks go back repeats is a bar of its own, never one bar of two hours', () => {
    const tz = process.env.TZ;
    process.env.TZ = 'Europe/Berlin';
    try {
      // 25 October 2026: at 03:00 summer time the clocks go back to 02:00; 02:00-03:00 is lived twice.
      const now = Date.parse('2026-10-25T06:30:00Z');
      const at = (iso: string, key: string): HistoryEntry => ({ finishedAt: iso, job: makeJob({ key, state: 'completed' }), timeline: [] });
      const firstPass = at('2026-10-25T00:30:00.000Z', 'local:summer');
      const secondPass = at('2026-10-25T01:30:00.000Z', 'local:winter');
      const s = aggregateHistory([secondPass, firstPass], { now, range: '24h', bucket: 'hour', filter: ALL });
      for (const b of s.buckets) expect(b.end - b.start, new Date(b.start).toISOString()).toBe(3600_000);
      // 24 hours back from 07:30 is 08:30 the day before: 25 hour bars, 02:00 among them twice.
      expect(s.buckets).toHaveLength(25);
      const holding = (e: HistoryEntry) => s.buckets.filter((b) => Date.parse(e.finishedAt) >= b.start && Date.parse(e.finishedAt) < b.end);
      expect(holding(firstPass).map((b) => [b.start, b.counts.completed])).toEqual([[Date.parse('2026-10-25T00:00:00Z'), 1]]);
      expect(holding(secondPass).map((b) => [b.start, b.counts.completed])).toEqual([[Date.parse('2026-10-25T01:00:00Z'), 1]]);
      expect(bucketStart(Date.parse(secondPass.finishedAt), 'hour')).toBe(Date.parse('2026-10-25T01:00:00Z'));
      expect(pickEntries(s, { kind: 'bucket', start: holding(firstPass)[0]!.start, end: holding(firstPass)[0]!.end }).map((e) => e.job.key)).toEqual(['local:summer']);
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it('a period starts at the start of its first bar: the first day holds every job of that date, as the export does, when the clocks change that day', () => {
    const tz = process.env.TZ;
    const at = (iso: string, key: string): HistoryEntry => ({ finishedAt: iso, job: makeJob({ key, state: 'completed' }), timeline: [] });
    const check = (zone: string, now: string, date: string, midnight: string, nextMidnight: string, isos: string[]) => {
      process.env.TZ = zone;
      const list = isos.map((iso, i) => at(iso, `local:${i}`));
      const s = aggregateHistory(list, { now: Date.parse(now), range: '7d', bucket: 'day', filter: ALL });
      expect(s.from, zone).toBe(Date.parse(midnight));
      expect(periodStart(Date.parse(now), '7d', 'day')).toBe(s.from);
      expect([s.buckets[0]!.start, s.buckets[0]!.end], zone).toEqual([Date.parse(midnight), Date.parse(nextMidnight)]);
      // The first bar counts exactly the rows of that date in the CSV's local time column.
      const ofThatDate = list.filter((e) => csvLocalTime(e.finishedAt).startsWith(date)).length;
      expect(ofThatDate, zone).toBeGreaterThan(1);
      expect(s.buckets[0]!.counts.completed, zone).toBe(ofThatDate);
      const inPeriod = list.filter((e) => Date.parse(e.finishedAt) >= s.from).length;
      expect(s.entries.length).toBe(inPeriod);
      // Hours: from the start of the hour 7 days back, never a part of it.
      const h = aggregateHistory(list, { now: Date.parse(now), range: '7d', bucket: 'hour', filter: ALL });
      expect(h.from).toBe(bucketStart(Date.parse(now) - 7 * 24 * 3600_000, 'hour'));
      expect(h.buckets[0]!.end - h.buckets[0]!.start).toBe(3600_000);
    };
    try {
      // 29 March 2026 in Berlin: 02:00 CET is 03:00 CEST, a day of 23 hours. Seven days before
      // 5 April 10:00 is 29 March 10:00; the day starts at 00:00 CET (28 March 23:00 UTC).
      check('Europe/Berlin', '2026-04-05T08:00:00Z', '2026-03-29', '2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z', [
        '2026-03-28T22:30:00.000Z', // 28 March 23:30: the day before
        '2026-03-28T23:30:00.000Z', // 00:30 CET
        '2026-03-29T05:00:00.000Z', // 07:00 CEST
        '2026-03-29T09:00:00.000Z', // 11:00 CEST
        '2026-04-05T07:00:00.000Z',
      ]);
      // 1 November 2026 in New York: 02:00 EDT is 01:00 EST, a day of 25 hours.
      check('America/New_York', '2026-11-08T15:00:00Z', '2026-11-01', '2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z', [
        '2026-11-01T03:59:00.000Z', // 31 October 23:59 EDT
        '2026-11-01T04:30:00.000Z', // 00:30 EDT
        '2026-11-01T05:30:00.000Z', // 01:30 EDT, the first pass
        '2026-11-01T06:30:00.000Z', // 01:30 EST, the second
        '2026-11-01T16:00:00.000Z', // 11:00 EST
      ]);
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it('a day the clocks go forward at midnight starts at 01:00, and the days after it at midnight again', () => {
    const tz = process.env.TZ;
    process.env.TZ = 'America/Santiago';
    try {
      // 6 September 2026 in Santiago: at 00:00 (UTC-4) the clocks go forward to 01:00 (UTC-3).
      const at = (iso: string, key: string): HistoryEntry => ({ finishedAt: iso, job: makeJob({ key, state: 'completed' }), timeline: [] });
      const list = [
        at('2026-09-06T04:30:00.000Z', 'local:1'), // 6 September 01:30
        at('2026-09-07T03:30:00.000Z', 'local:2'), // 7 September 00:30
        at('2026-09-08T03:30:00.000Z', 'local:3'), // 8 September 00:30
      ];
      const s = aggregateHistory(list, { now: Date.parse('2026-09-10T15:00:00Z'), range: '7d', bucket: 'day', filter: ALL });
      const day = (y: number, m: number, d: number) => s.buckets.find((b) => b.start === new Date(y, m, d).getTime());
      expect(new Date(2026, 8, 6).getHours()).toBe(1);
      expect([day(2026, 8, 6)?.start, day(2026, 8, 6)?.end]).toEqual([Date.parse('2026-09-06T04:00:00Z'), Date.parse('2026-09-07T03:00:00Z')]);
      for (const b of s.buckets.filter((x) => x.start > Date.parse('2026-09-06T04:00:00Z'))) expect(new Date(b.start).getHours(), new Date(b.start).toISOString()).toBe(0);
      expect(day(2026, 8, 6)!.counts.completed).toBe(1);
      expect(day(2026, 8, 7)!.counts.completed).toBe(1);
      expect(day(2026, 8, 8)!.counts.completed).toBe(1);
      for (const e of list) {
        const holding = s.buckets.filter((b) => Date.parse(e.finishedAt) >= b.start && Date.parse(e.finishedAt) < b.end);
        expect(holding.map((b) => b.start), e.job.key).toEqual([bucketStart(Date.parse(e.finishedAt), 'day')]);
      }
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it('aggregates 5,000 entries over 30 days of hours', () => {
    const many = Array.from({ length: 5000 }, (_, i) => entry((i % 700) + 0.1, { key: `local:${i}`, state: (['completed', 'failed', 'canceled'] as const)[i % 3], printer: `P${i % 20}`, reason: `R${i % 7}` }));
    const s = aggregateHistory(many, { now: NOW, range: '30d', bucket: 'hour', filter: ALL });
    expect(s.entries.length).toBe(5000);
    expect(s.buckets.length).toBe(721);
    expect(s.buckets.reduce((n, b) => n + b.counts.completed + b.counts.failed + b.counts.canceled, 0)).toBe(5000);
  });
});
