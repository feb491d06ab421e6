/** The helpers every source shares (main/sources/shared.ts). */
import { describe, expect, it } from 'vitest';
import { andMore, backoffMs, isAbort, markTrackedFinished, printerTroubleWords, sleep } from '../../../main/sources/shared';
import { HttpError } from '../../../main/http/client';
import type { Logger } from '../../../main/ports/ports';
import { FakeClock } from '../../helpers/fake-clock';
import { createMemoryTrackedStore } from '../../helpers/memory-stores';

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (message: string, data?: Record<string, unknown>) => void lines.push(`${message} ${JSON.stringify(data ?? {})}`);
  return { lines, debug: log, info: log, warn: log, error: log } as Logger & { lines: string[] };
}

describe('source helpers', () => {
  it('sums up problems in one line', () => {
    expect(andMore([])).toBe('');
    expect(andMore(['a'])).toBe('a');
    expect(andMore(['a', 'b', 'c'])).toBe('a (and 2 more)');
    expect(andMore(['a', 'b'], ['library', 'libraries'])).toBe('a (and 1 more library)');
    expect(andMore(['a', 'b', 'c'], ['library', 'libraries'])).toBe('a (and 2 more libraries)');
  });

  it('backs off exponentially with jitter from the injected random, capped', () => {
    expect(backoffMs(0, () => 0)).toBe(500);
    expect(backoffMs(0, () => 0.999999)).toBe(1000);
    expect(backoffMs(2, () => 0.5)).toBe(3000);
    expect(backoffMs(10, () => 1)).toBe(8000);
  });

  it('tells an abort from a failure', () => {
    const live = new AbortController();
    expect(isAbort(new Error('x'), live.signal)).toBe(false);
    expect(isAbort(new HttpError('aborted', 'stopped', { target: 'http://127.0.0.1/' }), live.signal)).toBe(true);
    expect(isAbort(new HttpError('timeout', 'slow', { target: 'http://127.0.0.1/' }), live.signal)).toBe(false);
    const stopped = new AbortController();
    stopped.abort();
    expect(isAbort(new Error('x'), stopped.signal)).toBe(true);
  });

  it('sleeps on the injected clock and settles at once on abort', async () => {
    const clock = new FakeClock(0);
    let settled = false;
    const done = sleep(clock, 1000, new AbortController().signal).then(() => (settled = true));
    await clock.advance(999);
    expect(settled).toBe(false);
    await clock.advance(1);
    await done;
    expect(settled).toBe(true);
    const ctl = new AbortController();
    const aborted = sleep(clock, 1000, ctl.signal);
    ctl.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    const quiet = new AbortController();
    const resolved = sleep(clock, 1000, quiet.signal, { resolveOnAbort: true });
    quiet.abort();
    await expect(resolved).resolves.toBeUndefined();
  });

  it('marks a tracked job finished, and only logs when the store cannot be written', async () => {
    const clock = new FakeClock(Date.parse('2026-12-01T10:00:00Z'));
    const tracked = createMemoryTrackedStore([{ sourceId: 's1', id: 'j1', addedAt: '2026-12-01T09:00:00Z' }]);
    const logger = recordingLogger();
    await markTrackedFinished({ tracked, clock, logger }, 's1', 'j1', 'ScriptX');
    expect(tracked.jobs[0].finishedAt).toBe('2026-12-01T10:00:00.000Z');
    const broken = { ...tracked, update: async () => { throw new Error('disk full'); } };
    await markTrackedFinished({ tracked: broken, clock, logger }, 's1', 'j1', 'ScriptX');
    expect(logger.lines.join('\n')).toContain('disk full');
    expect(logger.lines.join('\n')).toContain('tracked ScriptX job');
  });

  it('says what is wrong with a printer from its state and reasons, and nothing for one that is fine', () => {
    const p = (state: 'ready' | 'paused' | 'stopped' | 'offline', reasons: string[] = [], acceptingJobs: boolean | null = true) => printerTroubleWords({ name: 'Basement', state, reasons, acceptingJobs });
    expect(p('stopped', ['Paused', 'Paper jam'])).toBe('Basement is stopped (Paused, Paper jam)');
    expect(p('offline')).toBe('Basement is offline');
    expect(p('paused', ['Toner low'])).toBe('Basement is paused (Toner low)');
    expect(p('ready', [], false)).toBe('Basement is not accepting jobs');
    expect(p('ready', ['Toner low'])).toBeNull();
    expect(p('ready', [], null)).toBeNull();
  });
});
