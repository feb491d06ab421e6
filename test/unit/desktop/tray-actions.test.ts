import { describe, expect, it, vi } from 'vitest';
import { createTrayActionRunner, withOwnActionNotes } from '../../../main/desktop/tray-actions';
import { decideInstall, updateFeed, withInstallUpdate } from '../../../main/desktop/update-policy';
import { silentLogger } from '../../../main/ports/ports';
import { REQUEST_NAMES } from '../../../preload/contract/channels';
import { AppFailure } from '../../../preload/contract/model';
import type { Handlers } from '../../../preload/contract/contract';
import { makeJob } from '../../helpers/fake-bridge';

function setup() {
  const handlers = Object.fromEntries(REQUEST_NAMES.map((n) => [n, vi.fn(async (..._args: unknown[]) => null as unknown)])) as Record<string, ReturnType<typeof vi.fn>>;
  const deps = { handlers: handlers as unknown as Handlers, emit: vi.fn(), showWindow: vi.fn(), noteOwnAction: vi.fn(), quit: vi.fn(), alert: vi.fn(), logger: silentLogger };
  return { ...deps, handlers, run: createTrayActionRunner(deps) };
}

describe('tray actions', () => {
  it('cancel notes the own action first, then cancels through the contract', async () => {
    const s = setup();
    const order: string[] = [];
    s.noteOwnAction.mockImplementation(() => order.push('note'));
    s.handlers.cancelJob.mockImplementation(async () => (order.push('cancel'), makeJob()));
    await s.run({ type: 'cancel', key: 'local:1' });
    expect(order).toEqual(['note', 'cancel']);
    expect(s.handlers.cancelJob).toHaveBeenCalledWith({ key: 'local:1' });
  });

  it('a failed cancel is told to the user in the service words', async () => {
    const s = setup();
    s.handlers.cancelJob.mockRejectedValueOnce(new AppFailure('too-late', 'The job is already printing.'));
    await s.run({ type: 'cancel', key: 'local:1' });
    expect(s.alert).toHaveBeenCalledWith('The job could not be canceled: The job is already printing.');
    expect(s.emit).toHaveBeenCalledWith('app:notice', { level: 'error', message: 'The job could not be canceled: The job is already printing.' });
  });

  it('pause, resume, refresh, show, open and quit', async () => {
    const s = setup();
    await s.run({ type: 'pause', minutes: 15 });
    await s.run({ type: 'pause', minutes: null });
    expect(s.handlers.pauseMonitoring.mock.calls.map((c) => c[0])).toEqual([{ minutes: 15 }, { minutes: null }]);
    await s.run({ type: 'resume' });
    await s.run({ type: 'refresh' });
    expect(s.handlers.resumeMonitoring).toHaveBeenCalledTimes(1);
    expect(s.handlers.refreshNow).toHaveBeenCalledWith({});
    await s.run({ type: 'open-job', key: 'up:p/j' });
    expect(s.showWindow).toHaveBeenCalledTimes(1);
    expect(s.emit).toHaveBeenCalledWith('app:navigate', { key: 'up:p/j' });
    await s.run({ type: 'quit' });
    expect(s.quit).toHaveBeenCalledTimes(1);
    expect(s.alert).not.toHaveBeenCalled();
  });

  it('"Restart to update" asks the updater through the contract and says why when it must wait', async () => {
    const s = setup();
    s.handlers.installUpdate.mockResolvedValueOnce({ restarting: true, reason: null });
    await s.run({ type: 'install-update' });
    expect(s.handlers.installUpdate).toHaveBeenCalledWith({});
    expect(s.alert).not.toHaveBeenCalled();
    s.handlers.installUpdate.mockResolvedValueOnce({ restarting: false, reason: 'The update installs when the watched job finishes or when you quit.' });
    await s.run({ type: 'install-update' });
    const message = 'The update is not installed yet: The update installs when the watched job finishes or when you quit.';
    expect(s.alert).toHaveBeenCalledWith(message);
    expect(s.emit).toHaveBeenCalledWith('app:notice', { level: 'info', message });
  });

  it('installUpdate is answered by the app\'s updater, and refused with the reason without one', async () => {
    const s = setup();
    const restartNow = vi.fn(() => ({ restarting: true, reason: null }));
    let updater: { restartNow: typeof restartNow } | null = null;
    const h = withInstallUpdate(s.handlers as unknown as Handlers, () => updater, () => 'The portable version is not updated automatically.');
    await expect(h.installUpdate({})).rejects.toMatchObject({ code: 'unsupported', message: 'The portable version is not updated automatically.' });
    updater = { restartNow };
    await expect(h.installUpdate({})).resolves.toEqual({ restarting: true, reason: null });
    expect(s.handlers.installUpdate).not.toHaveBeenCalled();
  });

  it('window cancels and aborts are noted as own actions', async () => {
    const s = setup();
    const note = vi.fn();
    const h = withOwnActionNotes(s.handlers as unknown as Handlers, note);
    await h.cancelJobs({ keys: ['local:1', 'local:2'] });
    await h.abortJob({ key: 'up:p/j', reason: 'wrong printer' });
    expect(note.mock.calls.map((c) => c[0])).toEqual(['local:1', 'local:2', 'up:p/j']);
    expect(s.handlers.abortJob).toHaveBeenCalledWith({ key: 'up:p/j', reason: 'wrong printer' });
  });
});

describe('update policy', () => {
  it('is off while the feed is unset or unsafe', () => {
    expect(updateFeed(undefined)).toMatchObject({ enabled: false });
    expect(updateFeed('http://updates.example.com/')).toEqual({ enabled: false, reason: 'The update feed must be an https:// URL.' });
    expect(updateFeed('https://u:p@updates.example.com/')).toMatchObject({ enabled: false });
    expect(updateFeed('https://updates.example.com/pqm')).toEqual({ enabled: true, url: 'https://updates.example.com/pqm' });
  });

  it('never restarts while watched jobs are active', () => {
    const active = [makeJob({ state: 'printing' }), makeJob({ state: 'completed' })];
    expect(decideInstall({ downloaded: true, jobs: active, windowVisible: false, userRequested: true })).toEqual({ action: 'wait', reason: 'The update installs when the watched job finishes or when you quit.' });
    expect(decideInstall({ downloaded: true, jobs: [], windowVisible: true, userRequested: false }).action).toBe('wait');
    expect(decideInstall({ downloaded: true, jobs: [], windowVisible: false, userRequested: false })).toEqual({ action: 'restart-now' });
    expect(decideInstall({ downloaded: false, jobs: [], windowVisible: false, userRequested: true })).toEqual({ action: 'none' });
  });
});
