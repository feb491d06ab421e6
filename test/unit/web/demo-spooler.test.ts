/**
 * The demo's print queues on this PC: the app core, given the preview's settings with the spooler
 * source on the stand-in, shows the queues and links the ScriptX job handed to one of them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAppCore } from '../../../main/core/app-core';
import type { Logger } from '../../../main/ports/ports';
import type { Job } from '../../../preload/contract/model';
import { createMemorySecretStore, PREVIEW_POLLING } from '../../preview/start-preview';
import { createDemoSpoolerQueue, DEMO_HANDOVER_PRINTER, DEMO_SPOOLER_SOURCE_ID } from '../../simulators/windows-spooler/demo-queue';
import { startWorkloadSimulators, WORKLOAD_SOURCE_IDS } from '../../simulators/workload';

const closers: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});
const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const WAIT = { timeout: 10_000, interval: 50 };

describe('the demo\'s print queues on this PC', () => {
  it('shows the stand-in\'s queues and a ScriptX job linked to the job it handed to Office LaserJet, page by page', async () => {
    const sims = await startWorkloadSimulators({ printServer: false });
    closers.push(() => sims.close());
    // Steps by hand here: the story's own timer would step in its own time.
    const queue = createDemoSpoolerQueue({ scriptx: sims.scriptx, tickMs: 3_600_000 });
    closers.push(() => queue.stop());
    const dir = mkdtempSync(join(tmpdir(), 'pqm-demo-spooler-'));
    closers.push(() => rmSync(dir, { recursive: true, force: true }));
    const configPath = join(dir, 'settings.json');
    writeFileSync(configPath, JSON.stringify({ version: 1, sources: [...sims.sources, queue.source], polling: PREVIEW_POLLING }));
    const core = await createAppCore({
      configPath,
      secrets: createMemorySecretStore(sims.secrets),
      logger: silent,
      platform: { pickFileToPrint: async () => null, pickSavePath: async () => null, openExternal: async () => undefined, versions: () => ({ app: 't', node: '', platform: '' }), spoolerHost: queue.spawn },
    });
    closers.push(() => core.stop());
    core.start();
    await queue.start((id, title, printer) => core.handlers.trackJob({ sourceId: WORKLOAD_SOURCE_IDS.scriptx, id, kind: 'html', title, printer }));

    const handed = (): Job | undefined => core.snapshot().jobs.find((j) => j.sourceId === WORKLOAD_SOURCE_IDS.scriptx && j.document === queue.current);
    await vi.waitFor(() => expect(handed()).toMatchObject({ state: 'completed', printer: DEMO_HANDOVER_PRINTER, handover: { status: 'linked', printer: DEMO_HANDOVER_PRINTER, state: 'printing', pages: 7, pagesPrinted: 0 } }), WAIT);
    expect(core.snapshot().sources.find((s) => s.id === DEMO_SPOOLER_SOURCE_ID)).toMatchObject({ kind: 'windows-spooler', status: 'ok' });
    expect(core.printers().filter((p) => p.sourceKind === 'windows-spooler').map((p) => [p.name, p.state, p.reasons])).toEqual([
      ['Office LaserJet', 'ready', []],
      ['Label printer', 'stopped', ['Out of paper']],
      ['Microsoft Print to PDF', 'ready', []],
    ]);
    const spooled = core.snapshot().jobs.filter((j) => j.sourceId === DEMO_SPOOLER_SOURCE_ID);
    expect(spooled.map((j) => [j.document, j.state, j.reason, j.handedOverBy ?? null])).toEqual([
      [queue.current, 'printing', null, handed()!.key],
      ['Pick list 8813', 'paused', 'Out of paper', null],
      ['Team rota.xlsx', 'queued', null, null],
    ]);

    await queue.step();
    await vi.waitFor(() => expect(handed()?.handover).toMatchObject({ state: 'printing', pagesPrinted: 1 }), WAIT);
    for (let i = 0; i < 7; i++) await queue.step();
    await vi.waitFor(() => expect(handed()?.handover).toMatchObject({ state: 'completed', reason: 'Printed', pagesPrinted: 7 }), WAIT);
    // The next one is handed over.
    const before = queue.current;
    await queue.step();
    expect(queue.current).not.toBe(before);
    await vi.waitFor(() => expect(handed()?.handover).toMatchObject({ status: 'linked', state: 'printing' }), WAIT);
  }, 20_000);
});
