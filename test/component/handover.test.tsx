// @vitest-environment happy-dom
/** A ScriptX job handed to this PC's Windows queue: the row's words and the detail panel's section with both timelines. */
import { afterEach, describe, expect, it } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import type { Handover } from '../../preload/contract/model';
import { makeHealth, makeJob } from '../helpers/fake-bridge';
import { mount, rowOf, unmount, type Mounted } from './harness';

let m: Mounted | undefined;
afterEach(() => {
  unmount(m);
  m = undefined;
});

const sources = [makeHealth({ id: 'local', name: 'ScriptX.Services on this PC' }), makeHealth({ id: 'pc', kind: 'windows-spooler', name: 'Print queues on this PC' })];
const linked = (over: Partial<Handover> = {}): Handover => ({ status: 'linked', printer: 'Office Laser', key: 'pc:Office%20Laser/12', state: 'printing', reason: null, pages: 7, pagesPrinted: 3, candidates: 0, ...over });
const scriptx = (handover: Handover | null) => makeJob({ key: 'local:t1', document: 'Invoice 42.pdf', printer: 'Office Laser', state: 'completed', reason: null, handover });
const spooler = makeJob({ key: 'pc:Office%20Laser/12', sourceId: 'pc', sourceKind: 'windows-spooler', nativeId: '12', document: 'Invoice 42.pdf', printer: 'Office Laser', state: 'printing', pages: 7, pagesPrinted: 3, handedOverBy: 'local:t1' });
/** Mounted on the All view: completed jobs are rows too. */
async function mountAll(opts: Parameters<typeof mount>[0]): Promise<Mounted> {
  const mounted = await mount(opts);
  mounted.store.updateUi({ view: 'all' });
  await waitFor(() => expect(rowOf(mounted.container, 'local:t1')).toBeTruthy());
  return mounted;
}
const reasonOf = (key: string) => within(rowOf(m!.container, key)).queryByTestId('state-reason')?.textContent;

describe('the hand-over in the window', () => {
  it('says on the row where the job is in the printer\'s queue', async () => {
    const cases: [Handover, string][] = [
      [linked(), 'Handed to Office Laser → printing page 3 of 7'],
      [linked({ state: 'paused', reason: 'Out of paper' }), 'Handed to Office Laser → paused: Out of paper'],
      [linked({ state: 'completed', reason: 'Printed', pagesPrinted: 7 }), 'Handed to Office Laser → printed'],
      [linked({ state: 'processing', reason: 'Spooling', pagesPrinted: 0 }), 'Handed to Office Laser → spooling'],
      [linked({ status: 'waiting', key: null, state: null }), 'Handed to Office Laser → looking for it in the Windows queue'],
      [linked({ status: 'ambiguous', key: null, state: null, candidates: 2 }), 'Handed to Office Laser → 2 jobs of that name in its queue; not linked'],
      [linked({ status: 'unmatched', key: null, state: null }), 'Handed to Office Laser → not seen in its Windows queue'],
    ];
    for (const [handover, words] of cases) {
      m = await mountAll({ jobs: [scriptx(handover)], sources });
      expect(reasonOf('local:t1')).toBe(words);
      unmount(m);
      m = undefined;
    }
  });

  it('shows the spooler job and its timeline in the ScriptX job\'s details, and the way back', async () => {
    const at = (s: number) => new Date(Date.UTC(2026, 0, 5, 9, 0, s)).toISOString();
    m = await mountAll({
      jobs: [scriptx(linked()), spooler],
      sources,
      details: {
        'local:t1': { timeline: [{ at: at(0), state: 'queued', rawState: '1 Queued', detail: null }, { at: at(8), state: 'completed', rawState: '6 Completed', detail: null }] },
        'pc:Office%20Laser/12': { timeline: [{ at: at(6), state: 'processing', rawState: '8 Spooling', detail: 'Spooling' }, { at: at(9), state: 'printing', rawState: '16 Printing', detail: null }] },
      },
    });
    fireEvent.dblClick(rowOf(m.container, 'local:t1'));
    const section = await waitFor(() => screen.getByTestId('handover'));
    expect(within(section).getByRole('heading').textContent).toBe('In the printer’s queue');
    expect(section.textContent).toContain('Handed to Office Laser → printing page 3 of 7');
    expect([...within(section).getByTestId('handover-timeline').querySelectorAll('li')].map((li) => li.textContent)).toEqual([expect.stringContaining('Processing Spooling'), expect.stringContaining('Printing')]);
    expect(screen.getByTestId('timeline').querySelectorAll('li')).toHaveLength(2);
    fireEvent.click(within(section).getByRole('button', { name: /Invoice 42\.pdf \(Print queues on this PC, Printing\)/ }));
    await waitFor(() => expect(within(screen.getByTestId('handover')).queryByRole('button')?.textContent).toBe('Invoice 42.pdf (ScriptX.Services on this PC, Completed)'));
    expect(within(screen.getByTestId('handover')).getByRole('heading').textContent).toBe('Handed over by');
  });

  it('says why no spooler job is linked', async () => {
    m = await mountAll({ jobs: [scriptx(linked({ status: 'ambiguous', key: null, state: null, candidates: 2 }))], sources });
    fireEvent.dblClick(rowOf(m.container, 'local:t1'));
    const section = await waitFor(() => screen.getByTestId('handover'));
    expect(section.textContent).toContain('2 jobs of this name reached the Windows queue of Office Laser at that time, so none of them is linked to this job.');
  });
});
