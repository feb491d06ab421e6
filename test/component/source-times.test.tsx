// @vitest-environment happy-dom
/**
 * The Sources panel fed by the real queue engine (fake clock, fake source): its "last successful
 * poll" keeps up with the polls while the source stays healthy.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { act, fireEvent, screen, waitFor } from '@testing-library/preact';
import { PollingSettings, type SourceHealth } from '../../preload/contract/model';
import { createQueueEngine } from '../../main/queue/engine';
import type { QueueEngine } from '../../main/queue/engine-types';
import { formatDateTime } from '../../renderer/src/i18n/format';
import { t } from '../../renderer/src/i18n/messages';
import { FakeClock } from '../helpers/fake-clock';
import { FakeSource } from '../helpers/fake-source';
import { makeJob } from '../helpers/fake-bridge';
import { mount, unmount, type Mounted } from './harness';

const T0 = Date.UTC(2026, 2, 2, 10, 0, 0);

let m: Mounted | undefined;
let engine: QueueEngine | undefined;
afterEach(async () => {
  unmount(m);
  m = undefined;
  await engine?.stop();
  engine = undefined;
});

describe('the last successful poll in the Sources panel', () => {
  it('moves on with the polls of a source that stays healthy, without an event per poll', async () => {
    const clock = new FakeClock(T0);
    const src = new FakeSource({ id: 'local', name: 'This PC', loopback: true, clock });
    engine = createQueueEngine({ sources: [src], polling: PollingSettings.parse({}), clock });
    engine.start();
    await clock.advance(0);
    const first = engine.snapshot().sources[0]!;
    expect(first).toMatchObject({ status: 'ok', lastSuccessAt: new Date(T0).toISOString() });

    m = await mount({ sources: [first], jobs: [makeJob({ key: 'local:a', sourceId: 'local' }), makeJob({ key: 'local:b', sourceId: 'local' })] });
    const told: SourceHealth[] = [];
    engine.subscribe((e) => {
      if (e.type !== 'health') return;
      told.push(e.source);
      m!.bridge.emit('source:health', e.source);
    });
    fireEvent.click(screen.getByRole('button', { name: /^Sources/ }));
    const line = () => screen.getByRole('dialog', { name: 'Sources' }).querySelector<HTMLElement>('[data-source="local"]')!;
    expect(line().textContent).toContain(t.lastSuccess(formatDateTime(first.lastSuccessAt)));
    const names = m.store.sourceNames.value;

    // A minute of idle polls every 10 s, all answering as before.
    await act(async () => clock.advance(60_000));
    expect(src.pollCount).toBe(7);
    const latest = new Date(T0 + 60_000).toISOString();
    await waitFor(() => expect(line().textContent).toContain(t.lastSuccess(formatDateTime(latest))));
    expect(line().dataset.status).toBe('ok');
    // Two events for six polls, and nothing that names the sources changed: the queue is not sorted again.
    expect(told.map((h) => h.lastSuccessAt)).toEqual([new Date(T0 + 30_000).toISOString(), latest]);
    expect(m.store.sourceNames.value).toBe(names);
  });
});
