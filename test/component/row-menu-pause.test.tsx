// @vitest-environment happy-dom
/** Pause and Resume in a row's menu, offered only where the job declares them (the Windows spooler). */
import { afterEach, describe, expect, it } from 'vitest';
import { act, fireEvent, screen, waitFor } from '@testing-library/preact';
import { AppFailure } from '../../preload/contract/model';
import { makeHealth, makeJob } from '../helpers/fake-bridge';
import { mount, rowOf, unmount, type Mounted } from './harness';

let m: Mounted | undefined;
afterEach(() => {
  unmount(m);
  m = undefined;
});

const sources = [makeHealth({ id: 'pc', kind: 'windows-spooler', name: 'Print queues on this PC' }), makeHealth({ id: 'local', name: 'This PC' })];
const spoolerJob = (over: Parameters<typeof makeJob>[0] = {}) =>
  makeJob({ key: 'pc:Office%20Laser/7', sourceId: 'pc', sourceKind: 'windows-spooler', nativeId: '7', document: 'Report.pdf', printer: 'Office Laser', state: 'queued', pause: { allowed: true }, resume: { allowed: false, reason: 'The job is not paused.' }, ...over });

function openMenu(key: string): HTMLElement {
  fireEvent.contextMenu(rowOf(m!.container, key), { clientX: 10, clientY: 10 });
  return screen.getByTestId('row-menu');
}
const item = (menu: HTMLElement, id: string) => menu.querySelector<HTMLElement>(`[data-item="${id}"]`);
const notices = () => screen.queryAllByTestId('notice').map((n) => [n.dataset.level, n.textContent]);

describe('Pause and Resume in the row menu', () => {
  it('pauses a waiting job through pauseJob, then resumes it through resumeJob', async () => {
    m = await mount({ jobs: [spoolerJob()], sources });
    let menu = openMenu('pc:Office%20Laser/7');
    expect(item(menu, 'pause')?.textContent).toBe('Pause');
    expect(item(menu, 'pause')?.getAttribute('aria-disabled')).toBeNull();
    expect(item(menu, 'resume')?.getAttribute('aria-disabled')).toBe('true');
    expect(item(menu, 'resume')?.textContent).toContain('The job is not paused.');
    fireEvent.click(item(menu, 'pause')!);
    await waitFor(() => expect(notices()).toContainEqual(['info', expect.stringContaining('Paused “Report.pdf”')]));
    expect(m.bridge.callsOf('pauseJob')).toEqual([{ key: 'pc:Office%20Laser/7' }]);
    expect(m.store.jobs.get('pc:Office%20Laser/7')?.state).toBe('paused');
    menu = openMenu('pc:Office%20Laser/7');
    expect(item(menu, 'pause')?.getAttribute('aria-disabled')).toBe('true');
    const hold = m.bridge.hold('resumeJob');
    fireEvent.click(item(menu, 'resume')!);
    await hold.arrived;
    expect(rowOf(m.container, 'pc:Office%20Laser/7').textContent).toContain('Resuming…');
    await act(async () => hold.release());
    await waitFor(() => expect(notices()).toContainEqual(['info', expect.stringContaining('Resumed “Report.pdf”')]));
    expect(m.store.jobs.get('pc:Office%20Laser/7')?.state).toBe('queued');
  });

  it('shows Windows\' refusal in its words and keeps the job as it was', async () => {
    m = await mount({ jobs: [spoolerJob()], sources });
    m.bridge.override('pauseJob', async () => {
      throw new AppFailure('not-allowed', 'Windows does not let you pause job 7 on Office Laser: Access was denied to the specified resource.');
    });
    fireEvent.click(item(openMenu('pc:Office%20Laser/7'), 'pause')!);
    await waitFor(() => expect(notices()).toContainEqual(['error', expect.stringContaining('“Report.pdf” was not paused: Windows does not let you pause job 7')]));
    expect(m.store.jobs.get('pc:Office%20Laser/7')?.state).toBe('queued');
  });

  it('offers neither where the source has no pause (ScriptX), nor on a finished job', async () => {
    m = await mount({ jobs: [makeJob({ key: 'local:a', document: 'Invoice.pdf' }), spoolerJob({ state: 'completed', pause: { allowed: false, reason: 'The job is finished.' } })], sources });
    let menu = openMenu('local:a');
    expect(item(menu, 'pause')).toBeNull();
    expect(item(menu, 'resume')).toBeNull();
    fireEvent.keyDown(menu, { key: 'Escape' });
    m.store.updateUi({ view: 'all' });
    await waitFor(() => expect(rowOf(m!.container, 'pc:Office%20Laser/7')).toBeTruthy());
    menu = openMenu('pc:Office%20Laser/7');
    expect(item(menu, 'pause')).toBeNull();
  });
});
