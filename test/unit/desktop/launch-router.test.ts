import { describe, expect, it, vi } from 'vitest';
import { createLaunchRouter } from '../../../main/desktop/launch-router';
import { silentLogger } from '../../../main/ports/ports';
import { REQUEST_NAMES } from '../../../preload/contract/channels';
import type { Handlers } from '../../../preload/contract/contract';
import { makeJob } from '../../helpers/fake-bridge';

function setup() {
  const handlers = Object.fromEntries(REQUEST_NAMES.map((n) => [n, vi.fn(async (..._args: unknown[]) => null as unknown)])) as Record<string, ReturnType<typeof vi.fn>>;
  handlers.trackJob.mockImplementation(async (input: { sourceId: string; id: string }) => makeJob({ key: `${input.sourceId}:${input.id}`, sourceId: input.sourceId, nativeId: input.id }));
  const emit = vi.fn();
  const showWindow = vi.fn();
  const router = createLaunchRouter({ handlers: handlers as unknown as Handlers, sourceIds: () => ['local', 'ao'], emit, showWindow, logger: silentLogger });
  return { handlers, emit, showWindow, router };
}

describe('second-instance routing', () => {
  it('a plain second launch shows the running window; the first instance does nothing itself', async () => {
    const s = setup();
    expect(await s.router.handleArgv(['pqm.exe'])).toEqual({ type: 'shown' });
    expect(s.showWindow).toHaveBeenCalledTimes(1);
    expect(await s.router.handleArgv(['pqm.exe'], { firstInstance: true })).toEqual({ type: 'none' });
    expect(s.showWindow).toHaveBeenCalledTimes(1);
  });

  it('a track link tracks through the validated contract and opens the window on the job', async () => {
    const s = setup();
    const out = await s.router.handleArgv(['pqm.exe', 'print-queue-monitor://track?source=local&id=T-1&kind=html']);
    expect(out).toEqual({ type: 'navigated', key: 'local:T-1' });
    expect(s.handlers.trackJob).toHaveBeenCalledWith({ sourceId: 'local', id: 'T-1', kind: 'html' });
    expect(s.emit).toHaveBeenCalledWith('app:navigate', { key: 'local:T-1' });
  });

  it('an open link navigates without tracking', async () => {
    const s = setup();
    expect(await s.router.handleUrl('print-queue-monitor://open?key=ao:j9')).toEqual({ type: 'navigated', key: 'ao:j9' });
    expect(s.handlers.trackJob).not.toHaveBeenCalled();
  });

  it('refuses a hostile link with a notice and never calls a handler', async () => {
    const s = setup();
    const out = await s.router.handleArgv(['pqm.exe', 'print-queue-monitor://track?source=local&id=x&baseUrl=https://evil']);
    expect(out.type).toBe('refused');
    expect(s.emit).toHaveBeenCalledWith('app:notice', { level: 'warning', message: expect.stringMatching(/^The link was refused: "baseUrl" is not a parameter/) });
    for (const n of REQUEST_NAMES) expect(s.handlers[n]).not.toHaveBeenCalled();
  });

  it('refuses --track of an unknown source, and reports a failed track in the service words', async () => {
    const s = setup();
    expect(await s.router.handleArgv(['pqm.exe', '--track', 'nope', '1'])).toEqual({ type: 'refused', message: 'There is no source "nope" in the settings.' });
    s.handlers.trackJob.mockRejectedValueOnce(Object.assign(new Error('The service does not know this token.'), { code: 'not-found' }));
    const out = await s.router.handleArgv(['pqm.exe', '--track', 'local', 'gone-token']);
    expect(out).toEqual({ type: 'refused', message: expect.stringMatching(/^The job could not be tracked: /) });
    // An id that fails the contract's schema is refused by validation.
    const bad = await s.router.handleArgv(['pqm.exe', '--track', 'local', 'a/../b']);
    expect(bad.type).toBe('refused');
  });
});
